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
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One subscriber's bill for one cycle, kept current as records arrive: the same bill as
 * {@link Bill#compute(Msisdn, YearMonth, long, BillStatus, List, RatingEngine, Instant, LineMarks)} over
 * {@link CausalOrder#sort} of the records, without sorting and rating them all again for every new record.
 *
 * <p>Recomputing a bill from its records costs a causal sort (quadratic in the records: every pair's clocks are
 * compared) and a rating of every record, for every version; over a month that is cubic in a subscriber's records. A
 * record usually comes after everything its bill holds: it is the latest by the causal order's tie-break (hybrid
 * timestamp, node, sequence) and no record on the bill happened after it. Then the causal sort of the grown set is
 * the old order with the record at the end (Kahn's sort never picks it while another record is ready, and no other
 * record waits for it), and the rating fold, a function of the records before it, goes on from where it stopped.
 * {@link #append} takes exactly that case, at one clock comparison per record on the bill and one rating; for
 * anything else (an earlier record, a partial call, which changes how its call's other parts are rated, a duplicate,
 * a record of another subscriber or cycle) it returns {@code false} and changes nothing, and the caller rebuilds
 * with {@link #of}. Whichever way a bill was reached, {@link #bill} gives the same bill for the same set of records.
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
    private final List<RatedLine> rated;
    private final Set<EventId> ids;
    private final BitSet concurrent = new BitSet();
    private final RatingEngine.Fold fold;
    /** The greatest record by {@link UsageRecord#TIE_BREAK}; null when the bill is empty. */
    private UsageRecord latest;
    /** Set when a rating failed half-way: the fold's state is then unknown and the bill must be rebuilt. */
    private boolean broken;

    private RunningBill(Msisdn subscriber, YearMonth cycle, RatingEngine engine, List<UsageRecord> ordered) {
        this.subscriber = subscriber;
        this.cycle = cycle;
        this.engine = engine;
        this.from = BillingCycle.start(cycle);
        this.to = BillingCycle.end(cycle);
        boolean[] flags = Bill.checkAndFlag(subscriber, cycle, ordered);
        this.ordered = new ArrayList<>(ordered);
        this.ids = new HashSet<>(ordered.size() * 2);
        this.rated = new ArrayList<>(ordered.size());
        this.fold = engine.fold(ordered);
        for (int i = 0; i < ordered.size(); i++) {
            UsageRecord r = ordered.get(i);
            ids.add(r.id());
            rated.add(fold.rate(r));
            if (flags[i]) {
                concurrent.set(i);
            }
            if (latest == null || UsageRecord.TIE_BREAK.compare(r, latest) > 0) {
                latest = r;
            }
        }
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
     * Adds {@code record} at the end of the bill when the causal order of the grown set puts it there and rating it
     * after the others is rating the grown set; otherwise returns {@code false} and leaves the bill as it was.
     *
     * @throws IllegalStateException if an earlier rating failed half-way ({@link #isBroken})
     * @throws RuntimeException what rating the record threw; the bill is then broken and must be rebuilt
     */
    public boolean append(UsageRecord record) {
        Objects.requireNonNull(record, "record must not be null");
        if (broken) {
            throw new IllegalStateException("the running bill of " + subscriber + " " + cycle + " is broken by an "
                    + "earlier failure; rebuild it");
        }
        if (!record.subscriber().equals(subscriber) || record.start().isBefore(from) || !record.start().isBefore(to)
                || ids.contains(record.id())) {
            return false;
        }
        if (record.usage() instanceof Usage.Call && ((Usage.Call) record.usage()).isPartial()) {
            return false;
        }
        if (latest != null && UsageRecord.TIE_BREAK.compare(record, latest) <= 0) {
            return false;
        }
        Causality withLast = null;
        for (int i = ordered.size() - 1; i >= 0; i--) {
            Causality c = record.clock().compare(ordered.get(i).clock());
            if (c == Causality.BEFORE || c == Causality.EQUAL) {
                return false;
            }
            if (withLast == null) {
                withLast = c;
            }
        }
        RatedLine line;
        try {
            line = fold.rate(record);
        } catch (RuntimeException e) {
            broken = true;
            throw e;
        }
        int at = ordered.size();
        ordered.add(record);
        rated.add(line);
        ids.add(record.id());
        latest = record;
        if (withLast == Causality.CONCURRENT) {
            concurrent.set(at - 1);
            concurrent.set(at);
        }
        return true;
    }

    /** The bill now, as {@link Bill#compute} gives it for these records in causal order. */
    public Bill bill(long version, BillStatus status, Instant updatedAt, LineMarks marks) {
        Objects.requireNonNull(marks, "marks must not be null");
        if (broken) {
            throw new IllegalStateException("the running bill of " + subscriber + " " + cycle + " is broken by an "
                    + "earlier failure; rebuild it");
        }
        RatedUsage usage = RatedUsage.of(rated, fold.bundleUsage());
        List<BillLine> lines = new ArrayList<>(rated.size());
        for (int i = 0; i < rated.size(); i++) {
            RatedLine line = rated.get(i);
            lines.add(new BillLine(i + 1, line, concurrent.get(i), marks.missingDependencies(line.eventId()),
                    marks.cloneSuspect(line.eventId())));
        }
        return new Bill(subscriber, cycle, version, status, engine.tariff().id(), lines, usage.calls(), usage.sms(),
                usage.data(), usage.total(), usage.bundles(), updatedAt);
    }

    /** The number of records on the bill. */
    public int size() {
        return ordered.size();
    }

    /** Whether a rating failed half-way through {@link #append}; a broken bill must be rebuilt with {@link #of}. */
    public boolean isBroken() {
        return broken;
    }
}
