package dev.dabba.bench.clock;

import dev.dabba.clock.Causality;
import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Compare, merge, encode and decode of one clock with {@code entries} non-zero entries, in Dabba's
 * {@link VectorClock} and in the two baselines, all in one run.
 *
 * <p>Dabba's clocks here are in the genesis epoch, so every entry is in the delta and spelled out by name on the wire:
 * no epoch helps; this is Dabba's worst case, a node that has not adopted an epoch yet. The same logical clocks in an
 * epoch are {@link ClockOpsInEpochBenchmark}, and 10,000 towers in an epoch {@link EpochDeltaBenchmark}. The clocks
 * are {@link ClockSet}'s: compare is of a clock with the same clock one entry later (BEFORE: every implementation
 * must look at every entry), merge is with a partner three entries higher and three lower (the result is a new
 * clock), and encode and decode are of a handover message carrying the clock. Node ids are distinct string instances
 * in each clock, as after decoding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClockOpsBenchmark {

    @Param({"1", "4", "16", "100", "1000"})
    public int entries;

    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    private VectorClock dabbaA;
    private VectorClock dabbaB;
    private VectorClock dabbaM;
    private HashMapClock hashA;
    private HashMapClock hashB;
    private HashMapClock hashM;
    private SortedMapClock sortedA;
    private SortedMapClock sortedB;
    private SortedMapClock sortedM;
    private Handover handover;
    private byte[] dabbaBytes;
    private byte[] hashBytes;
    private byte[] sortedBytes;

    @Setup
    public void setup() {
        ClockSet set = ClockSet.of(entries);
        Map<String, Long> a = set.a;
        Map<String, Long> b = set.b;
        Map<String, Long> m = set.m;

        dabbaA = VectorClock.of(a);
        dabbaB = VectorClock.of(b);
        dabbaM = VectorClock.of(m);
        hashA = ClockFixtures.hashMap(a);
        hashB = ClockFixtures.hashMap(b);
        hashM = ClockFixtures.hashMap(m);
        sortedA = ClockFixtures.sortedMap(a);
        sortedB = ClockFixtures.sortedMap(b);
        sortedM = ClockFixtures.sortedMap(m);

        handover = new Handover(NodeId.of(ClockFixtures.FROM), NodeId.of(ClockFixtures.TO),
                Msisdn.of(ClockFixtures.SUBSCRIBER), dabbaA,
                new HybridTimestamp(ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL));
        dabbaBytes = CODEC.encodeHandover(handover);
        hashBytes = HashMapClock.encodeHandover(ClockFixtures.FROM, ClockFixtures.TO, ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, hashA);
        sortedBytes = SortedMapClock.encodeHandover(ClockFixtures.FROM, ClockFixtures.TO, ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, sortedA);

        // All three agree, so they measure the same work.
        ClockFixtures.check(dabbaA.compare(dabbaB) == Causality.BEFORE, "dabba compare");
        ClockFixtures.check(ClockFixtures.causality(hashA.compare(hashB)) == Causality.BEFORE, "hash compare");
        ClockFixtures.check(ClockFixtures.causality(sortedA.compare(sortedB)) == Causality.BEFORE, "sorted compare");
        ClockFixtures.check(dabbaA.merge(dabbaM).entries().equals(sortedA.merge(sortedM).versions), "merge");
        ClockFixtures.check(hashA.merge(hashM).versions.equals(sortedA.merge(sortedM).versions), "merge");
        ClockFixtures.check(HashMapClock.decodeHandoverClock(hashBytes).versions.equals(a), "json");
        ClockFixtures.check(SortedMapClock.decodeHandoverClock(sortedBytes).versions.equals(a), "binary");
        ClockFixtures.check(decode_dabba().equals(dabbaA), "dabba codec");
    }

    @Benchmark
    public Causality compare_dabba() {
        return dabbaA.compare(dabbaB);
    }

    @Benchmark
    public int compare_hashMap() {
        return hashA.compare(hashB);
    }

    @Benchmark
    public int compare_sortedMap() {
        return sortedA.compare(sortedB);
    }

    @Benchmark
    public VectorClock merge_dabba() {
        return dabbaA.merge(dabbaM);
    }

    @Benchmark
    public HashMapClock merge_hashMap() {
        return hashA.merge(hashM);
    }

    @Benchmark
    public SortedMapClock merge_sortedMap() {
        return sortedA.merge(sortedM);
    }

    @Benchmark
    public byte[] encode_dabba() {
        return CODEC.encodeHandover(handover);
    }

    @Benchmark
    public byte[] encode_hashMap() {
        return HashMapClock.encodeHandover(ClockFixtures.FROM, ClockFixtures.TO, ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, hashA);
    }

    @Benchmark
    public byte[] encode_sortedMap() {
        return SortedMapClock.encodeHandover(ClockFixtures.FROM, ClockFixtures.TO, ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, sortedA);
    }

    @Benchmark
    public VectorClock decode_dabba() {
        return CODEC.decodeHandover(dabbaBytes, EpochResolver.GENESIS_ONLY).clock();
    }

    @Benchmark
    public HashMapClock decode_hashMap() {
        return HashMapClock.decodeHandoverClock(hashBytes);
    }

    @Benchmark
    public SortedMapClock decode_sortedMap() {
        return SortedMapClock.decodeHandoverClock(sortedBytes);
    }
}
