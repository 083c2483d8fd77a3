package dev.dabba.clock;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): monotone even when the wall clock steps back, and within a bounded
 * offset of physical time.
 *
 * <p>Remote timestamps further ahead than {@code maxOffset} are rejected with {@link ClockSkewException}, never
 * silently absorbed (absorbing one would drag this node's clock forward with the faulty peer). When the logical
 * counter would overflow, the clock moves its wall part one millisecond ahead instead, which keeps it monotone.
 *
 * <p>Not thread-safe on its own; callers that stamp from several threads synchronize around it.
 */
public final class HybridLogicalClock {

    private final Clock wallClock;
    private final Duration maxOffset;
    private HybridTimestamp last = HybridTimestamp.ZERO;

    public HybridLogicalClock(Clock wallClock, Duration maxOffset) {
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.maxOffset = Objects.requireNonNull(maxOffset, "maxOffset");
        if (maxOffset.isNegative() || maxOffset.isZero()) {
            throw new IllegalArgumentException("maxOffset must be positive, was " + maxOffset);
        }
    }

    /** A timestamp for a local or send event, strictly greater than every timestamp this clock returned before. */
    public HybridTimestamp now() {
        long physical = wallClock.millis();
        last = physical > last.wallMillis() ? new HybridTimestamp(physical, 0) : tick(last);
        return last;
    }

    /**
     * A timestamp for receiving {@code remote}: greater than both {@code remote} and every timestamp returned before.
     *
     * @throws ClockSkewException if {@code remote} is more than the maximum offset ahead of the local wall clock
     */
    public HybridTimestamp update(HybridTimestamp remote) {
        long physical = wallClock.millis();
        if (remote.wallMillis() - physical > maxOffset.toMillis()) {
            throw new ClockSkewException(remote, physical, maxOffset);
        }
        long wall = Math.max(physical, Math.max(last.wallMillis(), remote.wallMillis()));
        HybridTimestamp next;
        if (wall == last.wallMillis() && wall == remote.wallMillis()) {
            next = tick(new HybridTimestamp(wall, Math.max(last.logical(), remote.logical())));
        } else if (wall == last.wallMillis()) {
            next = tick(last);
        } else if (wall == remote.wallMillis()) {
            next = tick(remote);
        } else {
            next = new HybridTimestamp(wall, 0);
        }
        last = next;
        return next;
    }

    /** The last timestamp returned, or {@link HybridTimestamp#ZERO}. */
    public HybridTimestamp last() {
        return last;
    }

    private static HybridTimestamp tick(HybridTimestamp t) {
        return t.logical() == Integer.MAX_VALUE
                ? new HybridTimestamp(t.wallMillis() + 1, 0)
                : new HybridTimestamp(t.wallMillis(), t.logical() + 1);
    }
}
