package dev.dabba.deploy.cluster.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The cluster's own PostgreSQL, for machines without a server on the configured port: zonky's PostgreSQL binaries
 * with a data directory that survives restarts ({@code initdb} only the first time), supervised by this JVM:
 * {@code PostgresMain PORT DATA_DIRECTORY LOG}. Runs until SIGTERM, then stops the server ({@code pg_ctl stop}).
 * The server's own process id is in {@code DATA_DIRECTORY/postmaster.pid}.
 */
public final class PostgresMain {

    private PostgresMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = Integer.parseInt(args[0]);
        Path data = Path.of(args[1]);
        Path log = Path.of(args[2]);
        Files.createDirectories(data);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(120))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setOutputRedirector(Redirect.appendTo(log.toFile()))
                .setErrorRedirector(Redirect.appendTo(log.toFile()))
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("stopping PostgreSQL failed: " + e);
            }
            stopped.countDown();
        }, "dabba-postgres-stop"));
        System.out.println("PostgreSQL listening on 127.0.0.1:" + port + ", data in " + data);
        System.out.flush();
        stopped.await();
    }
}
