package dev.dabba.jobs;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An immutable set of sequence numbers held as sorted, disjoint, non-adjacent closed ranges ({@code [a1, b1, a2, b2,
 * ...]}): the out-of-order records a node's frontier has received, or the sequences it gave up waiting for. It costs
 * memory per gap, not per sequence.
 *
 * <p>The ranges are kept in chunks of at most {@value #CHUNK} ranges, and a change copies the chunk it touches and
 * the array of chunk references, not every range: {@code O(CHUNK + ranges / CHUNK)} per change instead of
 * {@code O(ranges)}. It matters when the job catches up on a backlog: a node's records are spread over every Kafka
 * partition, the partitions' readers drift apart by thousands of records, and the set above the frontier's prefix
 * then holds a gap for every record still on a slower partition; a flat array copied on every record made the frontier
 * quadratic in that drift. Chunks share nothing mutable: every chunk array is written once, before it is published.
 */
public final class SequenceRanges {

    /** Most ranges in one chunk; a chunk that grows past it is split in two. */
    static final int CHUNK = 64;

    static final SequenceRanges EMPTY = new SequenceRanges(new long[0][]);

    /** Non-empty chunks, each {@code [a1, b1, a2, b2, ...]}, in order; ranges never span chunks. */
    private final long[][] chunks;
    /** {@code firstRange[c]}: the index of chunk c's first range in the whole set; one more entry holds the count. */
    private final int[] firstRange;

    private SequenceRanges(long[][] chunks) {
        this.chunks = chunks;
        this.firstRange = new int[chunks.length + 1];
        for (int c = 0; c < chunks.length; c++) {
            firstRange[c + 1] = firstRange[c] + chunks[c].length / 2;
        }
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
        return fromFlat(bounds);
    }

    /** Chunks of {@code bounds}, which must be valid ranges. */
    private static SequenceRanges fromFlat(long[] bounds) {
        if (bounds.length == 0) {
            return EMPTY;
        }
        int ranges = bounds.length / 2;
        long[][] chunks = new long[(ranges + CHUNK - 1) / CHUNK][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = Arrays.copyOfRange(bounds, 2 * c * CHUNK, Math.min(bounds.length, 2 * (c + 1) * CHUNK));
        }
        return new SequenceRanges(chunks);
    }

    /** The bounds {@code [a1, b1, a2, b2, ...]}. */
    long[] bounds() {
        long[] out = new long[2 * rangeCount()];
        int n = 0;
        for (long[] chunk : chunks) {
            System.arraycopy(chunk, 0, out, n, chunk.length);
            n += chunk.length;
        }
        return out;
    }

    /**
     * Writes the ranges compactly, chunk by chunk without a flat copy: their count, then the first start (zig-zag)
     * and every range's length and the gap before the next one, each as a varint. A frontier in a backlog holds a
     * range for nearly every other sequence, so this is about 2 bytes a range where {@link #bounds()} as longs is 16;
     * on RocksDB the whole frontier is written on every record ({@code docs/benchmarks.md}, "Stream job").
     */
    void writeCompact(DataOutputView out) throws IOException {
        int count = rangeCount();
        out.writeInt(count);
        // Varints go into a block written at once: a DataOutputView call per byte was most of the cost.
        byte[] block = new byte[Math.min(COMPACT_BLOCK, 2 * MAX_VARLONG * count)];
        int n = 0;
        long previousEnd = 0;
        boolean first = true;
        for (long[] chunk : chunks) {
            for (int i = 0; i < chunk.length; i += 2) {
                if (n > block.length - 2 * MAX_VARLONG) {
                    out.write(block, 0, n);
                    n = 0;
                }
                long start = chunk[i];
                // Disjoint and not adjacent: the next start is at least the previous end + 2. Arithmetic wraps the
                // same way both ways, so even sequences near the ends of the long range round-trip.
                n = putVarLong(block, n, first ? (start << 1) ^ (start >> 63) : start - previousEnd - 2);
                n = putVarLong(block, n, chunk[i + 1] - start);
                previousEnd = chunk[i + 1];
                first = false;
            }
        }
        out.write(block, 0, n);
    }

    private static final int MAX_VARLONG = 10;
    private static final int COMPACT_BLOCK = 4_096;

    /** {@code v} as an unsigned LEB128 varint (7 bits a byte, low first) at {@code at}; returns the next position. */
    private static int putVarLong(byte[] block, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            block[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        block[at++] = (byte) v;
        return at;
    }

    /** Reads what {@link #putVarLong} wrote; refuses more than 10 bytes. */
    private static long readVarLong(DataInputView in, String what) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException(what + ": a varint longer than 10 bytes");
    }

    /** Reads what {@link #writeCompact} wrote; checked as {@link #of} checks. */
    static SequenceRanges readCompact(DataInputView in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 23) {
            throw new IOException(what + ": bad range count " + n);
        }
        long[] bounds = new long[2 * n];
        long previousEnd = 0;
        for (int i = 0; i < n; i++) {
            long v = readVarLong(in, what);
            long start = i == 0 ? (v >>> 1) ^ -(v & 1) : previousEnd + 2 + v;
            long end = start + readVarLong(in, what);
            bounds[2 * i] = start;
            bounds[2 * i + 1] = end;
            previousEnd = end;
        }
        try {
            return of(bounds);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    boolean isEmpty() {
        return chunks.length == 0;
    }

    /** The number of ranges (gaps between them are what is missing). */
    int rangeCount() {
        return firstRange[chunks.length];
    }

    long startOf(int range) {
        int c = chunkOfRange(range);
        return chunks[c][2 * (range - firstRange[c])];
    }

    long endOf(int range) {
        int c = chunkOfRange(range);
        return chunks[c][2 * (range - firstRange[c]) + 1];
    }

    /** The chunk holding range number {@code range}. */
    private int chunkOfRange(int range) {
        if (range < 0 || range >= rangeCount()) {
            throw new IndexOutOfBoundsException("range " + range + " of " + rangeCount());
        }
        int lo = 0;
        int hi = chunks.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstRange[mid] <= range) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    boolean contains(long s) {
        int c = chunkAtOrBefore(s);
        if (c < 0) {
            return false;
        }
        int r = rangeAtOrBefore(chunks[c], s);
        return r >= 0 && s <= chunks[c][2 * r + 1];
    }

    /** Whether any sequence in {@code [from, to]} is in the set. */
    boolean intersects(long from, long to) {
        for (long[] chunk : chunks) {
            for (int i = 0; i < chunk.length; i += 2) {
                if (chunk[i] > to) {
                    return false;
                }
                if (chunk[i + 1] >= from) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The index of the last chunk whose first range starts at or before {@code s}, or -1. */
    private int chunkAtOrBefore(long s) {
        int lo = 0;
        int hi = chunks.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (chunks[mid][0] <= s) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The index of the last range of {@code chunk} starting at or before {@code s}, or -1. */
    private static int rangeAtOrBefore(long[] chunk, long s) {
        int lo = 0;
        int hi = chunk.length / 2 - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (chunk[2 * mid] <= s) {
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
        if (chunks.length == 0) {
            return new SequenceRanges(new long[][] {{from, to}});
        }
        // The chunks the new range can touch: from the one holding a range that ends at from - 1 or later (or is
        // just before it) to the one holding a range starting at to + 1 or earlier.
        int first = Math.max(0, chunkAtOrBefore(from == Long.MIN_VALUE ? from : from - 1));
        int last = Math.max(0, chunkAtOrBefore(to == Long.MAX_VALUE ? to : to + 1));
        if (first != last) {
            // The range joins ranges of several chunks (or falls between two): rare; merge those chunks' ranges.
            long[] merged = withFlat(concat(first, last), from, to);
            return replace(first, last, merged);
        }
        long[] changed = withFlat(chunks[first], from, to);
        return replace(first, first, changed);
    }

    SequenceRanges with(long s) {
        return with(s, s);
    }

    /** Chunks {@code first..last} in one array. */
    private long[] concat(int first, int last) {
        int length = 0;
        for (int c = first; c <= last; c++) {
            length += chunks[c].length;
        }
        long[] out = new long[length];
        int n = 0;
        for (int c = first; c <= last; c++) {
            System.arraycopy(chunks[c], 0, out, n, chunks[c].length);
            n += chunks[c].length;
        }
        return out;
    }

    /** {@code bounds} (valid ranges) with {@code [from, to]} added: a new array. */
    private static long[] withFlat(long[] bounds, long from, long to) {
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
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * This set with chunks {@code first..last} replaced by the ranges {@code bounds} (which fit between the chunks
     * around them), split into chunks of at most {@link #CHUNK} ranges; an empty {@code bounds} removes them.
     */
    private SequenceRanges replace(int first, int last, long[] bounds) {
        int ranges = bounds.length / 2;
        int pieces = (ranges + CHUNK - 1) / CHUNK;
        long[][] out = new long[chunks.length - (last - first + 1) + pieces][];
        System.arraycopy(chunks, 0, out, 0, first);
        if (pieces == 1) {
            out[first] = bounds;
        } else if (pieces > 1) {
            // Split evenly, so a chunk that just overflowed leaves two half-full ones.
            int per = (ranges + pieces - 1) / pieces;
            for (int p = 0; p < pieces; p++) {
                out[first + p] = Arrays.copyOfRange(bounds, 2 * p * per, Math.min(bounds.length, 2 * (p + 1) * per));
            }
        }
        System.arraycopy(chunks, last + 1, out, first + pieces, chunks.length - last - 1);
        return out.length == 0 ? EMPTY : new SequenceRanges(out);
    }

    /** This set without {@code s}. */
    SequenceRanges without(long s) {
        int c = chunkAtOrBefore(s);
        if (c < 0) {
            return this;
        }
        long[] chunk = chunks[c];
        int r = rangeAtOrBefore(chunk, s);
        if (r < 0 || s > chunk[2 * r + 1]) {
            return this;
        }
        long a = chunk[2 * r];
        long b = chunk[2 * r + 1];
        long[] out = new long[chunk.length + 2];
        System.arraycopy(chunk, 0, out, 0, 2 * r);
        int n = 2 * r;
        if (a < s) {
            out[n++] = a;
            out[n++] = s - 1;
        }
        if (s < b) {
            out[n++] = s + 1;
            out[n++] = b;
        }
        System.arraycopy(chunk, 2 * r + 2, out, n, chunk.length - 2 * r - 2);
        n += chunk.length - 2 * r - 2;
        return replace(c, c, Arrays.copyOf(out, n));
    }

    /** This set without its first {@code count} ranges. */
    SequenceRanges withoutFirst(int count) {
        if (count <= 0) {
            return this;
        }
        if (count >= rangeCount()) {
            return EMPTY;
        }
        int c = chunkOfRange(count);
        long[] rest = Arrays.copyOfRange(chunks[c], 2 * (count - firstRange[c]), chunks[c].length);
        long[][] out = new long[chunks.length - c][];
        out[0] = rest;
        System.arraycopy(chunks, c + 1, out, 1, chunks.length - c - 1);
        return new SequenceRanges(out);
    }

    /** The ranges as {@code a-b,c-d}. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (long[] chunk : chunks) {
            for (int i = 0; i < chunk.length; i += 2) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(chunk[i]).append('-').append(chunk[i + 1]);
            }
        }
        return sb.toString();
    }

    /** Equal sets are equal however they are chunked. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceRanges r && Arrays.equals(r.bounds(), bounds());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds());
    }

    @Override
    public String toString() {
        return "[" + describe() + "]";
    }
}
