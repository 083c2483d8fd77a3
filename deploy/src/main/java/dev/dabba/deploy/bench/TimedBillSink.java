package dev.dabba.deploy.bench;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The billing job's report-store sink ({@code BillSink}, PostgreSQL) with a stopwatch: after each bill's upsert has
 * committed, notes in {@link BillTimes} the records on it that were on no stored bill before.
 */
final class TimedBillSink implements Sink<Bill> {

    private static final long serialVersionUID = 1L;

    private final Sink<Bill> store;

    TimedBillSink(Sink<Bill> store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public SinkWriter<Bill> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<Bill> writer = store.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(Bill bill, Context ctx) throws IOException, InterruptedException {
                writer.write(bill, ctx);
                long now = System.nanoTime();
                for (BillLine line : bill.lines()) {
                    BillTimes.billed(line.rated().eventId(), now);
                }
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }
}
