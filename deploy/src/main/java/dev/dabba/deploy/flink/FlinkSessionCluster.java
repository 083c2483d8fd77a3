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
    private final long jobManagerPid;
    private final long taskManagerPid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private FlinkSessionCluster(Path libDir, Path workDir, int restPort, long jobManagerPid, long taskManagerPid) {
        this.libDir = libDir;
        this.workDir = workDir;
        this.restPort = restPort;
        this.jobManagerPid = jobManagerPid;
        this.taskManagerPid = taskManagerPid;
    }

    /** Where and how to run the cluster. */
    public record Settings(Path libDir, Path workDir, int restPort, int rpcPort, int taskSlots, Duration startTimeout) {
        public Settings {
            Objects.requireNonNull(libDir, "libDir");
            Objects.requireNonNull(workDir, "workDir");
            if (restPort <= 0 || rpcPort <= 0 || restPort > 65535 || rpcPort > 65535) {
                throw new IllegalArgumentException("restPort and rpcPort must be 1-65535, were " + restPort + " and "
                        + rpcPort);
            }
            if (taskSlots <= 0) {
                throw new IllegalArgumentException("taskSlots must be positive, was " + taskSlots);
            }
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
            Process jm = launch(s, conf, "jobmanager", "GET_JM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            Process tm = launch(s, conf, "taskmanager", "GET_TM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            FlinkSessionCluster cluster = new FlinkSessionCluster(s.libDir(), s.workDir(), s.restPort(), jm.pid(), tm.pid());
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
        return Optional.of(new FlinkSessionCluster(libDir, workDir, Integer.parseInt(p.getProperty("rest.port")),
                Long.parseLong(p.getProperty("jobmanager.pid")), Long.parseLong(p.getProperty("taskmanager.pid"))));
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

    /**
     * Submits a job jar with Flink's own CLI, detached, and returns the job id.
     *
     * @throws FlinkClusterException with the CLI's output if submission fails
     */
    public String submit(Path jobJar, String mainClass, List<String> args, Duration timeout) {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(List.of("run", "--detached", "--jobmanager", "127.0.0.1:" + restPort, "--class", mainClass,
                jobJar.toAbsolutePath().toString()));
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
                "taskmanager.memory.managed.fraction: 0.1",
                "parallelism.default: " + s.taskSlots(),
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + s.restPort(),
                "execution.checkpointing.dir: file://" + work + "/checkpoints",
                "execution.checkpointing.savepoint-dir: file://" + work + "/savepoints",
                "io.tmp.dirs: " + work + "/tmp",
                "web.tmpdir: " + work + "/tmp",
                "");
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
    private static Process launch(Settings s, Path conf, String role, String resourceQuery, String mainClass)
            throws IOException {
        List<String> resources = resourceParams(s, conf, resourceQuery);
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(List.of(resources.get(0).trim().split("\\s+")));
        cmd.addAll(JDK_OPENS);
        cmd.add("-Dlog.file=" + s.workDir().resolve("log").resolve(role + ".log").toAbsolutePath());
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(s.libDir().toAbsolutePath() + "/*");
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toAbsolutePath().toString());
        for (String token : resources.get(1).trim().split("\\s+")) {
            if (!token.isEmpty()) {
                cmd.add(token);
            }
        }
        Path out = s.workDir().resolve("log").resolve(role + ".out");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static List<String> resourceParams(Settings s, Path conf, String query) throws IOException {
        List<String> cmd = List.of(javaBinary(), "-cp", s.libDir().toAbsolutePath() + "/*",
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
