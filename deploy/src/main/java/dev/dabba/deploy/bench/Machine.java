package dev.dabba.deploy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark notes about the machine: load average, this JVM's CPU time and its JIT compilers' time, and
 * which commit runs.
 */
final class Machine {

    private Machine() {
    }

    /** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them, or "?" elsewhere. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * Which code runs, for a result that says what produced it: {@code commit 1a2b3c4}, with {@code and local changes}
     * when tracked files under {@code home} differ from it, or {@code commit unknown} when {@code home} is not a git
     * checkout or git is not installed.
     */
    static String gitDescription(Path home) {
        String commit = git(home, "rev-parse", "--short", "HEAD");
        if (commit == null || commit.isBlank()) {
            return "commit unknown";
        }
        String changes = git(home, "status", "--porcelain", "--untracked-files=no");
        return "commit " + commit.strip() + (changes == null || changes.isBlank() ? "" : " and local changes");
    }

    /**
     * What {@code git -C home args} prints, or null if it fails or takes more than 10 s. The output goes to a file:
     * read from a pipe only after the wait, a long one (a tree with many changed files) would fill the pipe, block
     * git, and come back as a timeout.
     */
    private static String git(Path home, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", home.toString()));
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile("dabba-bench-git-", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? Files.readString(output, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** CPU time this JVM has used, all threads, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * CPU time this JVM's JIT compiler threads have used, in nanoseconds, from {@code /proc/self/task} (Linux; 0
     * elsewhere). In one JVM holding the whole pipeline the compilers keep working long after a short warm-up; each
     * phase reports their share, so a round that was still paying for the JIT is visible. A compiler thread the JVM
     * stopped takes its time with it, so this can only undercount.
     */
    static long jitCpuNanos() {
        long ticks = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }
}
