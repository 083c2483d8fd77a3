package dev.dabba.record;

import dev.dabba.clock.ClockWorld;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of records, batches, handovers and epochs for codec property tests, and typical sample batches. */
final class RecordArbitraries {

    private RecordArbitraries() {
    }

    static Arbitrary<Msisdn> msisdns() {
        return Arbitraries.strings().numeric().ofMinLength(Msisdn.MIN_DIGITS).ofMaxLength(Msisdn.MAX_DIGITS)
                .map(digits -> Msisdn.of("+" + digits));
    }

    static Arbitrary<Usage> usages() {
        Arbitrary<Long> amount = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Usage> call = Combinators.combine(msisdns(), Arbitraries.of(CallType.class), amount)
                .as(Usage.Call::new);
        Arbitrary<Usage.CallPart> part = Combinators.combine(
                Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(64),
                Arbitraries.integers().between(1, Integer.MAX_VALUE), Arbitraries.of(true, false))
                .as(Usage.CallPart::new);
        Arbitrary<Usage> partialCall = Combinators.combine(msisdns(), Arbitraries.of(CallType.class), amount, part)
                .as(Usage.Call::new);
        Arbitrary<Usage> sms = msisdns().map(Usage.Sms::new);
        Arbitrary<Usage> data = Combinators.combine(Arbitraries.of(RadioType.class), amount, amount)
                .as((radio, up, down) -> new Usage.Data(radio, up, Math.min(down, Long.MAX_VALUE - up)));
        return Arbitraries.oneOf(call, partialCall, sms, data);
    }

    /** Epoch milliseconds: mostly around now, sometimes anywhere a long reaches. */
    static Arbitrary<Long> millis() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(1_700_000_000_000L, 1_800_000_000_000L)),
                Tuple.of(1, Arbitraries.longs().between(0, Long.MAX_VALUE)));
    }

    /** The fields of a record other than its clock, which needs a world to live in. */
    record Fields(int origin, Msisdn subscriber, long startMillis, long hlcWall, int hlcLogical, Usage usage,
            ClockWorld.Shape clock) {

        UsageRecord in(ClockWorld world, NodeId originId) {
            VectorClock clock = world.clock(this.clock).clock().increment(originId); // stamping ticks the own entry
            return new UsageRecord(new EventId(originId, clock.get(originId)), subscriber,
                    Instant.ofEpochMilli(startMillis), new HybridTimestamp(hlcWall, hlcLogical), clock, usage);
        }

        UsageRecord in(ClockWorld world) {
            return in(world, NodeId.of(ClockWorld.POOL.get(origin)));
        }
    }

    static Arbitrary<Fields> fields() {
        return Combinators.combine(Arbitraries.integers().between(0, ClockWorld.POOL.size() - 1), msisdns(), millis(),
                        millis(), Arbitraries.integers().between(0, Integer.MAX_VALUE), usages(), ClockWorld.shapes())
                .as(Fields::new);
    }

    /** An epoch with random members (random ids, random order) and random base counters. */
    static Arbitrary<Epoch> epochs() {
        Arbitrary<List<String>> ids = Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(12)
                .list().uniqueElements().ofMaxSize(20);
        Arbitrary<List<Long>> bases = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0L)),
                Tuple.of(3, Arbitraries.longs().between(1, 300)),
                Tuple.of(1, Arbitraries.longs().between(0, Long.MAX_VALUE))).list().ofSize(20);
        return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), ids, bases).as((n, names, b) -> {
            List<NodeId> nodes = new ArrayList<>();
            long[] base = new long[names.size()];
            for (int i = 0; i < names.size(); i++) {
                nodes.add(NodeId.of(names.get(i)));
                base[i] = b.get(i);
            }
            return Epoch.of(n, NodeTable.of(nodes), base);
        });
    }

    /**
     * Typical batches, uncompressed: a tower's records in an epoch with a few handed-over entries. Deterministic, for
     * training a dictionary and seeding the fuzzer.
     */
    static List<byte[]> sampleBatches(int count, long seed) {
        Random random = new Random(seed);
        Epoch epoch = sampleEpoch();
        List<NodeId> towers = epoch.members().nodes();
        List<byte[]> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            NodeId origin = towers.get(random.nextInt(towers.size()));
            VectorClock clock = epoch.baseClock();
            List<UsageRecord> records = new ArrayList<>();
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                if (random.nextInt(4) == 0) {
                    NodeId neighbour = towers.get(random.nextInt(towers.size()));
                    clock = clock.merge(epoch.baseClock().increment(neighbour).increment(neighbour));
                }
                clock = clock.increment(origin);
                long start = 1_700_000_000_000L + b * 1_000L + i * 37L;
                Msisdn subscriber = Msisdn.of("+9198" + (10_000_000 + random.nextInt(90_000_000)));
                Usage usage = random.nextBoolean()
                        ? new Usage.Call(Msisdn.of("+9198" + (10_000_000 + random.nextInt(90_000_000))),
                                CallType.values()[random.nextInt(3)], random.nextInt(600))
                        : new Usage.Data(RadioType.values()[random.nextInt(3)], random.nextInt(1 << 20),
                                random.nextInt(1 << 26));
                records.add(new UsageRecord(new EventId(origin, clock.get(origin)), subscriber,
                        Instant.ofEpochMilli(start), new HybridTimestamp(start + random.nextInt(50), random.nextInt(3)),
                        clock, usage));
            }
            out.add(RecordCodec.withoutCompression().encodeBatch(new RecordBatch(origin, records)));
        }
        return out;
    }

    /** The epoch {@link #sampleBatches} stamps in, for decoding them. */
    static Epoch sampleEpoch() {
        Random random = new Random(0);
        List<NodeId> towers = new ArrayList<>();
        long[] base = new long[40];
        for (int i = 0; i < base.length; i++) {
            towers.add(NodeId.of(String.format("MUMBAI_%03d", i)));
            base[i] = 1_000 + random.nextInt(1_000);
        }
        return Epoch.of(12, NodeTable.of(towers), base);
    }
}
