package dev.dabba.deploy.cluster.internal;

import dev.dabba.deploy.cluster.ClusterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starting JVMs for the cluster's components and stopping or killing processes by id. */
public final class Processes {

    private Processes() {
    }

    /**
     * Starts {@code java [jvmArgs] -cp classpath mainClass args}, with stdout and stderr appended to {@code log}, in
     * its own process (it outlives this JVM: {@code dabba cluster up} returns while the cluster runs).
     */
    public static Process startJava(String classpath, List<String> jvmArgs, String mainClass, List<String> args,
            Path log, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(detached());
        cmd.add(javaBinary());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new ClusterException("cannot start " + mainClass + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code setsid} where it exists: the process gets its own session, so a Ctrl-C or a closed terminal after
     * {@code dabba cluster up} returned does not reach the cluster. ({@code setsid} execs in place when its caller is
     * not a process group leader, as a forked child is not, so the process id stays the one started.)
     */
    public static List<String> detached() {
        return Files.isExecutable(Path.of("/usr/bin/setsid")) ? List.of("/usr/bin/setsid") : List.of();
    }

    /** The java binary this JVM runs on. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    /** Whether a process with this id is alive. */
    public static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGKILL, as a crash would, and wait until the process is gone. */
    public static void kill(long pid, String what) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return;
        }
        h.get().destroyForcibly();
        await(h.get(), Duration.ofSeconds(30), what);
    }

    /** SIGTERM, then SIGKILL after {@code grace}; waits until the process is gone. */
    public static void stop(long pid, Duration grace, String what) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return;
        }
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.get().destroyForcibly();
            await(h.get(), Duration.ofSeconds(30), what);
        }
    }

    private static void await(ProcessHandle h, Duration timeout, String what) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new ClusterException(what + " (process " + h.pid() + ") did not exit within " + timeout, e);
        }
    }
}
