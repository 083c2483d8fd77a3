package dev.dabba.record;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Objects;

/**
 * One usage record as a tower or sensor stamped it: who used what, when, and the clocks that place it causally.
 *
 * <p>The vector clock's entry for the origin node equals the event id's sequence: the stamp is the origin's local
 * event, so the id and the clock can never disagree. That entry is above the clock's epoch base, because stamping
 * ticks it after the epoch was adopted.
 *
 * <p>{@code start} is kept to the millisecond and must not precede 1970: the wire carries it as non-negative epoch
 * milliseconds, so a record holds exactly what survives encoding.
 */
public record UsageRecord(
        EventId id, Msisdn subscriber, Instant start, HybridTimestamp hlc, VectorClock clock, Usage usage) {

    /**
     * The deterministic order among causally concurrent records: hybrid timestamp, then origin node, then sequence.
     * It is a total order on distinct event ids, so every replica sorts concurrent records the same way.
     */
    public static final Comparator<UsageRecord> TIE_BREAK = Comparator
            .comparing(UsageRecord::hlc)
            .thenComparing(r -> r.id().origin())
            .thenComparingLong(r -> r.id().sequence());

    /** The latest start a record can have: the wire carries the start as epoch milliseconds in a signed long. */
    private static final Instant LATEST_START = Instant.ofEpochMilli(Long.MAX_VALUE);

    public UsageRecord {
        Objects.requireNonNull(id, "record id must not be null");
        Objects.requireNonNull(subscriber, "record subscriber must not be null");
        Objects.requireNonNull(start, "record start must not be null");
        Objects.requireNonNull(hlc, "record hlc must not be null");
        Objects.requireNonNull(clock, "record clock must not be null");
        Objects.requireNonNull(usage, "record usage must not be null");
        if (start.isBefore(Instant.EPOCH) || start.isAfter(LATEST_START)) {
            throw new IllegalArgumentException("record start must be between " + Instant.EPOCH + " and "
                    + LATEST_START + " (non-negative epoch milliseconds, as the wire carries it), was " + start);
        }
        start = start.truncatedTo(ChronoUnit.MILLIS);
        long own = clock.get(id.origin());
        if (own != id.sequence()) {
            throw new IllegalArgumentException("record clock entry of its origin " + id.origin() + " must equal the "
                    + "event id sequence " + id.sequence() + ", was " + own);
        }
        long base = clock.epoch().base(id.origin().value());
        if (own <= base) {
            throw new IllegalArgumentException("record clock entry of its origin " + id.origin() + " must be above "
                    + "the base " + base + " of its epoch " + clock.epoch().number() + " (stamping ticks it), was "
                    + own);
        }
    }

    /** The node that stamped this record. */
    public NodeId origin() {
        return id.origin();
    }
}
