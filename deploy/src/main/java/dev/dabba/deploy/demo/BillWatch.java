package dev.dabba.deploy.demo;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Waits until the report store holds a bill that includes a given set of records. */
public final class BillWatch {

    private static final long POLL_MILLIS = 200;

    private BillWatch() {
    }

    /**
     * Polls the store until the bill of {@code subscriber} for {@code cycle} has exactly the records
     * {@code expected}, and returns it.
     *
     * @throws IllegalStateException naming the missing records if that does not happen within {@code timeout}
     */
    public static Bill awaitBill(BillStore store, Msisdn subscriber, YearMonth cycle, Collection<EventId> expected,
            Duration timeout) throws InterruptedException {
        Set<EventId> want = new TreeSet<>(expected);
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Bill> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = store.find(subscriber, cycle);
            if (last.isPresent() && eventIds(last.get()).equals(want)) {
                return last.get();
            }
            Thread.sleep(POLL_MILLIS);
        }
        Set<EventId> have = last.map(BillWatch::eventIds).orElse(Set.of());
        Set<EventId> missing = new TreeSet<>(want);
        missing.removeAll(have);
        throw new IllegalStateException("after " + timeout.toSeconds() + " s the bill of " + subscriber + " for "
                + cycle + (last.isEmpty() ? " does not exist" : " is version " + last.get().version()
                + " and lacks " + missing) + "; expected records " + want);
    }

    private static Set<EventId> eventIds(Bill bill) {
        return bill.lines().stream().map(l -> l.rated().eventId()).collect(Collectors.toCollection(TreeSet::new));
    }
}
