package dev.dabba.clock;

import java.time.Instant;

/**
 * A hybrid logical timestamp: wall-clock milliseconds plus a logical counter that orders events within one
 * millisecond and across clock regressions.
 *
 * <p>Ordered by {@code wallMillis}, then {@code logical}. Used to break ties between causally concurrent events
 * deterministically and to drive event-time watermarks; never to decide causality.
 */
public record HybridTimestamp(long wallMillis, int logical) implements Comparable<HybridTimestamp> {

    /** The smallest timestamp. */
    public static final HybridTimestamp ZERO = new HybridTimestamp(0L, 0);

    public HybridTimestamp {
        if (wallMillis < 0) {
            throw new IllegalArgumentException("hlc wallMillis must be non-negative, was " + wallMillis);
        }
        if (logical < 0) {
            throw new IllegalArgumentException("hlc logical must be non-negative, was " + logical);
        }
    }

    /** The wall-clock part as an instant. */
    public Instant wallTime() {
        return Instant.ofEpochMilli(wallMillis);
    }

    @Override
    public int compareTo(HybridTimestamp o) {
        int c = Long.compare(wallMillis, o.wallMillis);
        return c != 0 ? c : Integer.compare(logical, o.logical);
    }

    @Override
    public String toString() {
        return wallMillis + "." + logical;
    }
}
