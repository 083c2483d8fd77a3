package dev.dabba.embedded;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL server that runs elsewhere (the machine's, a cluster's); this handle owns nothing. */
final class ExternalDatabase implements Database {

    private final String jdbcUrl;
    private final String user;
    private final DataSource dataSource;

    private ExternalDatabase(String jdbcUrl, String user, DataSource dataSource) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.dataSource = dataSource;
    }

    static ExternalDatabase connect(String jdbcUrl, String user, String password) {
        String component = "PostgreSQL at " + redacted(jdbcUrl);
        DataSource dataSource = dataSource(component, jdbcUrl, user, password);
        ExternalDatabase database = new ExternalDatabase(jdbcUrl, user, dataSource);
        selectOne(component, dataSource, user);
        return database;
    }

    /** A driver-level data source (no pool) for a PostgreSQL JDBC URL. */
    static DataSource dataSource(String component, String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql:, was " + redacted(jdbcUrl));
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        try {
            dataSource.setURL(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new InfrastructureException(component, "invalid JDBC URL", e);
        }
        dataSource.setUser(user);
        if (password != null) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout(10);
        dataSource.setApplicationName("dabba");
        return dataSource;
    }

    /** Runs {@code select 1}, failing with an {@link InfrastructureException} that says why it could not. */
    static void selectOne(String component, DataSource dataSource, String user) {
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new InfrastructureException(component, "select 1 did not return 1", null);
            }
        } catch (SQLException e) {
            throw new InfrastructureException(component, "cannot connect as user " + user, e);
        }
    }

    /** The URL with any password parameter masked, for messages. */
    static String redacted(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public void close() {
        // the server is not ours
    }

    @Override
    public String toString() {
        return "ExternalDatabase[" + redacted(jdbcUrl) + " as " + user + "]";
    }
}
