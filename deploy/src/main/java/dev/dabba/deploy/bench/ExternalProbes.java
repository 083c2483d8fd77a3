package dev.dabba.deploy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurements taken by other programs of the project, run as child processes after the pipelines stopped: the
 * standalone edge agent ({@code deploy/agent/bench.sh}: the agent's fat jar with the launcher's JVM settings, so its
 * resident memory is an agent's, not this JVM's) and the rating engine's JMH benchmark.
 */
final class ExternalProbes {

    private static final Pattern RSS = Pattern.compile("RSS peak (\\d+) MiB");
    private static final Pattern AGENT_RATE = Pattern.compile("([\\d,]+) records/s published");
    private static final Pattern JMH_SCORE = Pattern.compile("engineSeedPlan\\s+thrpt\\s+\\d+\\s+([\\d.,]+)\\s+±\\s+"
            + "([\\d.,]+)\\s+ops/s");

    private ExternalProbes() {
    }

    /** What the standalone agent printed: peak RSS in MiB and records/s published, or null when it did not run. */
    record AgentProbe(long rssPeakMiB, String recordsPerSecond, String command) {
    }

    /** The rating engine's JMH score, records/s with its error, or null when it did not run. */
    record RatingProbe(String recordsPerSecond, String error, String command) {
    }

    static AgentProbe standaloneAgent(Path home, int records, PrintWriter out) throws Exception {
        Path script = home.resolve("deploy/agent/bench.sh");
        if (!Files.isRegularFile(script)) {
            out.println("  (skipped: no " + script + ")");
            return null;
        }
        List<String> command = List.of("bash", script.toString(), "--records", Integer.toString(records),
                "--baseline-records", "2000");
        List<String> lines = run(command, home, out);
        Long rss = null;
        String rate = null;
        for (String line : lines) {
            Matcher m = RSS.matcher(line);
            if (m.find()) {
                rss = Long.parseLong(m.group(1));
            }
            Matcher r = AGENT_RATE.matcher(line);
            if (line.startsWith("agent:") && r.find()) {
                rate = r.group(1);
            }
        }
        return rss == null ? null : new AgentProbe(rss, rate, String.join(" ", command.subList(1, command.size()))
                .replace(home + "/", ""));
    }

    static RatingProbe rating(Path home, PrintWriter out) throws Exception {
        Path jar = home.resolve("benchmarks/target/benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            out.println("  (skipped: no " + jar + "; build it with ./mvnw -q -pl benchmarks -am package -DskipTests)");
            return null;
        }
        List<String> command = List.of("java", "-jar", jar.toString(),
                "dev.dabba.bench.billing.RatingBenchmark.engineSeedPlan", "-f", "1", "-wi", "3", "-i", "5", "-w", "2s",
                "-r", "2s");
        for (String line : run(command, home, out)) {
            Matcher m = JMH_SCORE.matcher(line);
            if (m.find()) {
                return new RatingProbe(m.group(1), m.group(2), String.join(" ", command).replace(home + "/", ""));
            }
        }
        return null;
    }

    /** Runs {@code command}, echoing its output indented, and returns its lines. */
    private static List<String> run(List<String> command, Path dir, PrintWriter out) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (!line.contains(" INFO ") && !line.startsWith("# ") && !line.isBlank()) {
                    out.println("  | " + line);
                    out.flush();
                }
            }
        } catch (IOException e) {
            p.destroy();
            throw e;
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroy();
        }
        return lines;
    }
}
