package dev.dabba.gateway.testing;

import static org.awaitility.Awaitility.await;

import dev.dabba.embedded.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto 2 broker of the test's own, started from the machine's {@code mosquitto} binary on a free port with a
 * password file and an ACL file, so that tests can check what the broker lets devices publish.
 */
public final class PrivateMosquitto implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    public static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private final Process process;
    private final int port;

    private PrivateMosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Whether the binaries are installed. */
    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(PASSWD);
    }

    /**
     * Starts Mosquitto with {@code users} (name to password) and {@code acl} (the ACL file's lines), anonymous
     * clients refused, in {@code dir}.
     */
    public static PrivateMosquitto start(Path dir, Map<String, String> users, List<String> acl)
            throws IOException, InterruptedException {
        Path passwd = dir.resolve("passwd");
        boolean first = true;
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = first
                    ? List.of(PASSWD.toString(), "-c", "-b", passwd.toString(), u.getKey(), u.getValue())
                    : List.of(PASSWD.toString(), "-b", passwd.toString(), u.getKey(), u.getValue());
            first = false;
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mosquitto_passwd failed for " + u.getKey() + ": "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        Path aclFile = dir.resolve("acl");
        Files.write(aclFile, acl);
        int port = FreePorts.pick();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwd,
                "acl_file " + aclFile,
                "persistence false",
                root ? "user root" : "",
                "log_dest stdout",
                "log_type error",
                "log_type warning",
                "log_type notice",
                ""));
        Process process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        PrivateMosquitto m = new PrivateMosquitto(process, port);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ", see "
                        + dir.resolve("mosquitto.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return m;
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

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
