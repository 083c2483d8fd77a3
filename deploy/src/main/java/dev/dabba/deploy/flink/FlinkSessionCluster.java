package dev.dabba.deploy.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real standalone Flink session cluster on this machine: a JobManager and a TaskManager, each its own JVM, started
 * from the Flink jars Maven resolved into {@code flink-session/target/lib} (Apache publishes no flink-dist to Maven
 * Central, so this is the distribution). Jobs are submitted with Flink's own CLI ({@code CliFrontend}) and watched
 * and cancelled through the REST API.
 *
 * <p>Everything lives in one work directory: {@code conf/} (generated {@code config.yaml} and log configuration),
 * {@code log/}, {@code checkpoints/}, {@code savepoints/}, and {@code cluster.properties} with the process ids and
 * ports, so a later {@code dabba flink status|submit|down} finds a cluster another command started.
 */
public final class FlinkSessionCluster {

    /** Flink's launch scripts pass these on Java 17+; so do we. */
    public static final List<String> JDK_OPENS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String STATE_FILE = "cluster.properties";
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"");
    private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");

    private final Path libDir;
    private final Path workDir;
    private final int restPort;
    private final int[] metricsPorts;
    private volatile long jobManagerPid;
    private volatile long taskManagerPid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private FlinkSessionCluster(Path libDir, Path workDir, int restPort, int[] metricsPorts, long jobManagerPid,
            long taskManagerPid) {
        this.libDir = libDir;
        this.workDir = workDir;
        this.restPort = restPort;
        this.metricsPorts = metricsPorts.clone();
        this.jobManagerPid = jobManagerPid;
        this.taskManagerPid = taskManagerPid;
    }

    /** The two kinds of process of a session cluster. */
    public enum Role {
        JOB_MANAGER("jobmanager", "GET_JM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"),
        TASK_MANAGER("taskmanager", "GET_TM_RESOURCE_PARAMS", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");

        private final String name;
        private final String resourceQuery;
        private final String mainClass;

        Role(String name, String resourceQuery, String mainClass) {
            this.name = name;
            this.resourceQuery = resourceQuery;
            this.mainClass = mainClass;
        }
    }

    /**
     * Where the job's working state lives between checkpoints (Flink's {@code state.backend.type}).
     *
     * <p>{@link #ROCKSDB}, the default, keeps it in RocksDB on the TaskManager's local disk (its caches in Flink's
     * managed memory) and checkpoints incrementally: only the files written since the last checkpoint are copied.
     * The billing job holds every subscriber's records for the open cycles and its revision window, which in
     * production outgrows a TaskManager's heap, and a full copy of it every 10 s would be most of the I/O.
     * {@link #HASHMAP} keeps state as objects on the heap and copies all of it at every checkpoint: faster per record
     * (nothing is serialized on access; docs/benchmarks.md, "Stream job") while the state is small.
     */
    public enum StateBackend {
        ROCKSDB, HASHMAP
    }

    /**
     * Where and how to run the cluster.
     *
     * @param jobManagerMetricsPort  the JobManager's Prometheus reporter port, 0 for none
     * @param taskManagerMetricsPort the TaskManager's Prometheus reporter port (the job's metrics), 0 for none
     * @param stateBackend           the jobs' state backend
     */
    public record Settings(Path libDir, Path workDir, int restPort, int rpcPort, int taskSlots, Duration startTimeout,
            int jobManagerMetricsPort, int taskManagerMetricsPort, StateBackend stateBackend) {
        public Settings {
            Objects.requireNonNull(libDir, "libDir");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(stateBackend, "stateBackend");
            if (restPort <= 0 || rpcPort <= 0 || restPort > 65535 || rpcPort > 65535) {
                throw new IllegalArgumentException("restPort and rpcPort must be 1-65535, were " + restPort + " and "
                        + rpcPort);
            }
            if (taskSlots <= 0) {
                throw new IllegalArgumentException("taskSlots must be positive, was " + taskSlots);
            }
            if (jobManagerMetricsPort < 0 || taskManagerMetricsPort < 0 || jobManagerMetricsPort > 65535
                    || taskManagerMetricsPort > 65535) {
                throw new IllegalArgumentException("metrics ports must be 0 (none) or 1-65535, were "
                        + jobManagerMetricsPort + " and " + taskManagerMetricsPort);
            }
        }

        /** With the default state backend, {@link StateBackend#ROCKSDB}. */
        public Settings(Path libDir, Path workDir, int restPort, int rpcPort, int taskSlots, Duration startTimeout,
                int jobManagerMetricsPort, int taskManagerMetricsPort) {
            this(libDir, workDir, restPort, rpcPort, taskSlots, startTimeout, jobManagerMetricsPort,
                    taskManagerMetricsPort, StateBackend.ROCKSDB);
        }

        /** Without Prometheus reporters, with the default state backend. */
        public Settings(Path libDir, Path workDir, int restPort, int rpcPort, int taskSlots, Duration startTimeout) {
            this(libDir, workDir, restPort, rpcPort, taskSlots, startTimeout, 0, 0);
        }

        /** These settings with {@code backend}. */
        public Settings withStateBackend(StateBackend backend) {
            return new Settings(libDir, workDir, restPort, rpcPort, taskSlots, startTimeout, jobManagerMetricsPort,
                    taskManagerMetricsPort, backend);
        }

        int metricsPort(Role role) {
            return role == Role.JOB_MANAGER ? jobManagerMetricsPort : taskManagerMetricsPort;
        }
    }

    /**
     * Starts a JobManager and a TaskManager and waits until the TaskManager has registered.
     *
     * @throws FlinkClusterException if the lib directory is missing, a process dies, or registration times out
     */
    public static FlinkSessionCluster start(Settings s) {
        if (!Files.isDirectory(s.libDir()) || !Files.exists(s.libDir().resolve("flink-runtime-" + flinkVersion(s.libDir()) + ".jar"))) {
            throw new FlinkClusterException("no Flink jars in " + s.libDir() + "; build first: ./mvnw -pl flink-session package");
        }
        try {
            Files.createDirectories(s.workDir());
            if (Files.exists(s.workDir().resolve(STATE_FILE))) {
                Optional<FlinkSessionCluster> running = attach(s.libDir(), s.workDir());
                if (running.isPresent() && running.get().isAlive()) {
                    throw new FlinkClusterException("a Flink session cluster already runs from " + s.workDir()
                            + " (REST port " + running.get().restPort + "); stop it first");
                }
            }
            Path conf = writeConfig(s);
            int[] metrics = {s.jobManagerMetricsPort(), s.taskManagerMetricsPort()};
            Process jm = launch(s.libDir(), s.workDir(), conf, Role.JOB_MANAGER, metrics[0]);
            Process tm = launch(s.libDir(), s.workDir(), conf, Role.TASK_MANAGER, metrics[1]);
            FlinkSessionCluster cluster = new FlinkSessionCluster(s.libDir(), s.workDir(), s.restPort(), metrics,
                    jm.pid(), tm.pid());
            cluster.saveState();
            try {
                cluster.awaitTaskManager(s.startTimeout());
            } catch (RuntimeException e) {
                cluster.stop();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            throw new FlinkClusterException("cannot prepare " + s.workDir() + ": " + e.getMessage(), e);
        }
    }

    /** The cluster last started from {@code workDir}, if its state file exists. */
    public static Optional<FlinkSessionCluster> attach(Path libDir, Path workDir) {
        Path file = workDir.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new FlinkClusterException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int[] metrics = {Integer.parseInt(p.getProperty("jobmanager.metrics.port", "0")),
            Integer.parseInt(p.getProperty("taskmanager.metrics.port", "0"))};
        return Optional.of(new FlinkSessionCluster(libDir, workDir, Integer.parseInt(p.getProperty("rest.port")),
                metrics, Long.parseLong(p.getProperty("jobmanager.pid")),
                Long.parseLong(p.getProperty("taskmanager.pid"))));
    }

    /** The REST endpoint, {@code http://127.0.0.1:PORT}. */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /** Whether both processes are alive. */
    public boolean isAlive() {
        return alive(jobManagerPid) && alive(taskManagerPid);
    }

    /** The JobManager's and TaskManager's process ids. */
    public List<Long> pids() {
        return List.of(jobManagerPid, taskManagerPid);
    }

    /** The process id of one role. */
    public long pid(Role role) {
        return role == Role.JOB_MANAGER ? jobManagerPid : taskManagerPid;
    }

    /** Whether the process of one role is alive. */
    public boolean isAlive(Role role) {
        return alive(pid(role));
    }

    /** The work directory (configuration, logs, checkpoints, savepoints). */
    public Path workDir() {
        return workDir;
    }

    /** Kills one process with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill(Role role) {
        ProcessHandle.of(pid(role)).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new FlinkClusterException(role.name + " (process " + h.pid() + ") did not die", e);
            }
        });
    }

    /**
     * Starts the process of one role again with the same configuration and ports (stopping it first if it still
     * runs); for the TaskManager, waits until it registered. A JobManager without high availability forgets its jobs:
     * resubmit them (from their latest checkpoint, {@link #latestCheckpoint()}).
     */
    public void restart(Role role, Duration timeout) {
        stopProcess(pid(role));
        try {
            Process p = launch(libDir, workDir, workDir.resolve("conf"), role,
                    role == Role.JOB_MANAGER ? metricsPorts[0] : metricsPorts[1]);
            if (role == Role.JOB_MANAGER) {
                jobManagerPid = p.pid();
            } else {
                taskManagerPid = p.pid();
            }
            saveState();
        } catch (IOException e) {
            throw new FlinkClusterException("cannot restart the " + role.name + ": " + e.getMessage(), e);
        }
        awaitTaskManager(timeout);
    }

    /** The newest completed checkpoint of any job in {@code checkpoints/}, if any (retained after a crash). */
    public Optional<Path> latestCheckpoint() {
        Path dir = workDir.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var walk = Files.walk(dir, 3)) {
            return walk.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(java.util.Comparator.comparingLong(FlinkSessionCluster::modified));
        } catch (IOException e) {
            throw new FlinkClusterException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Submits a job jar with Flink's own CLI, detached, and returns the job id.
     *
     * @throws FlinkClusterException with the CLI's output if submission fails
     */
    public String submit(Path jobJar, String mainClass, List<String> args, Duration timeout) {
        return submit(jobJar, mainClass, args, null, timeout);
    }

    /**
     * Submits a job jar with Flink's own CLI, detached, restoring from a savepoint or retained checkpoint when
     * {@code savepoint} is not null, and returns the job id.
     *
     * @throws FlinkClusterException with the CLI's output if submission fails
     */
    public String submit(Path jobJar, String mainClass, List<String> args, Path savepoint, Duration timeout) {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(List.of("run", "--detached", "--jobmanager", "127.0.0.1:" + restPort, "--class", mainClass));
        if (savepoint != null) {
            cmd.addAll(List.of("--fromSavepoint", savepoint.toAbsolutePath().toString()));
        }
        cmd.add(jobJar.toAbsolutePath().toString());
        cmd.addAll(args);
        Path log = workDir.resolve("log").resolve("submit.out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("FLINK_CONF_DIR", workDir.resolve("conf").toString());
        try {
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new FlinkClusterException("job submission did not finish within " + timeout + "; see " + log);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = JOB_ID.matcher(out);
            if (p.exitValue() != 0 || !m.find()) {
                throw new FlinkClusterException("job submission failed (exit " + p.exitValue() + "):\n" + tail(out, 40));
            }
            return m.group(1);
        } catch (IOException e) {
            throw new FlinkClusterException("cannot run the Flink CLI: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("interrupted while submitting", e);
        }
    }

    /** The job's state (RUNNING, FINISHED, ...), from the REST API. */
    public String jobState(String jobId) {
        String body = get("/jobs/" + jobId);
        Matcher m = STATE.matcher(body);
        if (!m.find()) {
            throw new FlinkClusterException("no state in the REST answer for job " + jobId + ": " + tail(body, 5));
        }
        return m.group(1);
    }

    /** Cancels a job through the REST API. */
    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** The cluster overview JSON ({@code /overview}): task managers, slots, jobs. */
    public String overview() {
        return get("/overview");
    }

    /** The ids of the jobs in state RUNNING (or on their way to it: CREATED, INITIALIZING, RESTARTING). */
    public List<String> activeJobs() {
        String body = get("/jobs");
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"id\":\"([0-9a-f]{32})\",\"status\":\"([A-Z_]+)\"\\}").matcher(body);
        while (m.find()) {
            if (List.of("RUNNING", "CREATED", "INITIALIZING", "RESTARTING").contains(m.group(2))) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    /**
     * Stops a job with a savepoint in {@code savepoints/} through the REST API and returns the savepoint's location.
     *
     * @throws FlinkClusterException if the savepoint fails or does not complete within {@code timeout}
     */
    public String stopWithSavepoint(String jobId, Duration timeout) {
        String body = "{\"targetDirectory\":\"" + workDir.resolve("savepoints").toAbsolutePath().toUri()
                + "\",\"drain\":false}";
        String trigger = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        Matcher id = Pattern.compile("\"request-id\"\\s*:\\s*\"([^\"]+)\"").matcher(trigger);
        if (!id.find()) {
            throw new FlinkClusterException("no request id in the answer to stop-with-savepoint: " + tail(trigger, 5));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String status = get("/jobs/" + jobId + "/savepoints/" + id.group(1));
            if (status.contains("COMPLETED")) {
                Matcher location = Pattern.compile("\"location\"\\s*:\\s*\"([^\"]+)\"").matcher(status);
                if (!location.find()) {
                    throw new FlinkClusterException("stop-with-savepoint of job " + jobId + " failed: "
                            + tail(status, 5));
                }
                return location.group(1);
            }
            sleep(250);
        }
        throw new FlinkClusterException("stop-with-savepoint of job " + jobId + " did not complete within " + timeout);
    }

    /** Stops both processes (TaskManager first) and removes the state file; waits until they are gone. */
    public void stop() {
        stopProcess(taskManagerPid);
        stopProcess(jobManagerPid);
        try {
            Files.deleteIfExists(workDir.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitTaskManager(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new FlinkClusterException("a Flink process exited while starting; see " + workDir.resolve("log"));
            }
            try {
                last = get("/overview");
                Matcher m = TASK_MANAGERS.matcher(last);
                if (m.find() && Integer.parseInt(m.group(1)) >= 1) {
                    return;
                }
            } catch (FlinkClusterException e) {
                last = e.getMessage();
            }
            sleep(250);
        }
        throw new FlinkClusterException("no TaskManager registered within " + timeout + " (" + last + "); see "
                + workDir.resolve("log"));
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(5)).GET().build());
    }

    private String send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new FlinkClusterException(request.method() + " " + request.uri() + " answered " + r.statusCode()
                        + ": " + tail(r.body(), 5));
            }
            return r.body();
        } catch (IOException e) {
            throw new FlinkClusterException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("interrupted", e);
        }
    }

    private void saveState() throws IOException {
        Properties p = new Properties();
        p.setProperty("rest.port", String.valueOf(restPort));
        p.setProperty("jobmanager.pid", String.valueOf(jobManagerPid));
        p.setProperty("taskmanager.pid", String.valueOf(taskManagerPid));
        p.setProperty("jobmanager.metrics.port", String.valueOf(metricsPorts[0]));
        p.setProperty("taskmanager.metrics.port", String.valueOf(metricsPorts[1]));
        try (var out = Files.newOutputStream(workDir.resolve(STATE_FILE))) {
            p.store(out, "Dabba Flink session cluster");
        }
    }

    private static Path writeConfig(Settings s) throws IOException {
        Path conf = s.workDir().resolve("conf");
        Files.createDirectories(conf);
        for (String dir : List.of("log", "checkpoints", "savepoints", "tmp")) {
            Files.createDirectories(s.workDir().resolve(dir));
        }
        String work = s.workDir().toAbsolutePath().toString();
        String yaml = String.join("\n",
                "# Generated by dabba for a single-machine session cluster.",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + s.rpcPort(),
                "jobmanager.bind-host: 127.0.0.1",
                "jobmanager.memory.process.size: 768m",
                "taskmanager.host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.numberOfTaskSlots: " + s.taskSlots(),
                "taskmanager.memory.process.size: 1280m",
                // RocksDB's block cache and write buffers live in managed memory; the heap backend needs none.
                "taskmanager.memory.managed.fraction: " + (s.stateBackend() == StateBackend.ROCKSDB ? "0.25" : "0.1"),
                "parallelism.default: " + s.taskSlots(),
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + s.restPort(),
                "state.backend.type: " + s.stateBackend().name().toLowerCase(java.util.Locale.ROOT),
                // Incremental checkpoints copy what RocksDB wrote since the last one, not the whole state (ignored by
                // the heap backend, which has no incremental form).
                "execution.checkpointing.incremental: " + (s.stateBackend() == StateBackend.ROCKSDB),
                "execution.checkpointing.dir: file://" + work + "/checkpoints",
                "execution.checkpointing.savepoint-dir: file://" + work + "/savepoints",
                "io.tmp.dirs: " + work + "/tmp",
                "web.tmpdir: " + work + "/tmp",
                // Keep completed checkpoints when the job is cancelled or the cluster dies: the way back after a
                // JobManager crash (there is no high availability in a standalone session cluster).
                "execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION",
                "execution.checkpointing.num-retained: 2",
                // Notice a dead TaskManager within seconds, not the default 50 s.
                "heartbeat.interval: 2000",
                "heartbeat.timeout: 10000",
                "");
        if (hasPrometheusReporter(s.libDir()) && (s.jobManagerMetricsPort() > 0 || s.taskManagerMetricsPort() > 0)) {
            // Each process gets its port as a dynamic property (launch); this is the rest of the reporter's setup.
            yaml += String.join("\n",
                    "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                    "metrics.reporter.prom.filterLabelValueCharacters: true",
                    "");
        }
        Files.writeString(conf.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        String log4j = String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "");
        Files.writeString(conf.resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("log4j-cli.properties"), log4j, StandardCharsets.UTF_8);
        return conf;
    }

    /**
     * Starts one Flink process the way Flink's {@code jobmanager.sh}/{@code taskmanager.sh} do: Flink's own
     * {@code BashJavaUtils} turns the configured process size into JVM memory flags and the derived memory options,
     * which the process then receives as {@code -D} dynamic properties.
     */
    private static Process launch(Path libDir, Path workDir, Path conf, Role role, int metricsPort)
            throws IOException {
        List<String> resources = resourceParams(libDir, conf, role.resourceQuery);
        List<String> cmd = new ArrayList<>(dev.dabba.deploy.cluster.internal.Processes.detached());
        cmd.add(javaBinary());
        cmd.addAll(List.of(resources.get(0).trim().split("\\s+")));
        cmd.addAll(JDK_OPENS);
        cmd.add("-Dlog.file=" + workDir.resolve("log").resolve(role.name + ".log").toAbsolutePath());
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(libDir.toAbsolutePath() + "/*");
        cmd.add(role.mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toAbsolutePath().toString());
        for (String token : resources.get(1).trim().split("\\s+")) {
            if (!token.isEmpty()) {
                cmd.add(token);
            }
        }
        if (metricsPort > 0 && hasPrometheusReporter(libDir)) {
            cmd.add("-D");
            cmd.add("metrics.reporter.prom.port=" + metricsPort);
        }
        Path out = workDir.resolve("log").resolve(role.name + ".out");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                out.toFile())).start();
    }

    /** Whether {@code flink-metrics-prometheus} is among the Flink jars (flink-session's POM puts it there). */
    public static boolean hasPrometheusReporter(Path libDir) {
        try (var files = Files.list(libDir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("flink-metrics-prometheus-"));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> resourceParams(Path libDir, Path conf, String query) throws IOException {
        List<String> cmd = List.of(javaBinary(), "-cp", libDir.toAbsolutePath() + "/*",
                "org.apache.flink.runtime.util.bash.BashJavaUtils", query, "--configDir", conf.toAbsolutePath().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("interrupted", e);
        }
        List<String> results = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
            }
        }
        if (results.size() < 2) {
            throw new FlinkClusterException("Flink could not compute the memory settings (" + query + "):\n"
                    + tail(out, 20));
        }
        return results.subList(results.size() - 2, results.size());
    }

    private List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(JDK_OPENS);
        cmd.add("-Dlog.file=" + workDir.resolve("log").resolve("client.log").toAbsolutePath());
        cmd.add("-Dlog4j.configurationFile=" + workDir.resolve("conf").resolve("log4j-cli.properties").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(libDir.toAbsolutePath() + "/*");
        return cmd;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String flinkVersion(Path libDir) {
        try (var files = Files.list(libDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("flink-runtime-") && n.endsWith(".jar") && !n.startsWith("flink-runtime-web"))
                    .map(n -> n.substring("flink-runtime-".length(), n.length() - ".jar".length()))
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void stopProcess(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return;
        }
        ProcessHandle h = handle.get();
        h.destroy();
        try {
            h.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception again) {
                throw new FlinkClusterException("process " + pid + " did not stop", again);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("interrupted", e);
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
