package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Writes bills to the PostgreSQL report store with {@link BillStore#upsert}: idempotent and monotone, so the
 * at-least-once delivery of a restarted job has an exactly-once effect on the store.
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
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        return new Writer(new BillStore(dataSource, schema));
    }

    private static final class Writer implements SinkWriter<Bill> {
        private final BillStore store;

        Writer(BillStore store) {
            this.store = store;
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
        public void close() {
        }
    }
}
