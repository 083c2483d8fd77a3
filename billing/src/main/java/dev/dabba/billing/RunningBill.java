package dev.dabba.billing;

import dev.dabba.clock.Causality;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One subscriber's bill for one cycle, kept current as records arrive: the same bill as
 * {@link Bill#compute(Msisdn, YearMonth, long, BillStatus, List, RatingEngine, Instant, LineMarks)} over
 * {@link CausalOrder#sort} of the records, without sorting them all again for every new record.
 *
 * <p>Recomputing a bill from its records costs a causal sort, quadratic in the records (every pair's clocks are
 * compared), for every version: over a month, cubic in a subscriber's usage. {@link #add} puts a new record into
 * the old order instead, using how Kahn's sort works: among the records whose predecessors are placed, it picks the
 * smallest by the tie-break (hybrid timestamp, node, sequence). Comparing clocks backwards from the end of the bill
 * it finds the record's last predecessor (usually its tower's previous record, near the end) and first successor.
 * Until the old order picks that successor, a pick changes only when the new record is ready and smaller than the
 * old pick; so the record goes at the first such position after its last predecessor, and every other record keeps
 * its place. If there is none before the first successor (which now waits for the record), the records from there
 * on are sorted again with it, the ones before keep their places. The stream job releases a record after its causal
 * past, so a successor on the bill is rare (a dependency still in flight on another channel), and the re-sorted
 * tail short. Then it rates: only the new record when it goes at the end and is no partial call (the rating fold
 * goes on from where it stopped), otherwise the whole bill again in the new order (linear; a partial call changes
 * how its call's other parts are rated). For a duplicate, a record of another subscriber or cycle, or equal clocks
 * it returns {@code false} and changes nothing, and the caller rebuilds with {@link #of}, which reports the error.
 * Whichever way a bill was reached, {@link #bill} gives the same bill for the same set of records.
 *
 * <p>Not thread-safe.
 */
public final class RunningBill {

    private final Msisdn subscriber;
    private final YearMonth cycle;
    private final RatingEngine engine;
    private final Instant from;
    private final Instant to;
    private final List<UsageRecord> ordered;
    private List<RatedLine> rated;
    private final Set<EventId> ids;
    /** Per neighbouring pair {@code (i, i + 1)} of {@link #ordered}, whether the two are concurrent. */
    private final List<Boolean> concurrentPairs;
    private RatingEngine.Fold fold;
    /** Set when a rating failed half-way: the bill's state is then unknown and it must be rebuilt. */
    private boolean broken;

    private RunningBill(Msisdn subscriber, YearMonth cycle, RatingEngine engine, List<UsageRecord> ordered) {
        this.subscriber = subscriber;
        this.cycle = cycle;
        this.engine = engine;
        this.from = BillingCycle.start(cycle);
        this.to = BillingCycle.end(cycle);
        Bill.checkAndFlag(subscriber, cycle, ordered);
        this.ordered = new ArrayList<>(ordered);
        this.ids = new HashSet<>(ordered.size() * 2);
        this.concurrentPairs = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            ids.add(ordered.get(i).id());
            if (i > 0) {
                concurrentPairs.add(concurrent(ordered.get(i - 1), ordered.get(i)));
            }
        }
        rateAll();
    }

    /**
     * The bill of {@code records} (deduplicated by event id, in any order), sorted causally and rated.
     *
     * @throws IllegalArgumentException as {@link CausalOrder#sort} and {@link Bill#compute} do: a record of another
     *     subscriber or cycle, an event id twice, two records with equal clocks
     */
    public static RunningBill of(Msisdn subscriber, YearMonth cycle, Collection<UsageRecord> records,
            RatingEngine engine) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        Objects.requireNonNull(records, "records must not be null");
        Objects.requireNonNull(engine, "engine must not be null");
        return new RunningBill(subscriber, cycle, engine, CausalOrder.sort(records));
    }

    /**
     * Puts {@code record} where the causal order of the grown set puts it and rates what that changes; returns
     * {@code false} and leaves the bill as it was for a record of another subscriber or cycle, an event id already
     * on the bill, or a clock equal to one on the bill.
     *
     * @return whether the record was added; {@code false} means the caller rebuilds the bill with {@link #of}
     * @throws IllegalStateException if an earlier rating failed half-way ({@link #isBroken})
     * @throws RuntimeException what rating threw; the bill is then broken and must be rebuilt
     */
    public boolean add(UsageRecord record) {
        Objects.requireNonNull(record, "record must not be null");
        requireWhole();
        if (!record.subscriber().equals(subscriber) || record.start().isBefore(from) || !record.start().isBefore(to)
                || ids.contains(record.id())) {
            return false;
        }
        int n = ordered.size();
        int lastPredecessor = -1;
        int firstSuccessor = n;
        // Backwards, up to the last predecessor: the order is a linear extension of happens-before, so every
        // predecessor p comes before every successor s (p -> record -> s) and before every record whose clock equals
        // the record's (p -> record = x). Usually the record's tower's previous record on the bill is close to the end.
        for (int i = n - 1; i >= 0; i--) {
            Causality c = record.clock().compare(ordered.get(i).clock());
            if (c == Causality.AFTER) {
                lastPredecessor = i;
                break;
            } else if (c == Causality.BEFORE) {
                firstSuccessor = i;
            } else if (c == Causality.EQUAL) {
                return false; // CausalOrder.sort refuses equal clocks, with the message the caller should see
            }
        }
        int at = firstSuccessor;
        for (int i = lastPredecessor + 1; i < firstSuccessor; i++) {
            if (UsageRecord.TIE_BREAK.compare(record, ordered.get(i)) < 0) {
                at = i;
                break;
            }
        }
        broken = true; // until the bill is whole again
        if (at == firstSuccessor && firstSuccessor < n) {
            // The old order's pick at firstSuccessor waits for the record now: from there on, sort again.
            resortFrom(firstSuccessor, record);
            rateAll();
            broken = false;
            return true;
        }
        boolean partial = record.usage() instanceof Usage.Call && ((Usage.Call) record.usage()).isPartial();
        ordered.add(at, record);
        ids.add(record.id());
        if (at > 0) {
            boolean before = concurrent(ordered.get(at - 1), record);
            if (at < n) {
                concurrentPairs.set(at - 1, before);
            } else {
                concurrentPairs.add(before);
            }
        }
        if (at < n) {
            concurrentPairs.add(at, concurrent(record, ordered.get(at + 1)));
        }
        if (at == n && !partial) {
            rated.add(fold.rate(record));
        } else {
            rateAll();
        }
        broken = false;
        return true;
    }

    /** The bill now, as {@link Bill#compute} gives it for these records in causal order. */
    public Bill bill(long version, BillStatus status, Instant updatedAt, LineMarks marks) {
        Objects.requireNonNull(marks, "marks must not be null");
        requireWhole();
        RatedUsage usage = RatedUsage.of(rated, fold.bundleUsage());
        List<BillLine> lines = new ArrayList<>(rated.size());
        for (int i = 0; i < rated.size(); i++) {
            RatedLine line = rated.get(i);
            boolean concurrent = (i > 0 && concurrentPairs.get(i - 1))
                    || (i < concurrentPairs.size() && concurrentPairs.get(i));
            lines.add(new BillLine(i + 1, line, concurrent, marks.missingDependencies(line.eventId()),
                    marks.cloneSuspect(line.eventId())));
        }
        return new Bill(subscriber, cycle, version, status, engine.tariff().id(), lines, usage.calls(), usage.sms(),
                usage.data(), usage.total(), usage.bundles(), updatedAt);
    }

    /** The records on the bill, in its causal order; a read-only view that follows later {@link #add}s. */
    public List<UsageRecord> records() {
        return Collections.unmodifiableList(ordered);
    }

    /** The number of records on the bill. */
    public int size() {
        return ordered.size();
    }

    /** Whether a rating failed half-way through {@link #add}; a broken bill must be rebuilt with {@link #of}. */
    public boolean isBroken() {
        return broken;
    }

    private void requireWhole() {
        if (broken) {
            throw new IllegalStateException("the running bill of " + subscriber + " " + cycle + " is broken by an "
                    + "earlier failure; rebuild it");
        }
    }

    /**
     * Puts {@code record}, which happened before the record at {@code from}, into the order: the records before
     * {@code from} stay (Kahn's sort picks them as before: every pick until then was the smallest record ready, with
     * or without this one), and the rest with the record are sorted again, as Kahn's sort goes on from there.
     */
    private void resortFrom(int from, UsageRecord record) {
        List<UsageRecord> rest = new ArrayList<>(ordered.subList(from, ordered.size()));
        rest.add(record);
        List<UsageRecord> sorted = CausalOrder.sort(rest);
        ordered.subList(from, ordered.size()).clear();
        ordered.addAll(sorted);
        ids.add(record.id());
        concurrentPairs.subList(Math.max(0, from - 1), concurrentPairs.size()).clear();
        for (int i = Math.max(1, from); i < ordered.size(); i++) {
            concurrentPairs.add(concurrent(ordered.get(i - 1), ordered.get(i)));
        }
    }

    /** Rates every record again in the current order, with a fold planned for the current partial calls. */
    private void rateAll() {
        fold = engine.fold(ordered);
        List<RatedLine> lines = new ArrayList<>(ordered.size() + 16);
        for (UsageRecord r : ordered) {
            lines.add(fold.rate(r));
        }
        rated = lines;
    }

    private static boolean concurrent(UsageRecord a, UsageRecord b) {
        return a.clock().compare(b.clock()) == Causality.CONCURRENT;
    }
}
