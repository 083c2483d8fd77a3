package dev.dabba.record;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.util.Objects;

/**
 * A handover of a subscriber from one tower to the next, carrying the sending tower's clocks.
 *
 * <p>The receiving tower merges {@code clock} and updates its hybrid clock with {@code hlc} before it stamps the
 * subscriber's next record, so every later record there happens after every record the sender had stamped.
 */
public record Handover(NodeId from, NodeId to, Msisdn subscriber, VectorClock clock, HybridTimestamp hlc) {

    public Handover {
        Objects.requireNonNull(from, "handover from must not be null");
        Objects.requireNonNull(to, "handover to must not be null");
        Objects.requireNonNull(subscriber, "handover subscriber must not be null");
        Objects.requireNonNull(clock, "handover clock must not be null");
        Objects.requireNonNull(hlc, "handover hlc must not be null");
        if (from.equals(to)) {
            throw new IllegalArgumentException("handover from and to must differ, both were " + from);
        }
    }
}
