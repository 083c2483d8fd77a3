package dev.dabba.deploy.cluster;

import dev.dabba.billing.BillStore;
import dev.dabba.deploy.cluster.internal.ConnectNode;
import dev.dabba.deploy.cluster.internal.Http;
import dev.dabba.deploy.cluster.internal.KafkaNode;
import dev.dabba.deploy.cluster.internal.MqttBrokerMain;
import dev.dabba.deploy.cluster.internal.PostgresMain;
import dev.dabba.deploy.cluster.internal.Processes;
import dev.dabba.deploy.cluster.internal.StateFile;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.deploy.demo.Progress;
import dev.dabba.deploy.flink.FlinkClusterException;
import dev.dabba.deploy.flink.FlinkSessionCluster;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.record.MqttTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Dabba cluster on this machine, every component in its own process: a Kafka broker (KRaft), a Kafka Connect
 * worker running the gateway plugin (MQTT source and epoch sink connectors), a Flink session cluster (JobManager and
 * TaskManager) running the billing job, an MQTT broker (the machine's Mosquitto, or HiveMQ CE in its own JVM),
 * PostgreSQL (the machine's server, or one of its own) and the billing HTTP API.
 *
 * <p>All data, logs and the state file ({@code cluster.properties}: process ids and endpoints) live in one work
 * directory, so {@code dabba cluster status|down} in another process finds a running cluster ({@link #attach}), and
 * a cluster brought {@link #down()} and up again on the same directory resumes its data (the job from the savepoint
 * {@code down} took). {@link #kill(Component)} and {@link #restart(Component)} exist for fault injection: kill -9 one
 * component, then start it again with the same ports and data.
 *
 * <p>Not thread-safe for concurrent kill/restart of the same component; status may be called from any thread.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final String JOB_MAIN = "dev.dabba.jobs.BillingJobMain";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final ClusterSettings s;
    private final StateFile state;
    private final KafkaNode kafka;
    private final ConnectNode connect;
    private final String mqttUri;
    private final String apiToken;
    private final String clusterSuffix;
    private FlinkSessionCluster flink;
    private volatile String jobId;
    private boolean isDown;

    private LocalCluster(ClusterSettings s, StateFile state, String mqttUri, String apiToken, String clusterSuffix) {
        this.s = s;
        this.state = state;
        this.kafka = new KafkaNode(s.workDir().resolve("kafka"), s.kafkaPort(), s.kafkaControllerPort());
        this.connect = new ConnectNode(s.workDir().resolve("connect"), s.connectPort(), s.connectMetricsPort());
        this.mqttUri = mqttUri;
        this.apiToken = apiToken;
        this.clusterSuffix = clusterSuffix;
    }

    /**
     * Starts every component and waits until each is healthy: Kafka with the topics of {@code docs/architecture.md},
     * both connectors RUNNING, the billing job RUNNING, the API answering. On any failure, stops what it started and
     * rethrows.
     *
     * @throws ClusterException naming the component, with the log to read, if a component does not come up; or if a
     *     cluster already runs from the work directory, or a port is taken
     */
    public static LocalCluster up(ClusterSettings s, Progress progress) {
        Path work = s.workDir();
        try {
            Files.createDirectories(work.resolve("logs"));
        } catch (IOException e) {
            throw new ClusterException("cannot create the work directory " + work + ": " + e.getMessage(), e);
        }
        Optional<StateFile> previous = StateFile.read(work);
        if (previous.isPresent()) {
            List<Long> alive = new ArrayList<>();
            for (Component c : Component.values()) {
                previous.get().pids(c).stream().filter(Processes::alive).forEach(alive::add);
            }
            if (!alive.isEmpty()) {
                throw new ClusterException("a cluster already runs from " + work + " (processes " + alive
                        + "); see 'dabba cluster status', stop it with 'dabba cluster down'");
            }
            previous.get().delete(); // a cluster that died with the machine: start again on its data
        }
        requireFree(s);
        boolean machineMqtt = s.reuseMachineMqtt() && MosquittoProbe.isReachable("127.0.0.1", s.mqttPort());
        boolean machinePostgres = s.reuseMachinePostgres() && canConnect(s, "postgres") == null;
        if (!machineMqtt && !FreePorts.isFree(s.mqttPort())) {
            throw new ClusterException("MQTT port " + s.mqttPort() + " is taken by something that is not an MQTT "
                    + "broker accepting anonymous clients; choose another with --mqtt-port");
        }
        if (!machinePostgres && !FreePorts.isFree(s.postgresPort())) {
            throw new ClusterException("PostgreSQL port " + s.postgresPort() + " is taken, but no server there "
                    + "accepts user " + s.dbUser() + " (" + canConnect(s, "postgres") + "); choose another with "
                    + "--postgres-port");
        }
        StateFile state = StateFile.create(work);
        saveSettings(state, s);
        state.managed(Component.MQTT_BROKER, !machineMqtt);
        state.managed(Component.POSTGRES, !machinePostgres);
        String token = s.apiToken().orElseGet(() -> tokenFile(work));
        writeToken(work, token);

        progress.step("starting Kafka (KRaft, one node, its own JVM) ...");
        KafkaNode kafkaNode = new KafkaNode(work.resolve("kafka"), s.kafkaPort(), s.kafkaControllerPort());
        KafkaNode.Prepared prepared = kafkaNode.prepare();
        String suffix = prepared.clusterId().replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT)
                .substring(0, 8);
        state.set("kafka.cluster.id", prepared.clusterId());
        String mqttUri = "tcp://127.0.0.1:" + s.mqttPort();
        state.set("mqtt.uri", mqttUri);
        state.save();
        LocalCluster cluster = new LocalCluster(s, state, mqttUri, token, suffix);
        try {
            cluster.startAll(prepared, machineMqtt, machinePostgres, progress);
            return cluster;
        } catch (RuntimeException | Error e) {
            progress.step("failed: " + e.getMessage());
            progress.detail("stopping what was started; logs stay in " + work.resolve("logs") + " and "
                    + work.resolve("flink/log"));
            try {
                cluster.down(false);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private void startAll(KafkaNode.Prepared prepared, boolean machineMqtt, boolean machinePostgres,
            Progress progress) {
        Process kafkaProcess = kafka.start(s.classpath(), log("kafka"));
        state.pids(Component.KAFKA, List.of(kafkaProcess.pid()));
        state.save();
        if (!machineMqtt) {
            startMqtt();
        }
        if (!machinePostgres) {
            startPostgres();
        }

        progress.step("starting the Flink session cluster (JobManager and TaskManager JVMs) ...");
        flink = FlinkSessionCluster.start(flinkSettings());
        recordFlinkPids();
        progress.detail("REST and dashboard at " + flink.restUrl());

        awaitHealthy(Component.KAFKA, s.startTimeout());
        kafka.createTopics(EmbeddedStack.topics(), Duration.ofSeconds(60));
        progress.detail("Kafka ready at " + kafkaBootstrapServers() + " (cluster " + prepared.clusterId()
                + (prepared.fresh() ? ", new" : ", resumed") + ") with the topics of docs/architecture.md");

        progress.step(machineMqtt ? "using the MQTT broker on this machine (Mosquitto) ..."
                : "starting the MQTT broker (HiveMQ CE, its own JVM) ...");
        awaitHealthy(Component.MQTT_BROKER, s.startTimeout());
        if (prepared.fresh()) {
            clearRetainedEpoch(); // a new cluster's epochs start at 1: an old cluster's retained epoch must go
        }
        progress.detail(mqttUri + ", topic root " + s.topicRoot());

        progress.step(machinePostgres ? "using the PostgreSQL server on this machine ..."
                : "starting PostgreSQL (its own server) ...");
        // The server first (its maintenance database), then the report store's database, which may not exist yet.
        awaitTrue("PostgreSQL on port " + s.postgresPort(), () -> canConnect(s, "postgres") == null,
                Component.POSTGRES);
        if (!machinePostgres) {
            recordPostmaster();
        }
        createDatabase();
        awaitHealthy(Component.POSTGRES, s.startTimeout());
        new BillStore(dataSource(), BillStore.DEFAULT_SCHEMA).migrate();
        progress.detail(jdbcUrl() + " as " + s.dbUser() + ", report store migrated");

        progress.step("starting the Kafka Connect worker with the gateway plugin ...");
        startConnect();
        progress.step("starting the billing API ...");
        startApi();

        progress.step("submitting the billing job ...");
        Optional<Path> savepoint = prepared.fresh() ? Optional.empty() : lastSavepoint();
        jobId = flink.submit(s.jobJar(), JOB_MAIN, jobArgs(), savepoint.orElse(null), Duration.ofMinutes(3));
        state.set("job.id", jobId);
        state.save();
        progress.detail("job " + jobId + savepoint.map(p -> " restored from " + p).orElse(""));

        awaitConnectorsCreated();
        progress.detail("Connect: " + ConnectNode.SOURCE + " " + connect.connectorState(ConnectNode.SOURCE) + ", "
                + ConnectNode.SINK + " " + connect.connectorState(ConnectNode.SINK) + " at " + connect.restUrl());
        awaitHealthy(Component.API, s.startTimeout());
        awaitHealthy(Component.JOB_MANAGER, s.startTimeout());
        progress.step("cluster up");
    }

    /**
     * The cluster started from {@code s.workDir()} by another process (e.g. {@code dabba cluster up}), if its state
     * file says one runs there. Ports and endpoints come from the state file.
     */
    public static Optional<LocalCluster> attach(ClusterSettings defaults) {
        Optional<StateFile> found = StateFile.read(defaults.workDir());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StateFile st = found.get();
        ClusterSettings s = restoreSettings(st, defaults);
        String kafkaId = st.get("kafka.cluster.id");
        String suffix = kafkaId.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT).substring(0, 8);
        LocalCluster c = new LocalCluster(s, st, st.get("mqtt.uri"),
                s.apiToken().orElseGet(() -> tokenFile(s.workDir())), suffix);
        c.flink = FlinkSessionCluster.attach(s.flinkLibDir(), s.workDir().resolve("flink")).orElse(null);
        c.jobId = st.find("job.id").orElse(null);
        return Optional.of(c);
    }

    /** The settings this cluster runs with. */
    public ClusterSettings settings() {
        return s;
    }

    /** {@code bootstrap.servers} for Kafka clients, {@code 127.0.0.1:PORT}. */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The MQTT broker agents publish to, {@code tcp://127.0.0.1:PORT}. */
    public String mqttUri() {
        return mqttUri;
    }

    /** The report store, {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE} (schema {@code dabba}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + s.postgresPort() + "/" + s.database();
    }

    /** The database user (no password: trust authentication). */
    public String dbUser() {
        return s.dbUser();
    }

    /** The billing API's base URL, {@code http://127.0.0.1:PORT/} (JSON under {@code api/v1/}). */
    public String apiUrl() {
        return "http://127.0.0.1:" + s.apiPort() + "/";
    }

    /** The bearer token the API accepts. */
    public String apiToken() {
        return apiToken;
    }

    /** The MQTT topic root of agents and gateway. */
    public String topicRoot() {
        return s.topicRoot();
    }

    /** Flink's REST API and dashboard, {@code http://127.0.0.1:PORT}. */
    public String flinkRestUrl() {
        return "http://127.0.0.1:" + s.flinkRestPort();
    }

    /** The Kafka Connect REST API, {@code http://127.0.0.1:PORT}. */
    public String connectRestUrl() {
        return connect.restUrl();
    }

    /** The billing job's current id (it changes when a JobManager restart resubmits the job). */
    public Optional<String> jobId() {
        return Optional.ofNullable(jobId);
    }

    /**
     * The Prometheus endpoints the cluster serves, by name: {@code api}, {@code connect} (when the JMX exporter agent
     * was built), {@code jobmanager}, {@code taskmanager}.
     */
    public Map<String, String> metricsEndpoints() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("api", apiUrl() + "metrics");
        if (ConnectNode.metricsAvailable(s.jmxExporterJar())) {
            m.put("connect", "http://127.0.0.1:" + s.connectMetricsPort() + "/metrics");
        }
        if (FlinkSessionCluster.hasPrometheusReporter(s.flinkLibDir())) {
            m.put("jobmanager", "http://127.0.0.1:" + s.jobManagerMetricsPort() + "/metrics");
            m.put("taskmanager", "http://127.0.0.1:" + s.taskManagerMetricsPort() + "/metrics");
        }
        return m;
    }

    /** The process ids of a component (empty when the cluster reuses the machine's service). */
    public List<Long> pids(Component c) {
        return state.pids(c);
    }

    /** Whether the cluster started this component itself (false for the machine's Mosquitto or PostgreSQL). */
    public boolean managed(Component c) {
        return state.managed(c);
    }

    /** Every component's health, probed now. */
    public ClusterStatus status() {
        List<ComponentStatus> out = new ArrayList<>();
        for (Component c : Component.values()) {
            out.add(status(c));
        }
        return new ClusterStatus(out);
    }

    private ComponentStatus status(Component c) {
        List<Long> pids = state.pids(c);
        boolean managed = state.managed(c);
        List<Long> dead = pids.stream().filter(p -> !Processes.alive(p)).toList();
        String endpoint = endpoint(c);
        if (managed && (pids.isEmpty() || !dead.isEmpty())) {
            return new ComponentStatus(c, true, pids, endpoint, false, pids.isEmpty() ? "not started"
                    : "process " + dead + " is not running; log: " + logOf(c));
        }
        String problem = probe(c);
        return new ComponentStatus(c, managed, pids, endpoint, problem.isEmpty(),
                problem.isEmpty() ? healthyDetail(c) : problem);
    }

    private String endpoint(Component c) {
        switch (c) {
            case KAFKA:
                return kafkaBootstrapServers();
            case CONNECT:
                return connect.restUrl();
            case JOB_MANAGER:
                return flinkRestUrl();
            case TASK_MANAGER:
                return "127.0.0.1 (registered with " + flinkRestUrl() + ")";
            case MQTT_BROKER:
                return mqttUri;
            case POSTGRES:
                return jdbcUrl();
            default:
                return apiUrl();
        }
    }

    private String logOf(Component c) {
        switch (c) {
            case JOB_MANAGER:
            case TASK_MANAGER:
                return s.workDir().resolve("flink/log").toString();
            default:
                return log(c.key()).toString();
        }
    }

    /** An empty string when the component answers as it should, else what is wrong. */
    private String probe(Component c) {
        switch (c) {
            case KAFKA:
                return kafka.probe();
            case CONNECT: {
                String source = connect.connectorState(ConnectNode.SOURCE);
                String sink = connect.connectorState(ConnectNode.SINK);
                boolean ok = allRunning(source) && allRunning(sink);
                return ok ? "" : ConnectNode.SOURCE + " " + source + ", " + ConnectNode.SINK + " " + sink;
            }
            case JOB_MANAGER: {
                if (flink == null) {
                    return "no Flink session cluster state in " + s.workDir().resolve("flink");
                }
                try {
                    String st = jobId == null ? "no job submitted" : flink.jobState(jobId);
                    return "RUNNING".equals(st) ? "" : "billing job " + jobId + " is " + st;
                } catch (FlinkClusterException e) {
                    return e.getMessage();
                }
            }
            case TASK_MANAGER: {
                if (flink == null) {
                    return "no Flink session cluster";
                }
                try {
                    Matcher m = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)").matcher(flink.overview());
                    return m.find() && Integer.parseInt(m.group(1)) >= 1 ? "" : "no TaskManager registered";
                } catch (FlinkClusterException e) {
                    return e.getMessage();
                }
            }
            case MQTT_BROKER:
                return MosquittoProbe.isReachable("127.0.0.1", s.mqttPort()) ? ""
                        : "no MQTT CONNACK from 127.0.0.1:" + s.mqttPort();
            case POSTGRES: {
                String why = canConnect(s, s.database());
                return why == null ? "" : why;
            }
            default:
                try {
                    Http.Response r = Http.get(apiUrl() + "api/v1/health");
                    return r.ok() ? "" : "health answered " + r.status();
                } catch (IOException e) {
                    return "no answer: " + e.getMessage();
                }
        }
    }

    private String healthyDetail(Component c) {
        switch (c) {
            case KAFKA:
                return "broker and controller answer";
            case CONNECT:
                return ConnectNode.SOURCE + " " + connect.connectorState(ConnectNode.SOURCE) + ", " + ConnectNode.SINK
                        + " " + connect.connectorState(ConnectNode.SINK);
            case JOB_MANAGER:
                return "billing job " + jobId + " RUNNING";
            case TASK_MANAGER:
                return "registered";
            case MQTT_BROKER:
                return state.managed(c) ? "HiveMQ CE started by the cluster" : "the machine's broker (Mosquitto)";
            case POSTGRES:
                return state.managed(c) ? "PostgreSQL started by the cluster" : "the machine's server";
            default:
                return "healthy";
        }
    }

    private static boolean allRunning(String state) {
        return state.startsWith("RUNNING [") && !state.equals("RUNNING []")
                && state.substring(8).replaceAll("[\\[\\], ]|RUNNING", "").isEmpty();
    }

    /**
     * Kills the component's process(es) with SIGKILL, as a crash would (for PostgreSQL started by the cluster: the
     * supervising JVM and the server), and waits until they are gone.
     *
     * @throws ClusterException for the machine's MQTT broker or PostgreSQL, which the cluster does not own
     */
    public void kill(Component c) {
        requireManaged(c, "kill");
        switch (c) {
            case JOB_MANAGER:
                requireFlink().kill(FlinkSessionCluster.Role.JOB_MANAGER);
                break;
            case TASK_MANAGER:
                requireFlink().kill(FlinkSessionCluster.Role.TASK_MANAGER);
                break;
            case POSTGRES:
                List<Long> pids = state.pids(c);
                // The server first: with its supervisor gone first, it would still run.
                for (int i = pids.size() - 1; i >= 0; i--) {
                    long pid = pids.get(i);
                    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
                    Processes.kill(pid, "PostgreSQL");
                }
                break;
            default:
                for (long pid : state.pids(c)) {
                    Processes.kill(pid, c.key());
                }
        }
        LOG.info("killed {} ({})", c, state.pids(c));
    }

    /**
     * Starts the component again with the same ports and data (stopping it first if it still runs) and waits until
     * it is healthy. A restarted JobManager (no high availability in a standalone session cluster) gets the billing
     * job resubmitted from its latest retained checkpoint.
     *
     * @throws ClusterException for the machine's MQTT broker or PostgreSQL, or if it does not come back
     */
    public void restart(Component c) {
        requireManaged(c, "restart");
        switch (c) {
            case KAFKA:
                stopPids(c);
                state.pids(c, List.of(kafka.start(s.classpath(), log("kafka")).pid()));
                state.save();
                break;
            case CONNECT:
                stopPids(c);
                startConnectProcess();
                break;
            case JOB_MANAGER:
                requireFlink().restart(FlinkSessionCluster.Role.JOB_MANAGER, s.startTimeout());
                recordFlinkPids();
                Path checkpoint = flink.latestCheckpoint().orElse(null);
                LOG.info("resubmitting the billing job from {}", checkpoint == null ? "scratch" : checkpoint);
                jobId = flink.submit(s.jobJar(), JOB_MAIN, jobArgs(), checkpoint, Duration.ofMinutes(3));
                state.set("job.id", jobId);
                state.save();
                break;
            case TASK_MANAGER:
                requireFlink().restart(FlinkSessionCluster.Role.TASK_MANAGER, s.startTimeout());
                recordFlinkPids();
                break;
            case MQTT_BROKER:
                stopPids(c);
                startMqtt();
                break;
            case POSTGRES:
                stopPostgres();
                startPostgres();
                break;
            default:
                stopPids(c);
                startApi();
        }
        awaitHealthy(c, s.startTimeout());
        if (c == Component.POSTGRES) {
            recordPostmaster();
        }
        if (c == Component.TASK_MANAGER || c == Component.KAFKA) {
            awaitHealthy(Component.JOB_MANAGER, s.startTimeout()); // the job is RUNNING again
        }
    }

    /**
     * Stops everything, last started first: the API, the billing job (with a savepoint, which the next {@code up} on
     * this work directory restores), Connect, Flink, Kafka, and the MQTT broker and PostgreSQL if the cluster started
     * them. Then checks that none of its processes is left and removes the state file. Data stays in the work
     * directory.
     *
     * @throws ClusterException naming the processes that would not exit
     */
    public void down() {
        down(true);
    }

    private synchronized void down(boolean savepoint) {
        if (isDown) {
            return;
        }
        List<String> problems = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        for (Component c : Component.values()) {
            all.addAll(state.pids(c));
        }
        run(problems, "API", () -> stopPids(Component.API));
        if (flink != null && savepoint) {
            run(problems, "billing job savepoint", this::stopJobWithSavepoint);
        }
        run(problems, "Connect", () -> stopPids(Component.CONNECT));
        if (flink != null) {
            run(problems, "Flink", flink::stop);
        } else {
            FlinkSessionCluster.attach(s.flinkLibDir(), s.workDir().resolve("flink")).ifPresent(f ->
                    run(problems, "Flink", f::stop));
        }
        run(problems, "Kafka", () -> stopPids(Component.KAFKA));
        if (state.managed(Component.MQTT_BROKER)) {
            run(problems, "MQTT broker", () -> stopPids(Component.MQTT_BROKER));
        }
        if (state.managed(Component.POSTGRES)) {
            run(problems, "PostgreSQL", this::stopPostgres);
        }
        List<Long> left = all.stream().filter(Processes::alive).toList();
        if (!left.isEmpty()) {
            problems.add("processes " + left + " are still running");
        }
        if (!problems.isEmpty()) {
            throw new ClusterException("dabba cluster down: " + String.join("; ", problems));
        }
        state.delete();
        isDown = true;
    }

    /** Same as {@link #down()}. */
    @Override
    public void close() {
        down();
    }

    private static void run(List<String> problems, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("stopping {} failed: {}", what, e.toString());
            problems.add(what + ": " + e.getMessage());
        }
    }

    private void stopJobWithSavepoint() {
        if (jobId == null || !flink.isAlive()) {
            return;
        }
        List<String> active;
        try {
            active = flink.activeJobs();
        } catch (FlinkClusterException e) {
            return;
        }
        for (String id : active) {
            try {
                String location = flink.stopWithSavepoint(id, Duration.ofSeconds(90));
                Files.writeString(s.workDir().resolve("flink").resolve("last-savepoint"), location + "\n",
                        StandardCharsets.UTF_8);
                LOG.info("billing job {} stopped with savepoint {}", id, location);
            } catch (RuntimeException | IOException e) {
                LOG.warn("stop-with-savepoint of {} failed ({}); cancelling it", id, e.toString());
                flink.cancel(id);
            }
        }
    }

    private Optional<Path> lastSavepoint() {
        Path f = s.workDir().resolve("flink").resolve("last-savepoint");
        try {
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            String location = Files.readString(f, StandardCharsets.UTF_8).trim();
            Path p = Path.of(location.startsWith("file:") ? java.net.URI.create(location).getPath() : location);
            return Files.exists(p.resolve("_metadata")) ? Optional.of(p) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void stopPids(Component c) {
        for (long pid : state.pids(c)) {
            Processes.stop(pid, STOP_GRACE, c.key());
        }
    }

    private void stopPostgres() {
        List<Long> pids = state.pids(Component.POSTGRES);
        if (!pids.isEmpty()) {
            Processes.stop(pids.get(0), Duration.ofSeconds(60), "PostgreSQL supervisor");
        }
        for (long pid : pids.subList(Math.min(1, pids.size()), pids.size())) {
            Processes.stop(pid, Duration.ofSeconds(30), "PostgreSQL server");
        }
    }

    private void requireManaged(Component c, String what) {
        if (!state.managed(c)) {
            throw new ClusterException("cannot " + what + " " + c + ": the cluster uses the machine's " + c
                    + " at " + endpoint(c) + ", which it did not start (ClusterSettings.reuseMachine*(false) makes "
                    + "the cluster start its own)");
        }
    }

    private FlinkSessionCluster requireFlink() {
        if (flink == null) {
            throw new ClusterException("no Flink session cluster runs from " + s.workDir().resolve("flink"));
        }
        return flink;
    }

    private void awaitHealthy(Component c, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            ComponentStatus st = status(c);
            if (st.healthy()) {
                return;
            }
            last = st.detail();
            if (state.managed(c) && !st.pids().isEmpty() && st.pids().stream().noneMatch(Processes::alive)) {
                throw new ClusterException(c + " exited while starting: " + last + "; log: " + logOf(c));
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterException(c + " is not healthy after " + timeout + ": " + last + "; log: "
                        + logOf(c));
            }
            pause(250);
        }
    }

    private void awaitConnectorsCreated() {
        awaitTrue("the Connect REST API", connect::restUp, Component.CONNECT);
        connect.createConnectors(mqttUri, s.topicRoot(), s.sourceTasks(), clusterSuffix);
        awaitHealthy(Component.CONNECT, s.startTimeout());
    }

    private void awaitTrue(String what, Supplier<Boolean> check, Component c) {
        long deadline = System.nanoTime() + s.startTimeout().toNanos();
        while (!check.get()) {
            if (state.managed(c) && state.pids(c).stream().noneMatch(Processes::alive)) {
                throw new ClusterException(c + " exited while starting; log: " + logOf(c));
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterException(what + " did not answer within " + s.startTimeout() + "; log: " + logOf(c));
            }
            pause(250);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted", e);
        }
    }

    private void startMqtt() {
        Process p = Processes.startJava(s.classpath(), List.of("-Xmx256m", "-Ddabba.log.level=INFO"),
                MqttBrokerMain.class.getName(), List.of(String.valueOf(s.mqttPort()),
                        s.workDir().resolve("mqtt").toString()), log("mqtt"), Map.of());
        state.pids(Component.MQTT_BROKER, List.of(p.pid()));
        state.save();
    }

    private void startPostgres() {
        Path dir = s.workDir().resolve("postgres");
        Process p = Processes.startJava(s.classpath(), List.of("-Xmx128m", "-Ddabba.log.level=INFO"),
                PostgresMain.class.getName(), List.of(String.valueOf(s.postgresPort()), dir.resolve("data").toString(),
                        log("postgres-server").toString()), log("postgres"), Map.of());
        state.pids(Component.POSTGRES, List.of(p.pid()));
        state.save();
    }

    /** Adds the server's own process id (from {@code postmaster.pid}) to the supervisor's. */
    private void recordPostmaster() {
        Path pidFile = s.workDir().resolve("postgres/data/postmaster.pid");
        try {
            long server = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
            List<Long> pids = new ArrayList<>(state.pids(Component.POSTGRES).subList(0, 1));
            pids.add(server);
            state.pids(Component.POSTGRES, pids);
            state.save();
        } catch (IOException | RuntimeException e) {
            throw new ClusterException("PostgreSQL runs but " + pidFile + " cannot be read: " + e.getMessage(), e);
        }
    }

    private void startConnect() {
        connect.prepare(s.pluginJar(), kafkaBootstrapServers());
        startConnectProcess();
    }

    private void startConnectProcess() {
        Process p = connect.start(s.classpath(), s.jmxExporterJar(), log("connect"));
        state.pids(Component.CONNECT, List.of(p.pid()));
        state.save();
    }

    private void startApi() {
        Process p = Processes.startJava(s.classpath(), List.of("-Xmx256m", "-Ddabba.log.level=INFO"),
                "dev.dabba.deploy.DabbaCli", List.of("serve", "--port", String.valueOf(s.apiPort()), "--bind",
                        "127.0.0.1", "--token-file", s.workDir().resolve("api-token").toString(), "--jdbc-url",
                        jdbcUrl(), "--db-user", s.dbUser()), log("api"), Map.of());
        state.pids(Component.API, List.of(p.pid()));
        state.save();
    }

    private void recordFlinkPids() {
        state.pids(Component.JOB_MANAGER, List.of(flink.pid(FlinkSessionCluster.Role.JOB_MANAGER)));
        state.pids(Component.TASK_MANAGER, List.of(flink.pid(FlinkSessionCluster.Role.TASK_MANAGER)));
        state.save();
    }

    private FlinkSessionCluster.Settings flinkSettings() {
        return new FlinkSessionCluster.Settings(s.flinkLibDir(), s.workDir().resolve("flink"), s.flinkRestPort(),
                s.flinkRpcPort(), s.flinkSlots(), s.startTimeout(), s.jobManagerMetricsPort(),
                s.taskManagerMetricsPort());
    }

    private List<String> jobArgs() {
        List<String> a = new ArrayList<>(List.of("--bootstrap-servers", kafkaBootstrapServers(),
                "--jdbc-url", jdbcUrl(), "--db-user", s.dbUser(),
                "--checkpoint-interval", s.checkpointInterval().toString(),
                "--epoch-interval", s.epochInterval().toString()));
        a.addAll(s.extraJobArgs());
        return a;
    }

    private Path log(String name) {
        return s.workDir().resolve("logs").resolve(name + ".log");
    }

    private javax.sql.DataSource dataSource() {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        ds.setUser(s.dbUser());
        return ds;
    }

    /** Null if {@code user} can run a query in {@code database} on the configured port, else why not. */
    private static String canConnect(ClusterSettings s, String database) {
        Properties p = new Properties();
        p.setProperty("user", s.dbUser());
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "3");
        p.setProperty("socketTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.postgresPort() + "/"
                + database, p); Statement st = c.createStatement()) {
            st.execute("select 1");
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private void createDatabase() {
        Properties p = new Properties();
        p.setProperty("user", s.dbUser());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.postgresPort()
                + "/postgres", p);
             PreparedStatement q = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            q.setString(1, s.database());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement()) {
                        // sql-allowlist: the name is ClusterSettings.database(), checked against [a-z_][a-z0-9_]{0,62}
                        st.execute("create database \"" + s.database() + "\"");
                    }
                }
            }
        } catch (SQLException e) {
            throw new ClusterException("PostgreSQL: cannot create database " + s.database() + " as " + s.dbUser()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Removes the retained epoch announcement under the topic root (an empty retained message deletes it). */
    private void clearRetainedEpoch() {
        try {
            MqttClient client = new MqttClient(mqttUri, "dabba-cluster-" + clusterSuffix, new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setConnectionTimeout(10);
            client.connect(o);
            client.publish(new MqttTopics(s.topicRoot()).epochs(), new byte[0], 1, true);
            client.disconnect();
            client.close();
        } catch (MqttException e) {
            throw new ClusterException("MQTT: cannot clear the retained epoch under " + s.topicRoot() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void requireFree(ClusterSettings s) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Kafka (--kafka-port)", s.kafkaPort());
        ports.put("Kafka controller (--kafka-controller-port)", s.kafkaControllerPort());
        ports.put("Connect REST (--connect-port)", s.connectPort());
        ports.put("Connect metrics (--connect-metrics-port)", s.connectMetricsPort());
        ports.put("Flink REST (--flink-rest-port)", s.flinkRestPort());
        ports.put("Flink RPC (--flink-rpc-port)", s.flinkRpcPort());
        ports.put("JobManager metrics (--jobmanager-metrics-port)", s.jobManagerMetricsPort());
        ports.put("TaskManager metrics (--taskmanager-metrics-port)", s.taskManagerMetricsPort());
        ports.put("API (--api-port)", s.apiPort());
        List<String> taken = new ArrayList<>();
        ports.forEach((what, port) -> {
            if (!FreePorts.isFree(port)) {
                taken.add(what + " " + port);
            }
        });
        if (!taken.isEmpty()) {
            throw new ClusterException("ports in use: " + String.join(", ", taken)
                    + "; stop what uses them or choose other ports");
        }
    }

    private static String tokenFile(Path work) {
        Path f = work.resolve("api-token");
        try {
            if (Files.exists(f)) {
                return Files.readString(f, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            }
        } catch (IOException e) {
            throw new ClusterException("cannot read " + f + ": " + e.getMessage(), e);
        }
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void writeToken(Path work, String token) {
        Path f = work.resolve("api-token");
        try {
            Files.writeString(f, token + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ClusterException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static void saveSettings(StateFile st, ClusterSettings s) {
        st.set("kafka.port", s.kafkaPort());
        st.set("kafka.controller.port", s.kafkaControllerPort());
        st.set("connect.port", s.connectPort());
        st.set("connect.metrics.port", s.connectMetricsPort());
        st.set("flink.rest.port", s.flinkRestPort());
        st.set("flink.rpc.port", s.flinkRpcPort());
        st.set("jobmanager.metrics.port", s.jobManagerMetricsPort());
        st.set("taskmanager.metrics.port", s.taskManagerMetricsPort());
        st.set("mqtt.port", s.mqttPort());
        st.set("postgres.port", s.postgresPort());
        st.set("api.port", s.apiPort());
        st.set("topic.root", s.topicRoot());
        st.set("database", s.database());
        st.set("db.user", s.dbUser());
        st.set("flink.slots", s.flinkSlots());
        st.set("source.tasks", s.sourceTasks());
        st.set("checkpoint.interval", s.checkpointInterval());
        st.set("epoch.interval", s.epochInterval());
        st.set("job.extra.args", String.join("\u001f", s.extraJobArgs()));
    }

    private static ClusterSettings restoreSettings(StateFile st, ClusterSettings d) {
        ClusterSettings.Builder b = ClusterSettings.builder().home(d.home()).workDir(d.workDir())
                .flinkLibDir(d.flinkLibDir()).jobJar(d.jobJar()).pluginJar(d.pluginJar()).classpath(d.classpath())
                .startTimeout(d.startTimeout())
                .kafkaPort(Integer.parseInt(st.get("kafka.port")))
                .kafkaControllerPort(Integer.parseInt(st.get("kafka.controller.port")))
                .connectPort(Integer.parseInt(st.get("connect.port")))
                .connectMetricsPort(Integer.parseInt(st.get("connect.metrics.port")))
                .flinkRestPort(Integer.parseInt(st.get("flink.rest.port")))
                .flinkRpcPort(Integer.parseInt(st.get("flink.rpc.port")))
                .jobManagerMetricsPort(Integer.parseInt(st.get("jobmanager.metrics.port")))
                .taskManagerMetricsPort(Integer.parseInt(st.get("taskmanager.metrics.port")))
                .mqttPort(Integer.parseInt(st.get("mqtt.port")))
                .postgresPort(Integer.parseInt(st.get("postgres.port")))
                .apiPort(Integer.parseInt(st.get("api.port")))
                .topicRoot(st.get("topic.root"))
                .database(st.get("database"))
                .dbUser(st.get("db.user"))
                .flinkSlots(Integer.parseInt(st.get("flink.slots")))
                .sourceTasks(Integer.parseInt(st.get("source.tasks")))
                .checkpointInterval(Duration.parse(st.get("checkpoint.interval")))
                .epochInterval(Duration.parse(st.get("epoch.interval")));
        d.jmxExporterJar().ifPresent(b::jmxExporterJar);
        d.apiToken().ifPresent(b::apiToken);
        String extra = st.find("job.extra.args").orElse("");
        if (!extra.isEmpty()) {
            b.jobArgs(extra.split("\u001f"));
        }
        return b.build();
    }
}
