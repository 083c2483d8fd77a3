package dev.dabba.embedded;

import javax.sql.DataSource;

/**
 * A PostgreSQL database to use: an {@link EmbeddedDatabase} started here, or an external server reached with
 * {@link #connect(String, String)}, so that callers choose one without caring which afterwards.
 */
public interface Database extends AutoCloseable {

    /** A data source opening new connections to this database as {@link #user()}. */
    DataSource dataSource();

    /** The JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}, without credentials. */
    String jdbcUrl();

    /** The user that {@link #dataSource()} connects as. */
    String user();

    /** Releases what this handle owns: stops an embedded server; does nothing to an external one. */
    @Override
    void close();

    /** Starts an embedded PostgreSQL server with default settings. */
    static Database embedded() {
        return EmbeddedDatabase.start();
    }

    /** Connects to an external PostgreSQL server without a password (trust or peer authentication). */
    static Database connect(String jdbcUrl, String user) {
        return ExternalDatabase.connect(jdbcUrl, user, null);
    }

    /** Connects to an external PostgreSQL server with a password; fails now if it cannot run {@code select 1}. */
    static Database connect(String jdbcUrl, String user, String password) {
        return ExternalDatabase.connect(jdbcUrl, user, password);
    }
}
