package dev.dabba.deploy.cluster;

import dev.dabba.embedded.FreePorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How to run a {@link LocalCluster}: one work directory for every component's data, logs and the state file; the
 * ports; whether to reuse the machine's Mosquitto and PostgreSQL; and where the Dabba build put the jars the processes
 * run. Built with {@link #builder()}; every value has a default, and {@link Builder#build()} checks them all.
 */
public final class ClusterSettings {

    private static final Pattern DATABASE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Path workDir;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int connectPort;
    private final int connectMetricsPort;
    private final int flinkRestPort;
    private final int flinkRpcPort;
    private final int jobManagerMetricsPort;
    private final int taskManagerMetricsPort;
    private final int mqttPort;
    private final int postgresPort;
    private final int apiPort;
    private final boolean reuseMachineMqtt;
    private final boolean reuseMachinePostgres;
    private final String topicRoot;
    private final String database;
    private final String dbUser;
    private final Optional<String> apiToken;
    private final int flinkSlots;
    private final int sourceTasks;
    private final Duration checkpointInterval;
    private final Duration epochInterval;
    private final List<String> extraJobArgs;
    private final Duration startTimeout;
    private final Path home;
    private final Path flinkLibDir;
    private final Path jobJar;
    private final Path pluginJar;
    private final Optional<Path> jmxExporterJar;
    private final String classpath;

    private ClusterSettings(Builder b) {
        this.workDir = b.workDir.toAbsolutePath().normalize();
        this.kafkaPort = b.kafkaPort;
        this.kafkaControllerPort = b.kafkaControllerPort;
        this.connectPort = b.connectPort;
        this.connectMetricsPort = b.connectMetricsPort;
        this.flinkRestPort = b.flinkRestPort;
        this.flinkRpcPort = b.flinkRpcPort;
        this.jobManagerMetricsPort = b.jobManagerMetricsPort;
        this.taskManagerMetricsPort = b.taskManagerMetricsPort;
        this.mqttPort = b.mqttPort;
        this.postgresPort = b.postgresPort;
        this.apiPort = b.apiPort;
        this.reuseMachineMqtt = b.reuseMachineMqtt;
        this.reuseMachinePostgres = b.reuseMachinePostgres;
        this.topicRoot = b.topicRoot;
        this.database = b.database;
        this.dbUser = b.dbUser;
        this.apiToken = Optional.ofNullable(b.apiToken);
        this.flinkSlots = b.flinkSlots;
        this.sourceTasks = b.sourceTasks;
        this.checkpointInterval = b.checkpointInterval;
        this.epochInterval = b.epochInterval;
        this.extraJobArgs = List.copyOf(b.extraJobArgs);
        this.startTimeout = b.startTimeout;
        this.home = b.home.toAbsolutePath().normalize();
        this.flinkLibDir = b.flinkLibDir != null ? b.flinkLibDir
                : property("dabba.flink.lib").orElse(home.resolve("flink-session/target/lib"));
        this.jobJar = b.jobJar != null ? b.jobJar
                : property("dabba.job.jar").orElseGet(() -> find(home.resolve("stream-jobs/target"), "-job.jar"));
        this.pluginJar = b.pluginJar != null ? b.pluginJar : property("dabba.gateway.pluginJar")
                .orElseGet(() -> find(home.resolve("gateway/target"), "-connect-plugin.jar"));
        this.jmxExporterJar = b.jmxExporterJar != null ? Optional.of(b.jmxExporterJar)
                : property("dabba.jmx.exporter").or(() -> findOptional(home.resolve("deploy/target/agents"),
                        "jmx_prometheus_javaagent", ".jar"));
        this.classpath = b.classpath != null ? b.classpath : defaultClasspath();
    }

    /** A builder with the defaults: work dir {@code .dabba/cluster}, the standard ports, machine services reused. */
    public static Builder builder() {
        return new Builder();
    }

    /** Defaults everywhere. */
    public static ClusterSettings defaults() {
        return builder().build();
    }

    /** Everything: data, logs, the state file. */
    public Path workDir() {
        return workDir;
    }

    /** Kafka's client listener, {@code 127.0.0.1:PORT}. Default 9092. */
    public int kafkaPort() {
        return kafkaPort;
    }

    /** Kafka's KRaft controller listener. Default 9093. */
    public int kafkaControllerPort() {
        return kafkaControllerPort;
    }

    /** The Connect worker's REST API. Default 8083. */
    public int connectPort() {
        return connectPort;
    }

    /** The Connect worker's Prometheus endpoint (JMX exporter agent). Default 9404. */
    public int connectMetricsPort() {
        return connectMetricsPort;
    }

    /** Flink's REST API and dashboard. Default 8081. */
    public int flinkRestPort() {
        return flinkRestPort;
    }

    /** Flink's JobManager RPC port. Default 6123. */
    public int flinkRpcPort() {
        return flinkRpcPort;
    }

    /** The JobManager's Prometheus reporter. Default 9249. */
    public int jobManagerMetricsPort() {
        return jobManagerMetricsPort;
    }

    /** The TaskManager's Prometheus reporter (the job's metrics). Default 9250. */
    public int taskManagerMetricsPort() {
        return taskManagerMetricsPort;
    }

    /** The MQTT broker: the machine's if it answers here and {@link #reuseMachineMqtt()}, else ours. Default 1883. */
    public int mqttPort() {
        return mqttPort;
    }

    /** PostgreSQL: the machine's if it answers here and {@link #reuseMachinePostgres()}, else ours. Default 5432. */
    public int postgresPort() {
        return postgresPort;
    }

    /** The billing HTTP API and its {@code /metrics}. Default 8080. */
    public int apiPort() {
        return apiPort;
    }

    /** Use an MQTT broker already answering on {@link #mqttPort()} (Mosquitto) instead of starting one. */
    public boolean reuseMachineMqtt() {
        return reuseMachineMqtt;
    }

    /** Use a PostgreSQL server already answering on {@link #postgresPort()} instead of starting one. */
    public boolean reuseMachinePostgres() {
        return reuseMachinePostgres;
    }

    /** The MQTT topic root of agents and gateway. Default {@code dabba/v1}. */
    public String topicRoot() {
        return topicRoot;
    }

    /** The report store's database, created if missing. Default {@code dabba}. */
    public String database() {
        return database;
    }

    /** The database user (trust authentication on the machine's server). Default {@code postgres}. */
    public String dbUser() {
        return dbUser;
    }

    /** The API token; when empty one is generated and kept in {@code WORK/api-token}. */
    public Optional<String> apiToken() {
        return apiToken;
    }

    /** Flink task slots, also the job's parallelism. Default 2. */
    public int flinkSlots() {
        return flinkSlots;
    }

    /** The MQTT source connector's {@code tasks.max}. Default 2. */
    public int sourceTasks() {
        return sourceTasks;
    }

    /** The billing job's checkpoint interval. Default 10 s. */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** The billing job's epoch interval. Default 30 s. */
    public Duration epochInterval() {
        return epochInterval;
    }

    /** More arguments for the billing job ({@code BillingJobMain --help}). */
    public List<String> extraJobArgs() {
        return extraJobArgs;
    }

    /** How long {@link LocalCluster#up} waits for each component. Default 3 minutes. */
    public Duration startTimeout() {
        return startTimeout;
    }

    /** The Dabba checkout the jars come from. */
    public Path home() {
        return home;
    }

    /** The Flink distribution's jars ({@code flink-session/target/lib}). */
    public Path flinkLibDir() {
        return flinkLibDir;
    }

    /** The billing job's shaded jar ({@code stream-jobs/target/*-job.jar}). */
    public Path jobJar() {
        return jobJar;
    }

    /** The gateway's Connect plugin jar ({@code gateway/target/*-connect-plugin.jar}). */
    public Path pluginJar() {
        return pluginJar;
    }

    /** The Prometheus JMX exporter agent for Connect ({@code deploy/target/agents}); Connect runs without it if absent. */
    public Optional<Path> jmxExporterJar() {
        return jmxExporterJar;
    }

    /** The class path of the JVMs the cluster starts (the launcher's: Kafka, Connect, HiveMQ, PostgreSQL, the API). */
    public String classpath() {
        return classpath;
    }

    private static Optional<Path> property(String name) {
        return Optional.ofNullable(System.getProperty(name)).filter(s -> !s.isBlank()).map(Path::of);
    }

    private static Path find(Path dir, String suffix) {
        return findOptional(dir, "", suffix).orElse(dir.resolve("*" + suffix));
    }

    private static Optional<Path> findOptional(Path dir, String prefix, String suffix) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(suffix)).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running JVM's class path: Failsafe's real one in tests, {@code classes:lib/*} from the launcher. */
    private static String defaultClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> entries = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Builds {@link ClusterSettings}. */
    public static final class Builder {
        private Path home = Path.of(System.getProperty("dabba.home", "."));
        private Path workDir;
        private int kafkaPort = 9092;
        private int kafkaControllerPort = 9093;
        private int connectPort = 8083;
        private int connectMetricsPort = 9404;
        private int flinkRestPort = 8081;
        private int flinkRpcPort = 6123;
        private int jobManagerMetricsPort = 9249;
        private int taskManagerMetricsPort = 9250;
        private int mqttPort = 1883;
        private int postgresPort = 5432;
        private int apiPort = 8080;
        private boolean reuseMachineMqtt = true;
        private boolean reuseMachinePostgres = true;
        private String topicRoot = "dabba/v1";
        private String database = "dabba";
        private String dbUser = "postgres";
        private String apiToken;
        private int flinkSlots = 2;
        private int sourceTasks = 2;
        private Duration checkpointInterval = Duration.ofSeconds(10);
        private Duration epochInterval = Duration.ofSeconds(30);
        private final List<String> extraJobArgs = new ArrayList<>();
        private Duration startTimeout = Duration.ofMinutes(3);
        private Path flinkLibDir;
        private Path jobJar;
        private Path pluginJar;
        private Path jmxExporterJar;
        private String classpath;

        private Builder() {
        }

        /** The Dabba checkout (default: system property {@code dabba.home}, else the current directory). */
        public Builder home(Path home) {
            this.home = Objects.requireNonNull(home, "home");
            return this;
        }

        /** The work directory (default {@code HOME/.dabba/cluster}). */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "workDir");
            return this;
        }

        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        public Builder kafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        public Builder connectPort(int port) {
            this.connectPort = port;
            return this;
        }

        public Builder connectMetricsPort(int port) {
            this.connectMetricsPort = port;
            return this;
        }

        public Builder flinkRestPort(int port) {
            this.flinkRestPort = port;
            return this;
        }

        public Builder flinkRpcPort(int port) {
            this.flinkRpcPort = port;
            return this;
        }

        public Builder jobManagerMetricsPort(int port) {
            this.jobManagerMetricsPort = port;
            return this;
        }

        public Builder taskManagerMetricsPort(int port) {
            this.taskManagerMetricsPort = port;
            return this;
        }

        public Builder mqttPort(int port) {
            this.mqttPort = port;
            return this;
        }

        public Builder postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        public Builder apiPort(int port) {
            this.apiPort = port;
            return this;
        }

        /**
         * Free ports for every component the cluster always starts itself (Kafka, Connect, Flink, the API and the
         * metrics endpoints), so that a test cluster never collides with one on the standard ports. The MQTT and
         * PostgreSQL ports stay where the machine's services are looked for.
         */
        public Builder freePorts() {
            int[] p = FreePorts.pickForServices(10);
            kafkaPort = p[0];
            kafkaControllerPort = p[1];
            connectPort = p[2];
            connectMetricsPort = p[3];
            flinkRestPort = p[4];
            flinkRpcPort = p[5];
            jobManagerMetricsPort = p[6];
            taskManagerMetricsPort = p[7];
            apiPort = p[8];
            return this;
        }

        public Builder reuseMachineMqtt(boolean reuse) {
            this.reuseMachineMqtt = reuse;
            return this;
        }

        public Builder reuseMachinePostgres(boolean reuse) {
            this.reuseMachinePostgres = reuse;
            return this;
        }

        public Builder topicRoot(String root) {
            this.topicRoot = Objects.requireNonNull(root, "topicRoot");
            return this;
        }

        public Builder database(String name) {
            this.database = Objects.requireNonNull(name, "database");
            return this;
        }

        public Builder dbUser(String user) {
            this.dbUser = Objects.requireNonNull(user, "dbUser");
            return this;
        }

        public Builder apiToken(String token) {
            this.apiToken = token;
            return this;
        }

        public Builder flinkSlots(int slots) {
            this.flinkSlots = slots;
            return this;
        }

        public Builder sourceTasks(int tasks) {
            this.sourceTasks = tasks;
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Objects.requireNonNull(interval, "checkpointInterval");
            return this;
        }

        public Builder epochInterval(Duration interval) {
            this.epochInterval = Objects.requireNonNull(interval, "epochInterval");
            return this;
        }

        /** Appends arguments for the billing job, e.g. {@code --max-causal-wait PT5S}. */
        public Builder jobArgs(String... args) {
            extraJobArgs.addAll(List.of(args));
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        public Builder flinkLibDir(Path dir) {
            this.flinkLibDir = dir;
            return this;
        }

        public Builder jobJar(Path jar) {
            this.jobJar = jar;
            return this;
        }

        public Builder pluginJar(Path jar) {
            this.pluginJar = jar;
            return this;
        }

        public Builder jmxExporterJar(Path jar) {
            this.jmxExporterJar = jar;
            return this;
        }

        /** The class path for the JVMs the cluster starts (default: this JVM's). */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        /** Checks every value, naming the one at fault. */
        public ClusterSettings build() {
            if (workDir == null) {
                workDir = home.resolve(".dabba").resolve("cluster");
            }
            port("kafkaPort", kafkaPort);
            port("kafkaControllerPort", kafkaControllerPort);
            port("connectPort", connectPort);
            port("connectMetricsPort", connectMetricsPort);
            port("flinkRestPort", flinkRestPort);
            port("flinkRpcPort", flinkRpcPort);
            port("jobManagerMetricsPort", jobManagerMetricsPort);
            port("taskManagerMetricsPort", taskManagerMetricsPort);
            port("mqttPort", mqttPort);
            port("postgresPort", postgresPort);
            port("apiPort", apiPort);
            List<Integer> all = List.of(kafkaPort, kafkaControllerPort, connectPort, connectMetricsPort, flinkRestPort,
                    flinkRpcPort, jobManagerMetricsPort, taskManagerMetricsPort, mqttPort, postgresPort, apiPort);
            if (all.stream().distinct().count() != all.size()) {
                throw new IllegalArgumentException("ports must all differ, were " + all);
            }
            if (topicRoot.isBlank() || topicRoot.contains("#") || topicRoot.contains("+") || topicRoot.endsWith("/")) {
                throw new IllegalArgumentException("topicRoot must be an MQTT topic without wildcards or a trailing "
                        + "slash, was '" + topicRoot + "'");
            }
            if (!DATABASE.matcher(database).matches()) {
                throw new IllegalArgumentException("database must be a lower-case SQL identifier, was '" + database
                        + "'");
            }
            if (dbUser.isBlank()) {
                throw new IllegalArgumentException("dbUser must not be blank");
            }
            if (apiToken != null && (apiToken.length() < 16 || !apiToken.chars().allMatch(c -> c > 32 && c < 127))) {
                throw new IllegalArgumentException("apiToken must be at least 16 printable ASCII characters without "
                        + "spaces, was " + apiToken.length() + " characters");
            }
            if (flinkSlots < 1 || flinkSlots > 64) {
                throw new IllegalArgumentException("flinkSlots must be within 1..64, was " + flinkSlots);
            }
            if (sourceTasks < 1 || sourceTasks > 64) {
                throw new IllegalArgumentException("sourceTasks must be within 1..64, was " + sourceTasks);
            }
            positive("checkpointInterval", checkpointInterval);
            positive("epochInterval", epochInterval);
            positive("startTimeout", startTimeout);
            return new ClusterSettings(this);
        }

        private static void port(String name, int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be within 1..65535, was " + port);
            }
        }

        private static void positive(String name, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
        }
    }
}
