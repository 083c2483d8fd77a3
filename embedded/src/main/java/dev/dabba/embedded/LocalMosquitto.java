package dev.dabba.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto 2 broker of the caller's own: the machine's {@code mosquitto} binary (Debian's package) run with the
 * caller's configuration on a loopback port, its output in {@code mosquitto.log}, stopped by {@link #close()}. Its log
 * reaches that file as written with Mosquitto's default {@code log_dest stderr}; {@code log_dest stdout} is
 * block-buffered there and may show nothing until the broker stops.
 *
 * <p>Tests use it where the broker's settings matter (TLS, passwords, ACLs, queue limits) and the machine's shared
 * Mosquitto on port 1883 runs with other ones: its defaults, for one, queue at most 1,000 QoS 1 messages for a
 * subscriber and drop newer ones after acknowledging them to their publisher.
 */
public final class LocalMosquitto implements AutoCloseable {

    /** Where Debian and hand-built installations put the broker. */
    public static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"),
            Path.of("/usr/local/sbin/mosquitto"));

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;

    private LocalMosquitto(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The first installed binary of {@link #BINARIES}, if any. */
    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts Mosquitto in {@code dir} with {@code config}, which must open a listener on 127.0.0.1:{@code port} (pick
     * the port with {@link FreePorts#pick()}), and returns once the port accepts connections. Run as root, the broker
     * is told to stay root: it would otherwise switch to the user {@code mosquitto}, which cannot read the caller's
     * temporary files.
     *
     * @throws IllegalStateException if no binary is installed, or the broker exits or does not listen within 30 s
     *     (the message holds its log)
     */
    public static LocalMosquitto start(Path dir, int port, String config) throws IOException, InterruptedException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "no mosquitto binary in " + BINARIES + " (apt-get install mosquitto)"));
        Path conf = dir.resolve("mosquitto.conf");
        Path log = dir.resolve("mosquitto.log");
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(conf, config + (config.endsWith("\n") ? "" : "\n") + (root ? "user root\n" : ""));
        Process process = new ProcessBuilder(binary.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalMosquitto mosquitto = new LocalMosquitto(process, port, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!listening(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
                        + mosquitto.log());
            }
            if (System.nanoTime() > deadline) {
                mosquitto.close();
                throw new IllegalStateException("mosquitto did not listen on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT.toSeconds() + " s: " + mosquitto.log());
            }
            Thread.sleep(50);
        }
        return mosquitto;
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port} (plain TCP: the listener may be TLS). */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The listener's port. */
    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** What the broker has written so far (its log, with the configuration's {@code log_type}s). */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }

    /** Stops the broker: SIGTERM, and SIGKILL after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
