package dev.dabba.clock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * A small world for property tests: a pool of node ids, a validated chain of epochs over them (genesis and two more,
 * with member tables in random index order and monotone bases), and clocks in any of the epochs with a reference
 * model (a full counter vector over the pool) to check them against.
 */
public final class ClockWorld {

    /** Node ids whose id order differs from any index order the epochs give them. */
    public static final List<String> POOL = List.of("MUMBAI_BKC", "A", "z9", "tower-7", "T.1", "B_2");

    private final List<Epoch> epochs;
    private final EpochRegistry registry = new EpochRegistry();

    private ClockWorld(List<Epoch> epochs) {
        this.epochs = List.copyOf(epochs);
        for (Epoch e : epochs) {
            registry.accept(e);
        }
    }

    /** Genesis plus up to two epochs, built from raw ints so that jqwik can shrink them. */
    public static Arbitrary<ClockWorld> worlds() {
        Arbitrary<List<Integer>> order = Arbitraries.integers().between(0, 1_000).list().ofSize(POOL.size());
        Arbitrary<List<Integer>> bases = Arbitraries.integers().between(0, 6).list().ofSize(2 * POOL.size());
        Arbitrary<Integer> shape = Arbitraries.integers().between(0, 63);
        return Combinators.combine(order, bases, shape).as(ClockWorld::build);
    }

    private static ClockWorld build(List<Integer> order, List<Integer> bases, int shape) {
        // Index order: the pool sorted by the random keys, so indices are unrelated to id order.
        Integer[] byKey = new Integer[POOL.size()];
        for (int i = 0; i < byKey.length; i++) {
            byKey[i] = i;
        }
        Arrays.sort(byKey, (x, y) -> Integer.compare(order.get(x), order.get(y)));
        int epochCount = shape % 3; // 0, 1 or 2 epochs after genesis
        int firstMembers = 1 + (shape / 3) % 4; // 1..4
        int secondMembers = Math.min(POOL.size(), firstMembers + (shape / 12) % 3);
        int skip = (shape / 36) % 2; // epoch numbers may skip
        List<Epoch> epochs = new ArrayList<>();
        epochs.add(Epoch.GENESIS);
        long[] base = new long[POOL.size()];
        int members = 0;
        for (int k = 0; k < epochCount; k++) {
            members = k == 0 ? firstMembers : secondMembers;
            List<NodeId> table = new ArrayList<>();
            long[] byIndex = new long[members];
            for (int i = 0; i < members; i++) {
                int node = byKey[i];
                table.add(NodeId.of(POOL.get(node)));
                base[node] += bases.get(k * POOL.size() + node);
                byIndex[i] = base[node];
            }
            long number = epochs.get(epochs.size() - 1).number() + 1 + (k == 1 ? skip : 0);
            epochs.add(Epoch.of(number, NodeTable.of(table), byIndex));
        }
        return new ClockWorld(epochs);
    }

    /** The epochs, genesis first, in number order. */
    public List<Epoch> epochs() {
        return epochs;
    }

    /** A registry that knows every epoch of this world. */
    public EpochRegistry registry() {
        return registry;
    }

    /**
     * Clock shapes, independent of any world (so that jqwik need not flat-map): an epoch choice and, for every pool
     * node, how far above that epoch's base it is. {@link #clock} turns one into a clock of a given world.
     */
    public static Arbitrary<Shape> shapes() {
        Arbitrary<Integer> epoch = Arbitraries.integers().between(0, 2);
        Arbitrary<List<Long>> above = Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, Arbitraries.just(0L)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(1, 4)))
                .list().ofSize(POOL.size());
        return Combinators.combine(epoch, above).as(Shape::new);
    }

    /** An epoch choice and each pool node's distance above that epoch's base. */
    public record Shape(int epoch, List<Long> above) {
    }

    /** The clock of {@code shape} in this world (an epoch choice beyond the last epoch means the last one). */
    public Model clock(Shape shape) {
        Epoch epoch = epochs.get(Math.min(shape.epoch(), epochs.size() - 1));
        long[] full = new long[POOL.size()];
        Map<String, Long> entries = new TreeMap<>();
        for (int i = 0; i < full.length; i++) {
            full[i] = epoch.base(POOL.get(i)) + shape.above().get(i);
            entries.put(POOL.get(i), full[i]);
        }
        return new Model(VectorClock.of(epoch, entries), full);
    }

    /** A clock and its reference model: the counter of every pool node. */
    public record Model(VectorClock clock, long[] full) {

        /** The reference relation: entry-wise comparison of the full vectors. */
        public Causality expectedCompare(Model other) {
            return entryWise(full, other.full);
        }

        /** The reference merge: the entry-wise maximum. */
        public long[] expectedMerge(Model other) {
            long[] m = new long[full.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = Math.max(full[i], other.full[i]);
            }
            return m;
        }

        @Override
        public String toString() {
            return clock + " in epoch " + clock.epoch().number();
        }
    }

    /** Entry-wise comparison of two full vectors. */
    public static Causality entryWise(long[] a, long[] b) {
        boolean less = false;
        boolean greater = false;
        for (int i = 0; i < a.length; i++) {
            less |= a[i] < b[i];
            greater |= a[i] > b[i];
        }
        return less && greater ? Causality.CONCURRENT
                : less ? Causality.BEFORE
                : greater ? Causality.AFTER
                : Causality.EQUAL;
    }

    /** The full vector of {@code clock} over the pool. */
    public static long[] full(VectorClock clock) {
        long[] full = new long[POOL.size()];
        for (int i = 0; i < full.length; i++) {
            full[i] = clock.get(POOL.get(i));
        }
        return full;
    }

    @Override
    public String toString() {
        return epochs.toString();
    }
}
