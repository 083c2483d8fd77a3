package dev.dabba.deploy.bench;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.jobs.BillSink;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The billing job's report-store sink ({@code BillSink}, PostgreSQL) with a stopwatch: once a batch of bills has
 * committed, notes in {@link BillTimes} the records on them that were on no stored bill before.
 *
 * <p>The commit's time is read on the sink's writer thread, as soon as the batch has committed; noting each line of
 * each bill against it happens on a thread of the stopwatch's own. The writer called the listener before it took the
 * next batch, so noting there (a map lookup per line of every committed bill, about an eighth of the writer's
 * samples) held up the pipeline being measured. Batches are noted in commit order, one at a time, so a record's
 * first time is its first commit's.
 */
final class TimedBillSink {

    private static final ExecutorService NOTER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bench-bill-stopwatch");
        t.setDaemon(true);
        return t;
    });

    private TimedBillSink() {
    }

    /** {@code store}, timing every committed batch. */
    static BillSink timed(BillSink store) {
        return store.withCommitListener(TimedBillSink::committed);
    }

    private static void committed(Collection<Bill> bills) {
        long now = System.nanoTime();
        List<Bill> batch = List.copyOf(bills);
        NOTER.execute(() -> {
            for (Bill bill : batch) {
                for (BillLine line : bill.lines()) {
                    BillTimes.billed(line.rated().eventId(), now);
                }
            }
        });
    }
}
