package dev.dabba.agent;

import dev.dabba.clock.ClockSkewException;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.util.Objects;

/**
 * The clocks of one tower and the rules for moving them: stamping a record ticks the tower's own entry, a handover
 * carries the clock to the next tower, receiving one merges it.
 *
 * <p>The own entry counts the records the tower stamped and nothing else (sends and receives merge knowledge without
 * ticking), so it doubles as a dense per-tower sequence number: the {@link EventId}. Restricting a vector clock to
 * such "relevant events" still characterizes happens-before among them exactly. Not thread-safe: {@link EdgeAgent}
 * guards it.
 */
public final class TowerClock {

    private final NodeId node;
    private final HybridLogicalClock hlc;
    private VectorClock clock = VectorClock.empty();

    public TowerClock(NodeId node, HybridLogicalClock hlc) {
        this(node, hlc, VectorClock.empty());
    }

    /** A tower clock resuming from {@code clock}, as recovered after a restart. */
    public TowerClock(NodeId node, HybridLogicalClock hlc, VectorClock clock) {
        this.node = Objects.requireNonNull(node, "node");
        this.hlc = Objects.requireNonNull(hlc, "hlc");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The tower this clock belongs to. */
    public NodeId node() {
        return node;
    }

    /** The tower's current vector clock. */
    public VectorClock clock() {
        return clock;
    }

    /** Stamps a record: the tower's own entry and its hybrid clock tick. */
    public UsageRecord stamp(Msisdn subscriber, java.time.Instant start, Usage usage) {
        VectorClock next = clock.increment(node);
        HybridTimestamp ts = hlc.now();
        UsageRecord record = new UsageRecord(new EventId(node, next.get(node)), subscriber, start, ts, next, usage);
        clock = next;
        return record;
    }

    /**
     * Adopts an epoch announcement: merges its base into this tower's clock, a receive event (the base is knowledge
     * the stream job really has), so no false causality arises. From then on the clock, and every record it stamps,
     * is stored and encoded relative to the epoch. Adopting an older epoch than the current one changes nothing.
     */
    public void adopt(Epoch epoch) {
        clock = clock.merge(epoch.baseClock());
    }

    /**
     * Takes back stamps that could not be stored: sets the clock back to {@code before}, a clock this tower had
     * before stamping them. Only the stamps' own-entry ticks may be undone, so event ids stay dense (a gap would stall
     * the stream job's causal frontier) and never repeat for stored records.
     */
    void rollBack(VectorClock before) {
        clock = before;
    }

    /** The hybrid clock's last timestamp. */
    public HybridTimestamp lastHybridTimestamp() {
        return hlc.last();
    }

    /** The handover message that passes {@code subscriber} and this tower's knowledge to {@code target}. */
    public Handover handover(Msisdn subscriber, NodeId target) {
        return new Handover(node, target, subscriber, clock, hlc.now());
    }

    /**
     * Merges a neighbour's handover. The causal knowledge is always merged (dropping it would create false
     * concurrency); a hybrid timestamp beyond the maximum offset is not absorbed, and the skew is rethrown after the
     * merge for the caller to report.
     *
     * @throws IllegalArgumentException if the handover is addressed to another tower
     * @throws ClockSkewException after merging, if the sender's hybrid clock is too far ahead
     */
    public void receive(Handover handover) {
        if (!handover.to().equals(node)) {
            throw new IllegalArgumentException("handover addressed to " + handover.to() + " delivered to " + node);
        }
        clock = clock.merge(handover.clock());
        hlc.update(handover.hlc());
    }
}
