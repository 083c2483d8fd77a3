package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Writes bills to the PostgreSQL report store with {@link BillStore#upsert}: idempotent and monotone, so the
 * at-least-once delivery of a restarted job has an exactly-once effect on the store. Each writer keeps one
 * connection open for all its bills (opening a connection per bill, about 8 ms on the benchmark machine, capped the
 * sink at about 60 bills/s: docs/benchmarks.md, "End to end").
 */
public final class BillSink implements Sink<Bill> {

    private static final long serialVersionUID = 1L;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String schema;

    public BillSink(String jdbcUrl, String user, String password, String schema) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = user;
        this.password = password;
        this.schema = BillStore.requireValidSchema(schema);
    }

    @Override
    public SinkWriter<Bill> createWriter(WriterInitContext context) {
        ReusedConnection dataSource = new ReusedConnection();
        dataSource.setURL(jdbcUrl);
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        return new Writer(new BillStore(dataSource, schema), dataSource);
    }

    private static final class Writer implements SinkWriter<Bill> {
        private final BillStore store;
        private final ReusedConnection connection;

        Writer(BillStore store, ReusedConnection connection) {
            this.store = store;
            this.connection = connection;
        }

        @Override
        public void write(Bill bill, Context context) throws IOException {
            store.upsert(bill);
        }

        @Override
        public void flush(boolean endOfInput) {
            // Every write is its own committed transaction; nothing is buffered.
        }

        @Override
        public void close() throws SQLException {
            connection.closeConnection();
        }
    }

    /**
     * A data source that opens one connection and hands it out again on every {@link #getConnection()}, its
     * {@code close()} doing nothing; a connection found closed (the server went away) is replaced. One writer, one
     * thread: not for sharing.
     */
    static final class ReusedConnection extends PGSimpleDataSource {
        private static final long serialVersionUID = 1L;
        private transient Connection connection;

        @Override
        public Connection getConnection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = super.getConnection();
            }
            Connection real = connection;
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        void closeConnection() throws SQLException {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }
}
