package dev.dabba.reliability.workload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone agent ({@code dabba-agent.jar}) in a child JVM, configured by a YAML file as on a tower, with its
 * collector input and health endpoint on fixed ports; {@link #kill9()} kills it without warning.
 */
public final class ChildAgent implements AutoCloseable {

    private static final Pattern SEQUENCE = Pattern.compile("(?m)^dabba_agent_sequence (\\d+)");

    private final Process process;
    private final int healthPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChildAgent(Process process, int healthPort) {
        this.process = process;
        this.healthPort = healthPort;
    }

    /**
     * Writes the configuration and starts {@code java -jar jar run --config FILE} with the launcher's memory settings.
     */
    public static ChildAgent start(Path jar, Path dir, String node, String brokerUri, String topicRoot, int inputPort,
            int healthPort) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("agent.yaml");
        if (!Files.exists(config)) {
            Files.writeString(config, "node: " + node + "\n"
                    + "stateDirectory: " + dir.resolve("state") + "\n"
                    + "mqtt:\n  brokerUri: " + brokerUri + "\n  topicRoot: " + topicRoot + "\n"
                    + "  reconnect:\n    initialDelay: 500ms\n    maxDelay: 5s\n"
                    + "outbox:\n  fsync: batch\n"
                    + "input:\n  port: " + inputPort + "\n"
                    + "health:\n  port: " + healthPort + "\n");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-jar", jar.toString(), "run",
                "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()))
                .start();
        return new ChildAgent(p, healthPort);
    }

    /** Whether the health endpoint answers 200. */
    public boolean healthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The agent's own clock entry: the last sequence it stamped (from its metrics). */
    public long sequence() throws IOException {
        Matcher m = SEQUENCE.matcher(metrics());
        if (!m.find()) {
            throw new IOException("no dabba_agent_sequence in the agent's metrics");
        }
        return Long.parseLong(m.group(1));
    }

    /** The Prometheus text of the agent's metrics. */
    public String metrics() throws IOException {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: SIGKILL, no shutdown hook, nothing flushed; returns once the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the agent as systemd would (SIGTERM), SIGKILL after 30 s. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
