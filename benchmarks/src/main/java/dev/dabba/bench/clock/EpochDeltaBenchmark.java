package dev.dabba.bench.clock;

import dev.dabba.clock.Causality;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The case the epoch design is for: 10,000 towers, every one of them in the epoch's member table with a non-zero
 * base, and tower clocks whose delta above the base has one to three entries (the own entry and the towers a
 * handover touched). Two epochs: E1 and E2, whose base moved for every tower (each stamped records in between).
 *
 * <p>Dabba's operations run on the deltas; the baselines hold the same clocks as what they are without epochs,
 * 10,000-entry maps, and pay for every entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EpochDeltaBenchmark {

    private static final int TOWERS = 10_000;
    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    private EpochRegistry registry;
    private Epoch e2;
    /** In E2: tower X's clock, delta {X, Y}. */
    private VectorClock a;
    /** In E2: a later clock of X, after a handover from Y: delta {X, Y}, both higher. a BEFORE b. */
    private VectorClock b;
    /** In E2: tower Z's clock, delta {Z}: concurrent with a. */
    private VectorClock z;
    /** In E2: a neighbour's handover clock, delta {Y, W}: merging it into a adds W. */
    private VectorClock h;
    /** In E1: an older record of X, delta {X, V} in E1, all below E2's base: BEFORE a. */
    private VectorClock old;
    /** In E1: an older record of Q, delta {Q, X, Y} in E1, X above E2's base: CONCURRENT with a. */
    private VectorClock oldConcurrent;
    private HashMapClock hashA;
    private HashMapClock hashB;
    private HashMapClock hashH;
    private SortedMapClock sortedA;
    private SortedMapClock sortedB;
    private SortedMapClock sortedH;
    private Handover handover;
    private UsageRecord record;
    private byte[] handoverBytes;
    private byte[] recordBytes;
    private byte[] hashBytes;
    private byte[] sortedBytes;

    @Setup
    public void setup() {
        Random random = new Random(7);
        List<String> ids = ClockFixtures.towers(TOWERS);
        List<NodeId> members = new ArrayList<>();
        for (String id : ids) {
            members.add(NodeId.of(id));
        }
        Collections.shuffle(members, random); // indices in the order the authority saw the towers, not id order
        long[] base1 = new long[TOWERS];
        long[] base2 = new long[TOWERS];
        for (int i = 0; i < TOWERS; i++) {
            base1[i] = 1_000 + random.nextInt(1_000_000);
            base2[i] = base1[i] + 1 + random.nextInt(20);
        }
        NodeTable table = NodeTable.of(members);
        Epoch e1 = Epoch.of(41, table, base1);
        e2 = Epoch.of(42, table, base2);
        registry = new EpochRegistry();
        registry.accept(e1);
        registry.accept(e2);

        String x = "TOWER_04711";
        String y = "TOWER_04712";
        String w = "TOWER_04810";
        String v = "TOWER_00017";
        String q = "TOWER_09001";
        String zz = "TOWER_08000";
        a = VectorClock.of(e2, Map.of(x, e2.base(x) + 3, y, e2.base(y) + 1));
        b = VectorClock.of(e2, Map.of(x, e2.base(x) + 4, y, e2.base(y) + 2));
        z = VectorClock.of(e2, Map.of(zz, e2.base(zz) + 1));
        h = VectorClock.of(e2, Map.of(y, e2.base(y) + 2, w, e2.base(w) + 1));
        old = VectorClock.of(e1, Map.of(x, e1.base(x) + 1, v, e1.base(v) + 1));
        oldConcurrent = VectorClock.of(e1, Map.of(q, e1.base(q) + 50, x, e2.base(x) + 9, y, e1.base(y) + 1));

        hashA = ClockFixtures.hashMap(a.entries());
        hashB = ClockFixtures.hashMap(ClockFixtures.fresh(b.entries()));
        hashH = ClockFixtures.hashMap(ClockFixtures.fresh(h.entries()));
        sortedA = ClockFixtures.sortedMap(a.entries());
        sortedB = ClockFixtures.sortedMap(ClockFixtures.fresh(b.entries()));
        sortedH = ClockFixtures.sortedMap(ClockFixtures.fresh(h.entries()));

        handover = new Handover(NodeId.of(x), NodeId.of(w), Msisdn.of(ClockFixtures.SUBSCRIBER), a,
                new HybridTimestamp(ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL));
        record = new UsageRecord(new EventId(NodeId.of(x), a.get(x)), Msisdn.of(ClockFixtures.SUBSCRIBER),
                Instant.ofEpochMilli(ClockFixtures.HLC_WALL - 40), new HybridTimestamp(ClockFixtures.HLC_WALL, 0), a,
                new Usage.Call(Msisdn.of("+919876543211"), dev.dabba.record.CallType.VOICE, 180));
        handoverBytes = CODEC.encodeHandover(handover);
        recordBytes = CODEC.encodeRecord(record);
        hashBytes = HashMapClock.encodeHandover(x, w, ClockFixtures.SUBSCRIBER, ClockFixtures.HLC_WALL,
                ClockFixtures.HLC_LOGICAL, hashA);
        sortedBytes = SortedMapClock.encodeHandover(x, w, ClockFixtures.SUBSCRIBER, ClockFixtures.HLC_WALL,
                ClockFixtures.HLC_LOGICAL, sortedA);

        ClockFixtures.check(a.deltaSize() == 2 && a.size() == TOWERS, "a is a 2-entry delta over 10,000 towers");
        ClockFixtures.check(a.compare(b) == Causality.BEFORE, "a before b");
        ClockFixtures.check(a.compare(z) == Causality.CONCURRENT, "a concurrent z");
        ClockFixtures.check(old.compare(a) == Causality.BEFORE, "old before a");
        ClockFixtures.check(oldConcurrent.compare(a) == Causality.CONCURRENT, "old concurrent a");
        ClockFixtures.check(ClockFixtures.causality(hashA.compare(hashB)) == Causality.BEFORE, "hash");
        ClockFixtures.check(ClockFixtures.causality(sortedA.compare(sortedB)) == Causality.BEFORE, "sorted");
        ClockFixtures.check(a.merge(h).entries().equals(sortedA.merge(sortedH).versions), "merge");
        ClockFixtures.check(hashA.merge(hashH).versions.equals(sortedA.merge(sortedH).versions), "merge");
        ClockFixtures.check(decodeHandover_dabba().equals(a), "handover codec");
        ClockFixtures.check(decodeRecord_dabba().equals(record), "record codec");
    }

    @Benchmark
    public Causality compareSameEpoch_dabba() {
        return a.compare(b);
    }

    @Benchmark
    public Causality compareSameEpochConcurrent_dabba() {
        return a.compare(z);
    }

    @Benchmark
    public Causality compareCrossEpoch_dabba() {
        return old.compare(a);
    }

    @Benchmark
    public Causality compareCrossEpochConcurrent_dabba() {
        return oldConcurrent.compare(a);
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
    public VectorClock mergeSameEpoch_dabba() {
        return a.merge(h);
    }

    @Benchmark
    public VectorClock mergeCrossEpoch_dabba() {
        return oldConcurrent.merge(a);
    }

    @Benchmark
    public VectorClock adoptEpoch_dabba() {
        return oldConcurrent.merge(e2.baseClock());
    }

    @Benchmark
    public HashMapClock merge_hashMap() {
        return hashA.merge(hashH);
    }

    @Benchmark
    public SortedMapClock merge_sortedMap() {
        return sortedA.merge(sortedH);
    }

    @Benchmark
    public byte[] encodeHandover_dabba() {
        return CODEC.encodeHandover(handover);
    }

    @Benchmark
    public byte[] encodeRecord_dabba() {
        return CODEC.encodeRecord(record);
    }

    @Benchmark
    public byte[] encode_hashMap() {
        return HashMapClock.encodeHandover("TOWER_04711", "TOWER_04810", ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, hashA);
    }

    @Benchmark
    public byte[] encode_sortedMap() {
        return SortedMapClock.encodeHandover("TOWER_04711", "TOWER_04810", ClockFixtures.SUBSCRIBER,
                ClockFixtures.HLC_WALL, ClockFixtures.HLC_LOGICAL, sortedA);
    }

    @Benchmark
    public VectorClock decodeHandover_dabba() {
        return CODEC.decodeHandover(handoverBytes, registry).clock();
    }

    @Benchmark
    public UsageRecord decodeRecord_dabba() {
        return CODEC.decodeRecord(recordBytes, registry);
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
