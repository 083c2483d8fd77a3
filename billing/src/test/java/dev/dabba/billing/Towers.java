package dev.dabba.billing;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Test towers that stamp records with real vector clocks and pass causality along on handover. */
final class Towers {

    private final Map<NodeId, VectorClock> clocks = new HashMap<>();

    /** A record stamped at {@code tower}: its own clock entry ticks and becomes the event sequence. */
    UsageRecord stamp(NodeId tower, Msisdn subscriber, Instant start, Usage usage) {
        VectorClock clock = clockOf(tower).increment(tower);
        clocks.put(tower, clock);
        return new UsageRecord(new EventId(tower, clock.get(tower)), subscriber, start,
                new HybridTimestamp(start.toEpochMilli(), 0), clock, usage);
    }

    /** {@code to} learns everything {@code from} knows, before it stamps the subscriber's next record. */
    void handover(NodeId from, NodeId to) {
        clocks.put(to, clockOf(to).merge(clockOf(from)));
    }

    private VectorClock clockOf(NodeId tower) {
        return clocks.getOrDefault(tower, VectorClock.empty());
    }
}
