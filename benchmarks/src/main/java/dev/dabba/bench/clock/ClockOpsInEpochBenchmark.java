package dev.dabba.bench.clock;

import dev.dabba.clock.Causality;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
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
 * {@link ClockOpsBenchmark}'s clocks, the very same logical clocks, stored as Dabba stores them once their node has
 * adopted an epoch: the epoch's base is the entry-wise minimum of the three clocks (its member table lists all their
 * nodes), so each delta holds three or four entries whatever {@code entries} is. Compare it with the baselines of
 * {@link ClockOpsBenchmark} in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClockOpsInEpochBenchmark {

    @Param({"1", "4", "16", "100", "1000"})
    public int entries;

    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    private EpochRegistry registry;
    private VectorClock a;
    private VectorClock b;
    private VectorClock m;
    private Handover handover;
    private byte[] bytes;

    @Setup
    public void setup() {
        ClockSet set = ClockSet.of(entries);
        Epoch epoch = set.epoch();
        registry = set.registry(epoch);
        a = VectorClock.of(epoch, set.a);
        b = VectorClock.of(epoch, ClockFixtures.fresh(set.b));
        m = VectorClock.of(epoch, ClockFixtures.fresh(set.m));
        handover = new Handover(NodeId.of(ClockFixtures.FROM), NodeId.of(ClockFixtures.TO),
                Msisdn.of(ClockFixtures.SUBSCRIBER), a,
                new HybridTimestamp(ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL));
        bytes = CODEC.encodeHandover(handover);
        ClockFixtures.check(a.compare(b) == Causality.BEFORE, "compare");
        ClockFixtures.check(a.merge(m).entries().equals(VectorClock.of(set.a).merge(VectorClock.of(set.m)).entries()),
                "merge");
        ClockFixtures.check(a.deltaSize() <= 4 && b.deltaSize() <= 4 && m.deltaSize() <= 4, "small deltas");
        ClockFixtures.check(decode_dabba().equals(a), "codec");
    }

    @Benchmark
    public Causality compare_dabba() {
        return a.compare(b);
    }

    @Benchmark
    public VectorClock merge_dabba() {
        return a.merge(m);
    }

    @Benchmark
    public byte[] encode_dabba() {
        return CODEC.encodeHandover(handover);
    }

    @Benchmark
    public VectorClock decode_dabba() {
        return CODEC.decodeHandover(bytes, registry).clock();
    }
}
