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
 *
 * <p><b>Lineages.</b> The epochs one authority announces one after another form a <b>lineage</b>, named by the number
 * of its first epoch ({@link #lineage()}); bases are monotone only within a lineage. A billing job that starts with
 * neither state nor announced epochs (a new installation, or a Kafka cluster rebuilt without its epochs topic)
 * opens a new lineage, numbered from the wall clock in milliseconds, so a later lineage has both a higher name and
 * higher epoch numbers than any earlier one. Lineage 0 is genesis's, and that of epochs announced before lineages
 * were named (their announcements carry no lineage). Clocks of two lineages are compared and merged through their
 * full entries ({@link VectorClock}), which is always right, never through the bases.
 */
public final class Epoch {

    /** The epoch every node starts in: number 0, lineage 0, no members, an all-zero base. */
    public static final Epoch GENESIS = new Epoch(0L, 0L, NodeTable.EMPTY, new long[0]);

    private static final int MOVED_CACHE_SIZE = 16;

    private final long number;
    private final long lineage;
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

    private Epoch(long number, long lineage, NodeTable members, long[] base) {
        this.number = number;
        this.lineage = lineage;
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
     * An epoch of lineage 0 with base counters given by member index.
     *
     * @throws IllegalArgumentException if the number is negative, there are more counters than members, or a
     *     counter is negative
     */
    public static Epoch of(long number, NodeTable members, long[] baseByIndex) {
        return of(number, 0L, members, baseByIndex);
    }

    /**
     * An epoch of lineage {@code lineage} (the number of the lineage's first epoch, or 0) with base counters given by
     * member index.
     *
     * @throws IllegalArgumentException if the number is negative, the lineage negative or above the number, there
     *     are more counters than members, or a counter is negative
     */
    public static Epoch of(long number, long lineage, NodeTable members, long[] baseByIndex) {
        if (number < 0) {
            throw new IllegalArgumentException("epoch number must be non-negative, was " + number);
        }
        if (lineage < 0 || lineage > number) {
            throw new IllegalArgumentException("epoch " + number + " lineage must be between 0 and its number (the "
                    + "number of the lineage's first epoch), was " + lineage);
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
        return new Epoch(number, lineage, members, base);
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

    /** The lineage: the number of the first epoch of the lineage this epoch belongs to; 0 for genesis's. */
    public long lineage() {
        return lineage;
    }

    /**
     * Whether bases are monotone between this epoch and {@code other}, so that clocks of the two compare and merge
     * through their bases: the same lineage, or one of them is genesis (whose base is all zero).
     */
    public boolean sharesLineageWith(Epoch other) {
        return lineage == other.lineage || number == 0 || other.number == 0;
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
     * Whether {@code next} may follow this epoch: a higher number, the same lineage (or this is genesis), a member
     * table that extends this one, and a base at least this one's entry by entry.
     */
    public boolean precedes(Epoch next) {
        if (next.number <= number || !sharesLineageWith(next) || !members.isPrefixOf(next.members)) {
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
        return o instanceof Epoch e && e.number == number && e.lineage == lineage && e.members.equals(members)
                && Arrays.equals(e.base, base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, lineage, members, Arrays.hashCode(base));
    }

    @Override
    public String toString() {
        return "epoch " + number + (lineage == 0 ? "" : " of lineage " + lineage) + " (" + members.size()
                + " members, base " + baseClock + ")";
    }
}
