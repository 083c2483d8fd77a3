package dev.dabba.jobs;

import java.util.Arrays;

/**
 * An immutable set of sequence numbers held as sorted, disjoint, non-adjacent closed ranges ({@code [a1, b1, a2, b2,
 * ...]}): the out-of-order records a node's frontier has received, or the sequences it gave up waiting for. It costs
 * memory per gap, not per sequence.
 */
public final class SequenceRanges {

    static final SequenceRanges EMPTY = new SequenceRanges(new long[0]);

    private final long[] bounds;

    private SequenceRanges(long[] bounds) {
        this.bounds = bounds;
    }

    /** Ranges from their bounds, as {@link #bounds()} gives them; checked. */
    static SequenceRanges of(long[] bounds) {
        if (bounds.length % 2 != 0) {
            throw new IllegalArgumentException("sequence ranges need an even number of bounds, got " + bounds.length);
        }
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i] > bounds[i + 1] || (i > 0 && bounds[i] <= bounds[i - 1] + 1)) {
                throw new IllegalArgumentException("sequence ranges must be sorted, disjoint and not adjacent: "
                        + Arrays.toString(bounds));
            }
        }
        return bounds.length == 0 ? EMPTY : new SequenceRanges(bounds.clone());
    }

    /** The bounds {@code [a1, b1, a2, b2, ...]}. */
    long[] bounds() {
        return bounds.clone();
    }

    boolean isEmpty() {
        return bounds.length == 0;
    }

    /** The number of ranges (gaps between them are what is missing). */
    int rangeCount() {
        return bounds.length / 2;
    }

    long startOf(int range) {
        return bounds[2 * range];
    }

    long endOf(int range) {
        return bounds[2 * range + 1];
    }

    boolean contains(long s) {
        int r = rangeAtOrBefore(s);
        return r >= 0 && s <= bounds[2 * r + 1];
    }

    /** Whether any sequence in {@code [from, to]} is in the set. */
    boolean intersects(long from, long to) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i] > to) {
                return false;
            }
            if (bounds[i + 1] >= from) {
                return true;
            }
        }
        return false;
    }

    /** The index of the last range starting at or before {@code s}, or -1. */
    private int rangeAtOrBefore(long s) {
        int lo = 0;
        int hi = bounds.length / 2 - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[2 * mid] <= s) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** This set with {@code [from, to]} added. */
    SequenceRanges with(long from, long to) {
        if (from > to) {
            return this;
        }
        long[] out = new long[bounds.length + 2];
        int n = 0;
        int i = 0;
        while (i < bounds.length && bounds[i + 1] < from - 1) {
            out[n++] = bounds[i];
            out[n++] = bounds[i + 1];
            i += 2;
        }
        long a = from;
        long b = to;
        while (i < bounds.length && bounds[i] <= to + 1) {
            a = Math.min(a, bounds[i]);
            b = Math.max(b, bounds[i + 1]);
            i += 2;
        }
        out[n++] = a;
        out[n++] = b;
        while (i < bounds.length) {
            out[n++] = bounds[i];
            out[n++] = bounds[i + 1];
            i += 2;
        }
        return new SequenceRanges(Arrays.copyOf(out, n));
    }

    SequenceRanges with(long s) {
        return with(s, s);
    }

    /** This set without {@code s}. */
    SequenceRanges without(long s) {
        int r = rangeAtOrBefore(s);
        if (r < 0 || s > bounds[2 * r + 1]) {
            return this;
        }
        long a = bounds[2 * r];
        long b = bounds[2 * r + 1];
        long[] out = new long[bounds.length + 2];
        System.arraycopy(bounds, 0, out, 0, 2 * r);
        int n = 2 * r;
        if (a < s) {
            out[n++] = a;
            out[n++] = s - 1;
        }
        if (s < b) {
            out[n++] = s + 1;
            out[n++] = b;
        }
        System.arraycopy(bounds, 2 * r + 2, out, n, bounds.length - 2 * r - 2);
        n += bounds.length - 2 * r - 2;
        return n == 0 ? EMPTY : new SequenceRanges(Arrays.copyOf(out, n));
    }

    /** This set without its first {@code count} ranges. */
    SequenceRanges withoutFirst(int count) {
        if (count <= 0) {
            return this;
        }
        if (2 * count >= bounds.length) {
            return EMPTY;
        }
        return new SequenceRanges(Arrays.copyOfRange(bounds, 2 * count, bounds.length));
    }

    /** The ranges as {@code a-b,c-d}. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bounds.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(bounds[i]).append('-').append(bounds[i + 1]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceRanges r && Arrays.equals(r.bounds, bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        return "[" + describe() + "]";
    }
}
