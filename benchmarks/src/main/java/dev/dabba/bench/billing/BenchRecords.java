package dev.dabba.bench.billing;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A realistic month of one subscriber's usage for the rating benchmarks: 60% data sessions of any size up to 64 MiB
 * (not MiB multiples), 30% calls of 1 s to 20 min at any time of day, 10% SMS, moving across 8 towers with
 * handovers, so clocks grow the way they do in the field. Deterministic for a seed.
 */
final class BenchRecords {

    static final Msisdn SUBSCRIBER = Msisdn.of("+91-9876543210");
    private static final Msisdn PEER = Msisdn.of("+91-9876543211");
    /** 1 March 2025 00:00 in Mumbai. */
    private static final Instant CYCLE_START = Instant.parse("2025-02-28T18:30:00Z");

    private BenchRecords() {
    }

    static List<UsageRecord> month(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> known = new TreeMap<>();
        List<UsageRecord> out = new ArrayList<>(count);
        String tower = "MUMBAI_T0";
        long spacingSeconds = 27L * 86_400 / count;
        for (int i = 0; i < count; i++) {
            if (random.nextInt(10) == 0) {
                tower = "MUMBAI_T" + random.nextInt(8);
            }
            long sequence = known.getOrDefault(tower, 0L) + 1;
            known.put(tower, sequence);
            Instant start = CYCLE_START.plusSeconds(i * spacingSeconds + random.nextInt((int) spacingSeconds));
            int kind = random.nextInt(10);
            Usage usage;
            if (kind < 6) {
                usage = new Usage.Data(RadioType.values()[random.nextInt(3)], random.nextLong(1L << 22),
                        random.nextLong(1L << 26));
            } else if (kind < 9) {
                usage = new Usage.Call(PEER, CallType.values()[random.nextInt(3)], 1 + random.nextInt(1200));
            } else {
                usage = new Usage.Sms(PEER);
            }
            out.add(new UsageRecord(new EventId(NodeId.of(tower), sequence), SUBSCRIBER, start,
                    new HybridTimestamp(start.toEpochMilli(), 0), VectorClock.of(new TreeMap<>(known)), usage));
        }
        return out;
    }
}
