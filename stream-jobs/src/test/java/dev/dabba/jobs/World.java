package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
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

/** Towers that stamp records with real clocks: handovers merge clocks, epochs are adopted by merging bases. */
final class World {

    private final Map<String, VectorClock> clocks = new HashMap<>();

    VectorClock clock(String tower) {
        return clocks.getOrDefault(tower, VectorClock.empty());
    }

    /** The tower stamps a record: its own entry ticks; the hybrid timestamp is the start. */
    UsageRecord stamp(String tower, Msisdn subscriber, Instant start, Usage usage) {
        VectorClock c = clock(tower).increment(NodeId.of(tower));
        clocks.put(tower, c);
        return new UsageRecord(new EventId(NodeId.of(tower), c.get(tower)), subscriber, start,
                new HybridTimestamp(start.toEpochMilli(), 0), c, usage);
    }

    /** {@code from} hands a subscriber over to {@code to} with its clock. */
    void handover(String from, String to) {
        clocks.put(to, clock(to).merge(clock(from)));
    }

    /** {@code tower} adopts {@code epoch}: it merges the base. */
    void adopt(String tower, Epoch epoch) {
        clocks.put(tower, clock(tower).merge(epoch.baseClock()));
    }
}
