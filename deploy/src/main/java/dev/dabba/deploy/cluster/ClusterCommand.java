package dev.dabba.deploy.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dabba.deploy.demo.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code dabba cluster up|status|down|kill|restart}: a real Dabba cluster on this machine, one process per component
 * ({@link LocalCluster}). {@code up} returns once every component is healthy and leaves the cluster running;
 * {@code status} and {@code down} find it again through the state file in the work directory.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A real Dabba cluster on this machine: a Kafka broker (KRaft), a Kafka Connect worker with the "
                + "gateway, a Flink session cluster running the billing job, an MQTT broker (this machine's Mosquitto "
                + "on the MQTT port if it runs, else one of its own), PostgreSQL (this machine's server if it accepts "
                + "the user, else one of its own) and the billing API, each in its own process.",
            "Exit codes: 0 ok, 1 failure, 2 bad arguments, 3 (status) a component is unhealthy or no cluster runs."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class,
            ClusterCommand.Kill.class, ClusterCommand.Restart.class})
public final class ClusterCommand implements Runnable {

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Data, logs and the state file. "
            + "Default: .dabba/cluster under the Dabba checkout.")
    Path workDir;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    ClusterSettings.Builder builder() {
        ClusterSettings.Builder b = ClusterSettings.builder();
        if (workDir != null) {
            b.workDir(workDir);
        }
        return b;
    }

    ClusterSettings defaults() {
        return builder().build();
    }

    Optional<LocalCluster> attach() {
        return LocalCluster.attach(defaults());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** {@code dabba cluster up}. */
    @Command(name = "up", mixinStandardHelpOptions = true, description = "Starts every component, waits until each "
            + "is healthy, prints the endpoints and returns; the cluster keeps running until 'dabba cluster down'. "
            + "A work directory with data from an earlier cluster resumes it (the job from the savepoint 'down' took).")
    static final class Up implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Option(names = "--kafka-port", defaultValue = "9092", description = "Default: ${DEFAULT-VALUE}.")
        int kafkaPort;

        @Option(names = "--kafka-controller-port", defaultValue = "9093", description = "Default: ${DEFAULT-VALUE}.")
        int kafkaControllerPort;

        @Option(names = "--connect-port", defaultValue = "8083", description = "Connect REST. Default: "
                + "${DEFAULT-VALUE}.")
        int connectPort;

        @Option(names = "--connect-metrics-port", defaultValue = "9404", description = "Connect Prometheus metrics. "
                + "Default: ${DEFAULT-VALUE}.")
        int connectMetricsPort;

        @Option(names = "--flink-rest-port", defaultValue = "8081", description = "Flink REST and dashboard. "
                + "Default: ${DEFAULT-VALUE}.")
        int flinkRestPort;

        @Option(names = "--flink-rpc-port", defaultValue = "6123", description = "Default: ${DEFAULT-VALUE}.")
        int flinkRpcPort;

        @Option(names = "--jobmanager-metrics-port", defaultValue = "9249", description = "Default: "
                + "${DEFAULT-VALUE}.")
        int jobManagerMetricsPort;

        @Option(names = "--taskmanager-metrics-port", defaultValue = "9250", description = "Default: "
                + "${DEFAULT-VALUE}.")
        int taskManagerMetricsPort;

        @Option(names = "--mqtt-port", defaultValue = "1883", description = "Default: ${DEFAULT-VALUE}.")
        int mqttPort;

        @Option(names = "--postgres-port", defaultValue = "5432", description = "Default: ${DEFAULT-VALUE}.")
        int postgresPort;

        @Option(names = "--api-port", defaultValue = "8080", description = "The billing API. Default: "
                + "${DEFAULT-VALUE}.")
        int apiPort;

        @Option(names = "--free-ports", description = "Pick free ports for Kafka, Connect, Flink, the metrics and the "
                + "API instead of the standard ones (the MQTT and PostgreSQL ports stay as given).")
        boolean freePorts;

        @Option(names = "--own-mqtt", description = "Start the cluster's own MQTT broker even if one runs on the MQTT "
                + "port.")
        boolean ownMqtt;

        @Option(names = "--own-postgres", description = "Start the cluster's own PostgreSQL even if one runs on the "
                + "PostgreSQL port.")
        boolean ownPostgres;

        @Option(names = "--topic-root", defaultValue = "dabba/v1", description = "MQTT topic root. Default: "
                + "${DEFAULT-VALUE}.")
        String topicRoot;

        @Option(names = "--database", defaultValue = "dabba", description = "Report store database (created if "
                + "missing). Default: ${DEFAULT-VALUE}.")
        String database;

        @Option(names = "--db-user", defaultValue = "postgres", description = "Default: ${DEFAULT-VALUE}.")
        String dbUser;

        @Option(names = "--slots", defaultValue = "2", description = "Flink task slots (the job's parallelism). "
                + "Default: ${DEFAULT-VALUE}.")
        int slots;

        @Option(names = "--source-tasks", defaultValue = "2", description = "MQTT source connector tasks (shared "
                + "subscription members). Default: ${DEFAULT-VALUE}.")
        int sourceTasks;

        @Option(names = "--start-timeout", defaultValue = "PT3M", description = "How long each component may take to "
                + "become healthy. Default: ${DEFAULT-VALUE}.")
        Duration startTimeout;

        @Override
        public Integer call() {
            ClusterSettings.Builder b = parent.builder().kafkaPort(kafkaPort).kafkaControllerPort(kafkaControllerPort)
                    .connectPort(connectPort).connectMetricsPort(connectMetricsPort).flinkRestPort(flinkRestPort)
                    .flinkRpcPort(flinkRpcPort).jobManagerMetricsPort(jobManagerMetricsPort)
                    .taskManagerMetricsPort(taskManagerMetricsPort).mqttPort(mqttPort).postgresPort(postgresPort)
                    .apiPort(apiPort).reuseMachineMqtt(!ownMqtt).reuseMachinePostgres(!ownPostgres)
                    .topicRoot(topicRoot).database(database).dbUser(dbUser).flinkSlots(slots).sourceTasks(sourceTasks)
                    .startTimeout(startTimeout);
            if (freePorts) {
                b.freePorts();
            }
            ClusterSettings s;
            try {
                s = b.build();
            } catch (IllegalArgumentException e) {
                parent.err().println("dabba cluster up: " + e.getMessage());
                return 2;
            }
            PrintWriter out = parent.out();
            LocalCluster cluster = LocalCluster.up(s, new Progress(out));
            printEndpoints(out, cluster);
            out.println("Try:  ./dabba agent simulate --broker " + cluster.mqttUri() + " --topic-root "
                    + cluster.topicRoot());
            out.println("then: curl -H \"Authorization: Bearer $(cat " + s.workDir().resolve("api-token") + ")\" "
                    + cluster.apiUrl() + "api/v1/subscribers/+91-9876543210/bills/latest");
            out.println("Stop: ./dabba cluster down" + workDirOption(parent));
            out.flush();
            return 0;
        }
    }

    /** {@code dabba cluster status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Probes every component; exit code 0 when all are healthy, 3 otherwise.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Option(names = "--format", defaultValue = "table", description = "table or json. Default: ${DEFAULT-VALUE}.")
        String format;

        @Override
        public Integer call() throws Exception {
            if (!format.equals("table") && !format.equals("json")) {
                parent.err().println("dabba cluster status: --format must be table or json, was '" + format + "'");
                return 2;
            }
            Optional<LocalCluster> found = parent.attach();
            PrintWriter out = parent.out();
            if (found.isEmpty()) {
                if (format.equals("json")) {
                    out.println("{\"running\":false,\"workDir\":" + new ObjectMapper().writeValueAsString(
                            parent.defaults().workDir().toString()) + "}");
                } else {
                    out.println("no cluster runs from " + parent.defaults().workDir() + " (start one: ./dabba "
                            + "cluster up" + workDirOption(parent) + ")");
                }
                out.flush();
                return 3;
            }
            LocalCluster cluster = found.get();
            ClusterStatus status = cluster.status();
            if (format.equals("json")) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode root = mapper.createObjectNode();
                root.put("running", true);
                root.put("healthy", status.healthy());
                root.put("workDir", cluster.settings().workDir().toString());
                ArrayNode components = root.putArray("components");
                for (ComponentStatus c : status.components()) {
                    ObjectNode n = components.addObject();
                    n.put("component", c.component().key());
                    n.put("managed", c.managed());
                    ArrayNode pids = n.putArray("pids");
                    c.pids().forEach(pids::add);
                    n.put("endpoint", c.endpoint());
                    n.put("healthy", c.healthy());
                    n.put("detail", c.detail());
                }
                ObjectNode metrics = root.putObject("metrics");
                cluster.metricsEndpoints().forEach(metrics::put);
                out.println(mapper.writeValueAsString(root));
            } else {
                out.printf("%-12s %-8s %-9s %-16s %-40s %s%n", "COMPONENT", "HEALTHY", "OWNER", "PIDS", "ENDPOINT",
                        "DETAIL");
                for (ComponentStatus c : status.components()) {
                    out.printf("%-12s %-8s %-9s %-16s %-40s %s%n", c.component().key(), c.healthy() ? "yes" : "NO",
                            c.managed() ? "cluster" : "machine", c.pids().isEmpty() ? "-" : c.pids().toString(),
                            c.endpoint(), c.detail());
                }
                out.println();
                printEndpoints(out, cluster);
            }
            out.flush();
            return status.healthy() ? 0 : 3;
        }
    }

    /** {@code dabba cluster down}. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stops every component (the job with a "
            + "savepoint) and checks that none of the cluster's processes is left. Data stays in the work directory.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Override
        public Integer call() {
            Optional<LocalCluster> found = parent.attach();
            if (found.isEmpty()) {
                parent.out().println("no cluster runs from " + parent.defaults().workDir() + "; nothing to stop");
                parent.out().flush();
                return 0;
            }
            parent.out().println("stopping the cluster in " + found.get().settings().workDir() + " ...");
            parent.out().flush();
            found.get().down();
            parent.out().println("cluster down; no process left; data stays in " + found.get().settings().workDir());
            parent.out().flush();
            return 0;
        }
    }

    /** {@code dabba cluster kill COMPONENT}. */
    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kills one component with SIGKILL, as a "
            + "crash would (for drills; 'restart' brings it back).")
    static final class Kill implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Parameters(paramLabel = "COMPONENT", description = "kafka, connect, jobmanager, taskmanager, mqtt, postgres "
                + "or api.")
        String component;

        @Override
        public Integer call() {
            return onComponent(parent, component, (cluster, c) -> {
                cluster.kill(c);
                return "killed " + c.key() + " " + cluster.pids(c);
            });
        }
    }

    /** {@code dabba cluster restart COMPONENT}. */
    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Starts one component again (stopping "
            + "it first if it runs) with the same ports and data, and waits until it is healthy.")
    static final class Restart implements Callable<Integer> {
        @ParentCommand
        ClusterCommand parent;

        @Parameters(paramLabel = "COMPONENT", description = "kafka, connect, jobmanager, taskmanager, mqtt, postgres "
                + "or api.")
        String component;

        @Override
        public Integer call() {
            return onComponent(parent, component, (cluster, c) -> {
                cluster.restart(c);
                return "restarted " + c.key() + " " + cluster.pids(c) + "; healthy";
            });
        }
    }

    /** Runs {@code action} on the named component of the running cluster and prints what it returns. */
    private static int onComponent(ClusterCommand parent, String name,
            java.util.function.BiFunction<LocalCluster, Component, String> action) {
        Component c = component(parent, name);
        if (c == null) {
            return 2;
        }
        LocalCluster cluster = parent.attach().orElseThrow(() -> new ClusterException("no cluster runs from "
                + parent.defaults().workDir()));
        parent.out().println(action.apply(cluster, c));
        parent.out().flush();
        return 0;
    }

    private static Component component(ClusterCommand parent, String name) {
        for (Component c : Component.values()) {
            if (c.key().equals(name.toLowerCase(Locale.ROOT)) || c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        parent.err().println("dabba cluster: COMPONENT must be one of kafka, connect, jobmanager, taskmanager, mqtt, "
                + "postgres, api; was '" + name + "'");
        return null;
    }

    private static void printEndpoints(PrintWriter out, LocalCluster c) {
        out.println("Kafka        " + c.kafkaBootstrapServers());
        out.println("MQTT         " + c.mqttUri() + " (topic root " + c.topicRoot() + ")");
        out.println("Connect      " + c.connectRestUrl());
        out.println("Flink        " + c.flinkRestUrl() + c.jobId().map(id -> " (billing job " + id + ")").orElse(""));
        out.println("PostgreSQL   " + c.jdbcUrl() + " (user " + c.dbUser() + ")");
        out.println("Billing API  " + c.apiUrl() + "api/v1/ (token in " + c.settings().workDir().resolve("api-token")
                + ")");
        Map<String, String> metrics = c.metricsEndpoints();
        metrics.forEach((name, url) -> out.println("Metrics      " + name + " " + url));
        out.println("Logs         " + c.settings().workDir().resolve("logs") + ", "
                + c.settings().workDir().resolve("flink/log"));
    }

    private static String workDirOption(ClusterCommand parent) {
        return parent.workDir == null ? "" : " --work-dir " + parent.workDir;
    }
}
