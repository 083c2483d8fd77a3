package dev.dabba.billing;

import dev.dabba.clock.Causality;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One version of a subscriber's bill for one billing cycle: the rated lines in causal order (its timeline), the
 * subtotals for calls, SMS and data, the total, and how much of each bundle of the plan was used.
 *
 * <p>A bill is a deterministic function of the set of unique records of its cycle and the tariff: {@link #compute}
 * is what the stream job calls each time that set grows, with a higher {@code version}, and the store keeps only the
 * highest version it has seen.
 */
public record Bill(
        Msisdn subscriber,
        YearMonth cycle,
        long version,
        BillStatus status,
        String tariffId,
        List<BillLine> lines,
        Money calls,
        Money sms,
        Money data,
        Money total,
        List<BundleUsage> bundles,
        Instant updatedAt) {

    public Bill {
        Objects.requireNonNull(subscriber, "bill subscriber must not be null");
        Objects.requireNonNull(cycle, "bill cycle must not be null");
        if (version < 1) {
            throw new IllegalArgumentException("bill version must be at least 1, was " + version);
        }
        Objects.requireNonNull(status, "bill status must not be null");
        Objects.requireNonNull(tariffId, "bill tariffId must not be null");
        lines = List.copyOf(Objects.requireNonNull(lines, "bill lines must not be null"));
        Objects.requireNonNull(updatedAt, "bill updatedAt must not be null");
        List<RatedLine> rated = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            BillLine line = lines.get(i);
            if (line.position() != i + 1) {
                throw new IllegalArgumentException("bill lines must be numbered 1.." + lines.size()
                        + " in order; line " + (i + 1) + " has position " + line.position());
            }
            rated.add(line.rated());
        }
        Objects.requireNonNull(calls, "bill calls must not be null");
        Objects.requireNonNull(sms, "bill sms must not be null");
        Objects.requireNonNull(data, "bill data must not be null");
        Objects.requireNonNull(total, "bill total must not be null");
        bundles = List.copyOf(Objects.requireNonNull(bundles, "bill bundles must not be null"));
        try {
            // Checks every subtotal and the total against the lines, naming the first that disagrees.
            new RatedUsage(rated, calls, sms, data, total, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bill " + subscriber + " " + cycle + " version " + version + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Rates one subscriber's records for one cycle into a bill.
     *
     * @param recordsInCausalOrder the cycle's records, deduplicated by event id and sorted by
     *     {@code CausalOrder.sort}; each must belong to {@code subscriber} and start within {@code cycle}
     *     (see {@link BillingCycle#of})
     * @throws IllegalArgumentException naming the offending record if one belongs to another subscriber or cycle,
     *     appears twice, or comes after a record it happened before
     */
    public static Bill compute(Msisdn subscriber, YearMonth cycle, long version, BillStatus status,
            List<UsageRecord> recordsInCausalOrder, Tariff tariff, Instant updatedAt) {
        return compute(subscriber, cycle, version, status, recordsInCausalOrder, tariff, updatedAt, LineMarks.NONE);
    }

    /**
     * As {@link #compute(Msisdn, YearMonth, long, BillStatus, List, Tariff, Instant)}, with each line flagged as
     * {@code marks} says (released incomplete, cloned-SIM suspect).
     */
    public static Bill compute(Msisdn subscriber, YearMonth cycle, long version, BillStatus status,
            List<UsageRecord> recordsInCausalOrder, Tariff tariff, Instant updatedAt, LineMarks marks) {
        Objects.requireNonNull(tariff, "tariff must not be null");
        return compute(subscriber, cycle, version, status, recordsInCausalOrder, RatingEngine.of(tariff), updatedAt,
                marks);
    }

    /**
     * As {@link #compute(Msisdn, YearMonth, long, BillStatus, List, Tariff, Instant, LineMarks)} with a rating engine
     * compiled once (the stream job computes many bills with one tariff).
     */
    public static Bill compute(Msisdn subscriber, YearMonth cycle, long version, BillStatus status,
            List<UsageRecord> recordsInCausalOrder, RatingEngine engine, Instant updatedAt, LineMarks marks) {
        Objects.requireNonNull(marks, "marks must not be null");
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        Objects.requireNonNull(recordsInCausalOrder, "records must not be null");
        Objects.requireNonNull(engine, "engine must not be null");
        Tariff tariff = engine.tariff();
        boolean[] concurrent = checkAndFlag(subscriber, cycle, recordsInCausalOrder);
        RatedUsage usage = engine.rate(recordsInCausalOrder);
        List<BillLine> lines = new ArrayList<>(usage.lines().size());
        for (int i = 0; i < usage.lines().size(); i++) {
            RatedLine rated = usage.lines().get(i);
            lines.add(new BillLine(i + 1, rated, concurrent[i], marks.missingDependencies(rated.eventId()),
                    marks.cloneSuspect(rated.eventId())));
        }
        return new Bill(subscriber, cycle, version, status, tariff.id(), lines, usage.calls(), usage.sms(),
                usage.data(), usage.total(), usage.bundles(), updatedAt);
    }

    /** The sum of the lines' exact amounts, before any rounding. */
    public BigDecimal exactTotal() {
        BigDecimal sum = BigDecimal.ZERO;
        for (BillLine line : lines) {
            sum = sum.add(line.rated().exactPaisa());
        }
        return Amounts.normalize(sum);
    }

    /** The number of lines (usage events) on the bill. */
    public int eventCount() {
        return lines.size();
    }

    /**
     * Checks that every record belongs to the subscriber and cycle, appears once, and comes after none it happened
     * before; returns, per record, whether it is causally concurrent with a neighbouring record. One clock
     * comparison per neighbouring pair serves both.
     */
    static boolean[] checkAndFlag(Msisdn subscriber, YearMonth cycle, List<UsageRecord> records) {
        Instant from = BillingCycle.start(cycle);
        Instant to = BillingCycle.end(cycle);
        Set<EventId> seen = new HashSet<>(records.size() * 2);
        boolean[] concurrent = new boolean[records.size()];
        UsageRecord previous = null;
        for (int i = 0; i < records.size(); i++) {
            UsageRecord r = records.get(i);
            Objects.requireNonNull(r, "records must not contain null");
            if (!r.subscriber().equals(subscriber)) {
                throw new IllegalArgumentException("record " + r.id() + " belongs to subscriber " + r.subscriber()
                        + ", not " + subscriber);
            }
            if (r.start().isBefore(from) || !r.start().isBefore(to)) {
                throw new IllegalArgumentException("record " + r.id() + " starts at " + r.start() + ", in cycle "
                        + BillingCycle.of(r.start()) + ", not " + cycle);
            }
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException("record " + r.id() + " appears twice; deduplicate by event id "
                        + "before billing");
            }
            if (previous != null) {
                Causality c = r.clock().compare(previous.clock());
                if (c == Causality.BEFORE) {
                    throw new IllegalArgumentException("records must be in causal order: " + r.id()
                            + " happened before " + previous.id() + " but comes after it");
                }
                if (c == Causality.CONCURRENT) {
                    concurrent[i] = true;
                    concurrent[i - 1] = true;
                }
            }
            previous = r;
        }
        return concurrent;
    }
}
