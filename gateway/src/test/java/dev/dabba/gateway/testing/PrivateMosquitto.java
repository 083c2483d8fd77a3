package dev.dabba.gateway.testing;

import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.LocalMosquitto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto 2 broker of the test's own, started from the machine's {@code mosquitto} binary on a free port with a
 * password file and an ACL file, so that tests can check what the broker lets devices publish.
 */
public final class PrivateMosquitto implements AutoCloseable {

    public static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private final LocalMosquitto broker;

    private PrivateMosquitto(LocalMosquitto broker) {
        this.broker = broker;
    }

    /** Whether the binaries are installed. */
    public static boolean available() {
        return LocalMosquitto.binary().isPresent() && Files.isExecutable(PASSWD);
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
        return new PrivateMosquitto(LocalMosquitto.start(dir, port, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwd,
                "acl_file " + aclFile,
                "persistence false",
                "log_type error",
                "log_type warning",
                "log_type notice")));
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return broker.uri();
    }

    @Override
    public void close() {
        broker.close();
    }
}
