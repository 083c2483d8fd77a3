package dev.dabba.clock;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An epoch announcement: a number, the member table that gives nodes their wire indices, and a base vector.
 *
 * <p>The stream job computes the base from its causal frontier (for every node, the highest counter below which it
 * has received every event), so the base is knowledge that really exists. Bases are monotone: each epoch's base is
 * at least the previous one's, entry by entry. A node that adopts an epoch merges the base into its clock, a real
 * receive event (no false causality), and from then on its clocks are stored and encoded as the base plus a sparse
 * delta of the entries above it.
 *
 * <p>Counters are kept densely by member index, so a base lookup is an array read; clocks that share an epoch share
 * its base instead of copying it.
 */
public final class Epoch {

    /** The epoch every node starts in: number 0, no members, an all-zero base. */
    public static final Epoch GENESIS = new Epoch(0L, NodeTable.EMPTY, new long[0]);

    private static final int MOVED_CACHE_SIZE = 16;

    private final long number;
    private final NodeTable members;
    private final long[] base;
    private final int nonZero;
    /** Member indices with a non-zero base, in ascending node-id order. */
    private final int[] nonZeroById;
    private final VectorClock baseClock;
    private final int baseHash;
    /** Member indices whose base moved since an earlier epoch, by that epoch's number; a few recent ones. */
    private final Map<Long, int[]> movedSince = Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
            return size() > MOVED_CACHE_SIZE;
        }
    });

    private Epoch(long number, NodeTable members, long[] base) {
        this.number = number;
        this.members = members;
        this.base = base;
        int count = 0;
        for (long c : base) {
            if (c > 0) {
                count++;
            }
        }
        this.nonZero = count;
        Integer[] order = new Integer[count];
        int k = 0;
        for (int i = 0; i < base.length; i++) {
            if (base[i] > 0) {
                order[k++] = i;
            }
        }
        Arrays.sort(order, (a, b) -> members.nodeAt(a).value().compareTo(members.nodeAt(b).value()));
        this.nonZeroById = new int[count];
        for (int i = 0; i < count; i++) {
            nonZeroById[i] = order[i];
        }
        int h = 0;
        for (int i = 0; i < base.length; i++) {
            if (base[i] > 0) {
                h += VectorClock.entryHash(members.nodeAt(i).value(), base[i]);
            }
        }
        this.baseHash = h;
        this.baseClock = VectorClock.ofBase(this);
    }

    /**
     * An epoch with base counters given by member index.
     *
     * @throws IllegalArgumentException if the number is negative, there are more counters than members, or a
     *     counter is negative
     */
    public static Epoch of(long number, NodeTable members, long[] baseByIndex) {
        if (number < 0) {
            throw new IllegalArgumentException("epoch number must be non-negative, was " + number);
        }
        NodeTable.requireNonNull(members);
        if (baseByIndex.length > members.size()) {
            throw new IllegalArgumentException("epoch " + number + " has " + baseByIndex.length
                    + " base counters but only " + members.size() + " members");
        }
        long[] base = Arrays.copyOf(baseByIndex, members.size());
        for (int i = 0; i < base.length; i++) {
            if (base[i] < 0) {
                throw new IllegalArgumentException("epoch " + number + " base counter of " + members.nodeAt(i)
                        + " must be non-negative, was " + base[i]);
            }
        }
        return new Epoch(number, members, base);
    }

    /**
     * An epoch whose base is {@code base}; every node of the base must be a member.
     *
     * @throws IllegalArgumentException if a node of the base is not in {@code members}
     */
    public static Epoch of(long number, NodeTable members, VectorClock base) {
        long[] counters = new long[members.size()];
        for (Map.Entry<String, Long> e : base.entries().entrySet()) {
            int i = members.indexOf(e.getKey());
            if (i < 0) {
                throw new IllegalArgumentException("epoch " + number + " base names " + e.getKey()
                        + ", which is not in its member table");
            }
            counters[i] = e.getValue();
        }
        return of(number, members, counters);
    }

    /** The epoch number; later epochs have higher numbers. */
    public long number() {
        return number;
    }

    /** The member table. */
    public NodeTable members() {
        return members;
    }

    /** The base counter of the member at {@code index}. */
    public long baseAt(int index) {
        return base[index];
    }

    /** The base counter of {@code id}, zero for non-members. */
    public long base(String id) {
        int i = members.indexOf(id);
        return i < 0 ? 0L : base[i];
    }

    /** The base as a clock: the clock of a node that adopted this epoch and knows nothing beyond it. */
    public VectorClock baseClock() {
        return baseClock;
    }

    /** The base as a map of non-zero entries in id order. */
    public SortedMap<String, Long> baseEntries() {
        TreeMap<String, Long> m = new TreeMap<>();
        for (int i : nonZeroById) {
            m.put(members.nodeAt(i).value(), base[i]);
        }
        return m;
    }

    int baseHash() {
        return baseHash;
    }

    /**
     * The member indices whose base counter is higher here than in {@code earlier} (new members with a non-zero base
     * included), ascending. Cached for a few recent earlier epochs.
     */
    int[] movedSince(Epoch earlier) {
        int[] moved = movedSince.get(earlier.number);
        if (moved == null) {
            int count = 0;
            int[] scratch = new int[base.length];
            for (int i = 0; i < base.length; i++) {
                long before = i < earlier.base.length ? earlier.base[i] : 0L;
                if (base[i] > before) {
                    scratch[count++] = i;
                }
            }
            moved = Arrays.copyOf(scratch, count);
            movedSince.put(earlier.number, moved);
        }
        return moved;
    }

    int nonZeroCount() {
        return nonZero;
    }

    int nonZeroIndexById(int k) {
        return nonZeroById[k];
    }

    /**
     * Whether {@code next} may follow this epoch: a higher number, a member table that extends this one, and a base
     * at least this one's entry by entry.
     */
    public boolean precedes(Epoch next) {
        if (next.number <= number || !members.isPrefixOf(next.members)) {
            return false;
        }
        for (int i = 0; i < base.length; i++) {
            if (next.base[i] < base[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Epoch e && e.number == number && e.members.equals(members) && Arrays.equals(e.base, base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, members, Arrays.hashCode(base));
    }

    @Override
    public String toString() {
        return "epoch " + number + " (" + members.size() + " members, base " + baseClock + ")";
    }
}
