package dev.dabba.gateway.testing;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Record batches as tower agents publish them (wire format v2, zstd above the threshold), for tests and benchmarks. */
public final class Batches {

    private static final RecordCodec CODEC = RecordCodec.standard();
    private static final Instant START = Instant.parse("2026-11-26T04:30:00Z");

    private Batches() {
    }

    /** One encoded batch with the event ids of its records. */
    public record Encoded(NodeId origin, byte[] payload, List<String> eventIds) {
    }

    /** Records {@code firstSequence .. firstSequence + count - 1} of {@code node}: data sessions of 100 subscribers. */
    public static Encoded batch(NodeId node, long firstSequence, int count) {
        List<UsageRecord> records = new ArrayList<>(count);
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = firstSequence + i;
            Instant at = START.plusMillis(seq * 10);
            UsageRecord r = new UsageRecord(new EventId(node, seq),
                    Msisdn.of("+9198765" + String.format("%05d", seq % 100)), at,
                    new HybridTimestamp(at.toEpochMilli(), 0), VectorClock.of(Map.of(node.value(), seq)),
                    new Usage.Data(RadioType.G4, 1_000 + seq, 50_000 + seq));
            records.add(r);
            ids.add(r.id().toString());
        }
        return new Encoded(node, CODEC.encodeBatch(new RecordBatch(node, records)), ids);
    }

    /** {@code batches} consecutive batches of {@code size} records of {@code node}, from sequence 1. */
    public static List<Encoded> stream(NodeId node, int batches, int size) {
        List<Encoded> out = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            out.add(batch(node, 1L + (long) b * size, size));
        }
        return out;
    }
}
