package dev.dabba.agent.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The standalone agent (target/dabba-agent.jar) in a child JVM, as systemd runs it. */
final class ChildAgent implements AutoCloseable {

    static Path jar() {
        String jar = System.getProperty("dabba.agent.jar", "target/dabba-agent.jar");
        Path p = Path.of(jar);
        if (!Files.exists(p)) {
            throw new IllegalStateException("the agent jar " + p + " is missing: run the package phase first");
        }
        return p;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private final Process process;
    private final int healthPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChildAgent(Process process, int healthPort) {
        this.process = process;
        this.healthPort = healthPort;
    }

    /** Starts {@code dabba-agent run --config config} with the systemd unit's memory settings. */
    static ChildAgent start(Path config, int healthPort, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx32m", "-XX:+UseSerialGC", "-jar", jar().toString(),
                "run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ChildAgent(p, healthPort);
    }

    boolean healthy() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort
                    + "/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String metrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** kill -9: SIGKILL, no shutdown hook, no flush. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
