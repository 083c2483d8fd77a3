package dev.dabba.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

class EmbeddedDatabaseIT {

    private static final String REAL_HOST = "127.0.0.1";
    private static final int REAL_PORT = 5432;
    private static final String REAL_URL = "jdbc:postgresql://" + REAL_HOST + ":" + REAL_PORT + "/test";

    @Test
    void embeddedServer_answersSelectOne_andIsGoneAfterClose() throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.start();
        try {
            assertThat(database.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres");
            assertThat(selectOne(database)).isEqualTo(1);
        } finally {
            database.close();
        }
        assertThat(FreePorts.isFree(database.port())).as("port released").isTrue();
        assertThat(database.serverLog()).doesNotExist();
    }

    @Test
    void embeddedServer_createsTheRequestedDatabase() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.builder().databaseName("dabba").start();
             Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("dabba");
        }
    }

    @Test
    void realServer_answersSelectOne_throughTheSameAbstraction() throws Exception {
        assumeTrue(isListening(REAL_HOST, REAL_PORT),
                "no PostgreSQL server listening on " + REAL_HOST + ":" + REAL_PORT);
        try (Database database = Database.connect(REAL_URL, "postgres")) {
            assertThat(database.jdbcUrl()).isEqualTo(REAL_URL);
            assertThat(selectOne(database)).isEqualTo(1);
        }
    }

    @Test
    void connect_failsWithAMessageNamingTheServer_whenNothingListens() {
        int port = FreePorts.pick();
        assertThatThrownBy(() -> Database.connect("jdbc:postgresql://127.0.0.1:" + port + "/test", "postgres"))
                .isInstanceOf(InfrastructureException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("cannot connect as user postgres");
    }

    private static int selectOne(Database database) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    private static boolean isListening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
