package dev.dabba.deploy.bench;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.jobs.BillSink;
import java.util.Collection;

/**
 * The billing job's report-store sink ({@code BillSink}, PostgreSQL) with a stopwatch: once a batch of bills has
 * committed, notes in {@link BillTimes} the records on them that were on no stored bill before.
 */
final class TimedBillSink {

    private TimedBillSink() {
    }

    /** {@code store}, timing every committed batch. */
    static BillSink timed(BillSink store) {
        return store.withCommitListener(TimedBillSink::committed);
    }

    private static void committed(Collection<Bill> bills) {
        long now = System.nanoTime();
        for (Bill bill : bills) {
            for (BillLine line : bill.lines()) {
                BillTimes.billed(line.rated().eventId(), now);
            }
        }
    }
}
