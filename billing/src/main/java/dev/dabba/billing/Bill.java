package dev.dabba.billing;

import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One version of a subscriber's bill for one billing cycle: the rated lines in causal order, the subtotals for
 * calls, SMS and data, and the total.
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
        try {
            // Checks every subtotal and the total against the lines, naming the first that disagrees.
            new RatedUsage(rated, calls, sms, data, total);
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
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        Objects.requireNonNull(recordsInCausalOrder, "records must not be null");
        Objects.requireNonNull(tariff, "tariff must not be null");
        requireBelongs(subscriber, cycle, recordsInCausalOrder);
        RatedUsage usage = RatingEngine.rate(recordsInCausalOrder, tariff);
        List<BillLine> lines = new ArrayList<>(usage.lines().size());
        for (int i = 0; i < usage.lines().size(); i++) {
            lines.add(new BillLine(i + 1, usage.lines().get(i), concurrentWithNeighbour(recordsInCausalOrder, i)));
        }
        return new Bill(subscriber, cycle, version, status, tariff.id(), lines, usage.calls(), usage.sms(),
                usage.data(), usage.total(), updatedAt);
    }

    /** The number of lines (usage events) on the bill. */
    public int eventCount() {
        return lines.size();
    }

    private static void requireBelongs(Msisdn subscriber, YearMonth cycle, List<UsageRecord> records) {
        Set<EventId> seen = new HashSet<>(records.size() * 2);
        UsageRecord previous = null;
        for (UsageRecord r : records) {
            Objects.requireNonNull(r, "records must not contain null");
            if (!r.subscriber().equals(subscriber)) {
                throw new IllegalArgumentException("record " + r.id() + " belongs to subscriber " + r.subscriber()
                        + ", not " + subscriber);
            }
            YearMonth recordCycle = BillingCycle.of(r.start());
            if (!recordCycle.equals(cycle)) {
                throw new IllegalArgumentException("record " + r.id() + " starts at " + r.start() + ", in cycle "
                        + recordCycle + ", not " + cycle);
            }
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException("record " + r.id() + " appears twice; deduplicate by event id "
                        + "before billing");
            }
            if (previous != null && r.clock().happensBefore(previous.clock())) {
                throw new IllegalArgumentException("records must be in causal order: " + r.id()
                        + " happened before " + previous.id() + " but comes after it");
            }
            previous = r;
        }
    }

    private static boolean concurrentWithNeighbour(List<UsageRecord> records, int i) {
        UsageRecord r = records.get(i);
        return (i > 0 && r.clock().isConcurrent(records.get(i - 1).clock()))
                || (i + 1 < records.size() && r.clock().isConcurrent(records.get(i + 1).clock()));
    }
}
