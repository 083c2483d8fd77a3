package dev.dabba.clock;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable vector clock: a counter per node, where an absent node counts as zero, stored as an epoch's shared
 * base plus a sparse delta.
 *
 * <p>Every clock belongs to an {@link Epoch} (the {@link Epoch#GENESIS genesis} epoch, with an all-zero base, until its
 * node adopts a real one). It stores only the entries that are above the epoch's base, in two parallel arrays sorted
 * by node id; all other entries are the base's. Clocks of one epoch share its base, so a clock costs memory and time
 * in proportion to what its node learned since the epoch, not to the number of nodes in the network.
 *
 * <p>{@link #compare} and {@link #merge} of clocks in the same epoch are one linear walk over the two deltas. Across
 * epochs they rely on bases being monotone (a later epoch's base is at least an earlier one's, which
 * {@link EpochRegistry} enforces): then a clock in the earlier epoch is at most one in the later epoch as soon as its
 * own delta is, and the converse needs only the nodes whose base moved between the two epochs. Bases are monotone
 * only within one {@linkplain Epoch#lineage() lineage}: clocks of two lineages are compared and merged through their
 * full entries (the slow path an agent takes once, when it moves to a new lineage). Equality and hash codes are by
 * entries, whatever the epochs.
 */
public final class VectorClock {

    private static final String[] NO_IDS = new String[0];
    private static final long[] NO_COUNTERS = new long[0];

    private final Epoch epoch;
    /** Node ids whose counters are above the base, ascending. */
    private final String[] ids;
    /** Their full counters (not differences), each greater than the base's. */
    private final long[] counters;
    private int hash;

    private VectorClock(Epoch epoch, String[] ids, long[] counters) {
        this.epoch = epoch;
        this.ids = ids;
        this.counters = counters;
    }

    /** The clock of a node that has seen nothing. */
    public static VectorClock empty() {
        return Epoch.GENESIS.baseClock(); // not a static field here: Epoch and VectorClock initialize each other
    }

    /** The base clock of {@code epoch}; for {@link Epoch} only. */
    static VectorClock ofBase(Epoch epoch) {
        return new VectorClock(epoch, NO_IDS, NO_COUNTERS);
    }

    /**
     * A clock with the given entries, in the genesis epoch; zero entries are dropped.
     *
     * @throws IllegalArgumentException if a node id is invalid or a counter is negative
     */
    public static VectorClock of(Map<String, Long> entries) {
        return of(Epoch.GENESIS, entries);
    }

    /**
     * A clock in {@code epoch} with the given entries, each of which must be at least the epoch's base; entries
     * equal to the base may be given or left out.
     *
     * @throws IllegalArgumentException if a node id is invalid, a counter is negative, or below the base
     */
    public static VectorClock of(Epoch epoch, Map<String, Long> entries) {
        Objects.requireNonNull(epoch, "epoch");
        Objects.requireNonNull(entries, "entries");
        TreeMap<String, Long> above = new TreeMap<>();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            String id = e.getKey();
            Long counter = e.getValue();
            if (!NodeId.isValid(id)) {
                throw new IllegalArgumentException("vector clock entry has an invalid node id: '" + id + "'");
            }
            if (counter == null || counter < 0) {
                throw new IllegalArgumentException(
                        "vector clock entry for " + id + " must be a non-negative counter, was " + counter);
            }
            long base = epoch.base(id);
            if (counter < base) {
                throw new IllegalArgumentException("vector clock entry for " + id + " is " + counter
                        + ", below the base " + base + " of epoch " + epoch.number());
            }
            if (counter > base) {
                above.put(id, counter);
            }
        }
        String[] ids = new String[above.size()];
        long[] counters = new long[above.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : above.entrySet()) {
            ids[i] = e.getKey();
            counters[i] = e.getValue();
            i++;
        }
        return new VectorClock(epoch, ids, counters);
    }

    /**
     * A clock in {@code epoch} from its delta: node ids in strictly ascending order and their counters, each above
     * the base. For decoders, which have validated both already.
     */
    public static VectorClock ofDelta(Epoch epoch, String[] sortedIds, long[] counters) {
        Objects.requireNonNull(epoch, "epoch");
        if (sortedIds.length != counters.length) {
            throw new IllegalArgumentException("delta has " + sortedIds.length + " ids but " + counters.length
                    + " counters");
        }
        for (int i = 0; i < sortedIds.length; i++) {
            if (i > 0 && sortedIds[i - 1].compareTo(sortedIds[i]) >= 0) {
                throw new IllegalArgumentException("delta ids must be strictly ascending: '" + sortedIds[i]
                        + "' follows '" + sortedIds[i - 1] + "'");
            }
            if (counters[i] <= epoch.base(sortedIds[i])) {
                throw new IllegalArgumentException("delta counter of " + sortedIds[i] + " must be above the base "
                        + epoch.base(sortedIds[i]) + " of epoch " + epoch.number() + ", was " + counters[i]);
            }
        }
        return new VectorClock(epoch, sortedIds.clone(), counters.clone());
    }

    /** The epoch this clock is stored relative to. */
    public Epoch epoch() {
        return epoch;
    }

    /** The number of entries above the epoch's base. */
    public int deltaSize() {
        return ids.length;
    }

    /** The node id of the {@code i}-th entry above the base, in id order. */
    public String deltaIdAt(int i) {
        return ids[i];
    }

    /** The full counter (not the difference) of the {@code i}-th entry above the base. */
    public long deltaCounterAt(int i) {
        return counters[i];
    }

    /** The counter of {@code node}, zero when absent. */
    public long get(NodeId node) {
        return get(node.value());
    }

    /** The counter of the node with id {@code node}, zero when absent. */
    public long get(String node) {
        int i = Arrays.binarySearch(ids, node);
        return i >= 0 ? counters[i] : epoch.base(node);
    }

    /** The number of non-zero entries. */
    public int size() {
        int n = epoch.nonZeroCount();
        for (String id : ids) {
            if (epoch.base(id) == 0) {
                n++;
            }
        }
        return n;
    }

    /** Whether every entry is zero. */
    public boolean isEmpty() {
        return ids.length == 0 && epoch.nonZeroCount() == 0;
    }

    /** The non-zero entries, sorted by node id. Costs time in the number of nodes of the epoch. */
    public SortedMap<String, Long> entries() {
        SortedMap<String, Long> map = epoch.baseEntries();
        for (int i = 0; i < ids.length; i++) {
            map.put(ids[i], counters[i]);
        }
        return Collections.unmodifiableSortedMap(map);
    }

    /** This clock with the counter of {@code node} one higher: a local event at {@code node}. */
    public VectorClock increment(NodeId node) {
        String id = node.value();
        int i = Arrays.binarySearch(ids, id);
        if (i >= 0) {
            if (counters[i] == Long.MAX_VALUE) {
                throw new ArithmeticException("vector clock counter of " + id + " would overflow");
            }
            long[] next = counters.clone();
            next[i]++;
            return new VectorClock(epoch, ids, next);
        }
        long base = epoch.base(id);
        if (base == Long.MAX_VALUE) {
            throw new ArithmeticException("vector clock counter of " + id + " would overflow");
        }
        int at = -i - 1;
        String[] nextIds = new String[ids.length + 1];
        long[] nextCounters = new long[ids.length + 1];
        System.arraycopy(ids, 0, nextIds, 0, at);
        System.arraycopy(counters, 0, nextCounters, 0, at);
        nextIds[at] = id;
        nextCounters[at] = base + 1;
        System.arraycopy(ids, at, nextIds, at + 1, ids.length - at);
        System.arraycopy(counters, at, nextCounters, at + 1, ids.length - at);
        return new VectorClock(epoch, nextIds, nextCounters);
    }

    /**
     * The entry-wise maximum of this clock and {@code other}: what a node knows after receiving {@code other}.
     * The result belongs to the later of the two epochs; merging an epoch's {@link Epoch#baseClock() base clock}
     * is how a node adopts that epoch.
     */
    public VectorClock merge(VectorClock other) {
        if (other == this) {
            return this;
        }
        if (!epoch.sharesLineageWith(other.epoch)) {
            // Bases of two lineages are not ordered: merge the earlier one's full entries (genesis shares with all).
            boolean mineLater = epoch.number() > other.epoch.number();
            VectorClock later = mineLater ? this : other;
            return later.merge((mineLater ? other : this).rebase(Epoch.GENESIS));
        }
        if (other.epoch.number() > epoch.number()) {
            return other.merge(this);
        }
        // Now other's epoch is this one's or earlier; the result is in this clock's epoch. Entries of other that are
        // not in its delta are its base, at most this epoch's base, so only other's delta can raise anything.
        if (other.ids.length == 0) {
            return this;
        }
        boolean sameEpoch = other.epoch.number() == epoch.number();
        String[] outIds = new String[ids.length + other.ids.length];
        long[] outCounters = new long[outIds.length];
        int i = 0;
        int j = 0;
        int n = 0;
        boolean raised = false;
        while (i < ids.length || j < other.ids.length) {
            int c = i == ids.length ? 1 : j == other.ids.length ? -1 : ids[i].compareTo(other.ids[j]);
            if (c < 0) {
                outIds[n] = ids[i];
                outCounters[n++] = counters[i++];
            } else if (c > 0) {
                String id = other.ids[j];
                long v = other.counters[j++];
                if (sameEpoch || v > epoch.base(id)) {
                    outIds[n] = id;
                    outCounters[n++] = v;
                    raised = true;
                }
            } else {
                long a = counters[i];
                long b = other.counters[j];
                outIds[n] = ids[i];
                outCounters[n++] = Math.max(a, b);
                raised |= b > a;
                i++;
                j++;
            }
        }
        if (!raised) {
            return this;
        }
        return new VectorClock(epoch, Arrays.copyOf(outIds, n), Arrays.copyOf(outCounters, n));
    }

    /** How this clock's event relates to {@code other}'s by happens-before. */
    public Causality compare(VectorClock other) {
        long mine = epoch.number();
        long theirs = other.epoch.number();
        if (mine == theirs) {
            return compareSameEpoch(other);
        }
        if (!epoch.sharesLineageWith(other.epoch)) {
            // Bases of two lineages are not ordered: compare full entries, both in genesis.
            return rebase(Epoch.GENESIS).compareSameEpoch(other.rebase(Epoch.GENESIS));
        }
        return mine < theirs ? compareToLater(other) : other.compareToLater(this).reversed();
    }

    private Causality compareSameEpoch(VectorClock other) {
        // Entries outside both deltas are the shared base: equal. An entry in one delta only is above the base, so
        // greater than the other's.
        boolean less = false;
        boolean greater = false;
        int i = 0;
        int j = 0;
        while (i < ids.length || j < other.ids.length) {
            int c = i == ids.length ? 1 : j == other.ids.length ? -1 : ids[i].compareTo(other.ids[j]);
            if (c < 0) {
                greater = true;
                i++;
            } else if (c > 0) {
                less = true;
                j++;
            } else {
                long a = counters[i++];
                long b = other.counters[j++];
                if (a < b) {
                    less = true;
                } else if (a > b) {
                    greater = true;
                }
            }
            if (less && greater) {
                return Causality.CONCURRENT;
            }
        }
        if (less) {
            return Causality.BEFORE;
        }
        return greater ? Causality.AFTER : Causality.EQUAL;
    }

    /** Compares with a clock of a later epoch, whose base is at least this clock's base entry by entry. */
    private Causality compareToLater(VectorClock later) {
        // this <= later: outside this delta, this is its base <= later's base <= later. So only the delta matters.
        boolean atMost = true;
        for (int i = 0; i < ids.length && atMost; i++) {
            atMost = counters[i] <= later.get(ids[i]);
        }
        // later <= this: later's delta, and every node whose base moved between the epochs, must be covered.
        boolean atLeast = true;
        for (int j = 0; j < later.ids.length && atLeast; j++) {
            atLeast = later.counters[j] <= get(later.ids[j]);
        }
        if (atLeast) {
            int[] moved = later.epoch.movedSince(epoch);
            if (moved.length > ids.length) {
                atLeast = false; // some node moved that this delta does not cover
            }
            for (int k = 0; k < moved.length && atLeast; k++) {
                int index = moved[k];
                atLeast = get(later.epoch.members().nodeAt(index).value()) >= later.epoch.baseAt(index);
            }
        }
        if (atMost && atLeast) {
            return Causality.EQUAL;
        }
        if (atMost) {
            return Causality.BEFORE;
        }
        return atLeast ? Causality.AFTER : Causality.CONCURRENT;
    }

    /** Whether this clock's event happened before {@code other}'s. */
    public boolean happensBefore(VectorClock other) {
        return compare(other) == Causality.BEFORE;
    }

    /** Whether neither event happened before the other. */
    public boolean isConcurrent(VectorClock other) {
        return compare(other) == Causality.CONCURRENT;
    }

    /** Whether every entry of this clock is at most the matching entry of {@code other}. */
    public boolean isCoveredBy(VectorClock other) {
        Causality c = compare(other);
        return c == Causality.BEFORE || c == Causality.EQUAL;
    }

    /**
     * The same clock stored relative to an earlier epoch, as an encoder does that must write it for a reader that
     * knows only {@code earlier}.
     *
     * @throws IllegalArgumentException if {@code earlier} is later than this clock's epoch or its base is not below
     *     this clock
     */
    public VectorClock rebase(Epoch earlier) {
        if (earlier.number() == epoch.number()) {
            return this;
        }
        if (earlier.number() > epoch.number()) {
            throw new IllegalArgumentException("cannot rebase a clock of epoch " + epoch.number()
                    + " onto the later epoch " + earlier.number() + "; merge its base clock instead");
        }
        return of(earlier, entries());
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VectorClock v)) {
            return false;
        }
        if (v.epoch.number() == epoch.number()) {
            return Arrays.equals(ids, v.ids) && Arrays.equals(counters, v.counters);
        }
        return compare(v) == Causality.EQUAL;
    }

    /** A hash of the entries, the same for equal clocks in different epochs. */
    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = epoch.baseHash();
            for (int i = 0; i < ids.length; i++) {
                long base = epoch.base(ids[i]);
                if (base > 0) {
                    h -= entryHash(ids[i], base);
                }
                h += entryHash(ids[i], counters[i]);
            }
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }

    /** One entry's share of a clock's hash; clock hashes are sums, so a base's share can be computed once. */
    static int entryHash(String id, long counter) {
        return id.hashCode() * 31 + Long.hashCode(counter * 0x9E3779B97F4A7C15L);
    }

    /** The clock as {@code {A:1, B:2}}, every non-zero entry in id order. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Long> e : entries().entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(e.getKey()).append(':').append(e.getValue());
        }
        return sb.append('}').toString();
    }
}
