package dev.dabba.billing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The PostgreSQL servers the store tests run against, and throwaway schemas in them. */
final class TestDatabases {

    /** The machine's own server, where one runs (trust auth). */
    static final String LOCAL_SERVER_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private static EmbeddedPostgres embedded;

    private TestDatabases() {
    }

    /** An embedded PostgreSQL started once per test JVM and stopped by its shutdown hook. */
    static synchronized EmbeddedPostgres embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
        return embedded;
    }

    /** The local server at {@link #LOCAL_SERVER_URL} as user postgres. */
    static DataSource localServer() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(LOCAL_SERVER_URL);
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        ds.setLoginTimeout(3);
        return ds;
    }

    /** Why {@code ds} cannot be used, or {@code null} if a connection works. */
    static String unreachableReason(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.isValid(3) ? null : "connection is not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** A schema name no other test run uses. */
    static String uniqueSchema() {
        return "billing_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Drops {@code schema} and everything in it. */
    static void dropSchema(DataSource ds, String schema) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + BillStore.requireValidSchema(schema) + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
