package dev.dabba.clock;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable, sparse vector clock: a counter per node, where an absent node counts as zero.
 *
 * <p>Entries are kept sorted by node id in two parallel arrays, so {@link #compare} and {@link #merge} are single
 * linear merges without allocation (beyond the result). Zero entries are never stored, so two clocks that differ
 * only by explicit zeros are equal.
 */
public final class VectorClock {

    private static final String[] NO_IDS = new String[0];
    private static final long[] NO_COUNTERS = new long[0];
    private static final VectorClock EMPTY = new VectorClock(NO_IDS, NO_COUNTERS);

    private final String[] ids;
    private final long[] counters;

    private VectorClock(String[] ids, long[] counters) {
        this.ids = ids;
        this.counters = counters;
    }

    /** The clock of a node that has seen nothing. */
    public static VectorClock empty() {
        return EMPTY;
    }

    /**
     * A clock with the given entries; zero entries are dropped.
     *
     * @throws IllegalArgumentException if a node id is invalid or a counter is negative
     */
    public static VectorClock of(Map<String, Long> entries) {
        Objects.requireNonNull(entries, "entries");
        TreeMap<String, Long> sorted = new TreeMap<>();
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
            if (counter > 0) {
                sorted.put(id, counter);
            }
        }
        String[] ids = new String[sorted.size()];
        long[] counters = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            ids[i] = e.getKey();
            counters[i] = e.getValue();
            i++;
        }
        return new VectorClock(ids, counters);
    }

    /** The counter of {@code node}, zero when absent. */
    public long get(NodeId node) {
        return get(node.value());
    }

    /** The counter of the node with id {@code node}, zero when absent. */
    public long get(String node) {
        int i = Arrays.binarySearch(ids, node);
        return i >= 0 ? counters[i] : 0L;
    }

    /** The number of non-zero entries. */
    public int size() {
        return ids.length;
    }

    /** Whether every entry is zero. */
    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** The non-zero entries, sorted by node id. */
    public SortedMap<String, Long> entries() {
        TreeMap<String, Long> map = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            map.put(ids[i], counters[i]);
        }
        return Collections.unmodifiableSortedMap(map);
    }

    /** The node id at position {@code i} in id order; for codecs that walk the entries without a map. */
    public String idAt(int i) {
        return ids[i];
    }

    /** The counter at position {@code i} in id order. */
    public long counterAt(int i) {
        return counters[i];
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
            return new VectorClock(ids, next);
        }
        int at = -i - 1;
        String[] nextIds = new String[ids.length + 1];
        long[] nextCounters = new long[ids.length + 1];
        System.arraycopy(ids, 0, nextIds, 0, at);
        System.arraycopy(counters, 0, nextCounters, 0, at);
        nextIds[at] = id;
        nextCounters[at] = 1L;
        System.arraycopy(ids, at, nextIds, at + 1, ids.length - at);
        System.arraycopy(counters, at, nextCounters, at + 1, ids.length - at);
        return new VectorClock(nextIds, nextCounters);
    }

    /** The entry-wise maximum of this clock and {@code other}: what a node knows after receiving {@code other}. */
    public VectorClock merge(VectorClock other) {
        if (other.ids.length == 0 || other == this) {
            return this;
        }
        if (ids.length == 0) {
            return other;
        }
        String[] outIds = new String[ids.length + other.ids.length];
        long[] outCounters = new long[outIds.length];
        int i = 0;
        int j = 0;
        int n = 0;
        boolean thisDominates = true;
        boolean otherDominates = true;
        while (i < ids.length || j < other.ids.length) {
            int c = i == ids.length ? 1 : j == other.ids.length ? -1 : ids[i].compareTo(other.ids[j]);
            if (c < 0) {
                outIds[n] = ids[i];
                outCounters[n++] = counters[i++];
                otherDominates = false;
            } else if (c > 0) {
                outIds[n] = other.ids[j];
                outCounters[n++] = other.counters[j++];
                thisDominates = false;
            } else {
                long a = counters[i];
                long b = other.counters[j];
                outIds[n] = ids[i];
                outCounters[n++] = Math.max(a, b);
                if (a < b) {
                    thisDominates = false;
                } else if (a > b) {
                    otherDominates = false;
                }
                i++;
                j++;
            }
        }
        if (thisDominates) {
            return this;
        }
        if (otherDominates) {
            return other;
        }
        return new VectorClock(Arrays.copyOf(outIds, n), Arrays.copyOf(outCounters, n));
    }

    /** How this clock's event relates to {@code other}'s by happens-before. */
    public Causality compare(VectorClock other) {
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

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorClock v && Arrays.equals(ids, v.ids) && Arrays.equals(counters, v.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(counters);
    }

    /** The clock as {@code {A:1, B:2}}, entries in id order. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ids[i]).append(':').append(counters[i]);
        }
        return sb.append('}').toString();
    }
}
