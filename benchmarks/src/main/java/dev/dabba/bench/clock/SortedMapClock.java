package dev.dabba.bench.clock;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Baseline: a vector clock as Akka ({@code akka.cluster.VectorClock}, a {@code TreeMap}) and Voldemort (sorted
 * entries) keep one: compare walks both sorted maps in step, merge copies one map and raises it with the other's
 * entries, and the wire carries every entry as a length-prefixed node id and a varint counter.
 */
final class SortedMapClock {

    final TreeMap<String, Long> versions;

    SortedMapClock(TreeMap<String, Long> versions) {
        this.versions = versions;
    }

    /** -1 before, 1 after, 0 equal, 2 concurrent. */
    int compare(SortedMapClock other) {
        Iterator<Map.Entry<String, Long>> i = versions.entrySet().iterator();
        Iterator<Map.Entry<String, Long>> j = other.versions.entrySet().iterator();
        Map.Entry<String, Long> a = i.hasNext() ? i.next() : null;
        Map.Entry<String, Long> b = j.hasNext() ? j.next() : null;
        boolean less = false;
        boolean greater = false;
        while ((a != null || b != null) && !(less && greater)) {
            int c = a == null ? 1 : b == null ? -1 : a.getKey().compareTo(b.getKey());
            if (c < 0) {
                greater = true;
                a = i.hasNext() ? i.next() : null;
            } else if (c > 0) {
                less = true;
                b = j.hasNext() ? j.next() : null;
            } else {
                long x = a.getValue();
                long y = b.getValue();
                less |= x < y;
                greater |= x > y;
                a = i.hasNext() ? i.next() : null;
                b = j.hasNext() ? j.next() : null;
            }
        }
        return less && greater ? 2 : less ? -1 : greater ? 1 : 0;
    }

    SortedMapClock merge(SortedMapClock other) {
        TreeMap<String, Long> merged = new TreeMap<>(versions);
        for (Map.Entry<String, Long> e : other.versions.entrySet()) {
            Long mine = merged.get(e.getKey());
            if (mine == null || mine < e.getValue()) {
                merged.put(e.getKey(), e.getValue());
            }
        }
        return new SortedMapClock(merged);
    }

    /** A handover message in a compact binary form: strings and varints, every clock entry spelled out. */
    static byte[] encodeHandover(String from, String to, String subscriber, long hlcWall, int hlcLogical,
            SortedMapClock clock) {
        Buffer w = new Buffer(64 + 16 * clock.versions.size());
        w.string(from);
        w.string(to);
        w.string(subscriber);
        w.varint(hlcWall);
        w.varint(hlcLogical);
        w.varint(clock.versions.size());
        for (Map.Entry<String, Long> e : clock.versions.entrySet()) {
            w.string(e.getKey());
            w.varint(e.getValue());
        }
        return w.bytes();
    }

    /** The clock of a handover message written by {@link #encodeHandover}. */
    static SortedMapClock decodeHandoverClock(byte[] bytes) {
        Reader r = new Reader(bytes);
        r.string();
        r.string();
        r.string();
        r.varint();
        r.varint();
        int n = (int) r.varint();
        TreeMap<String, Long> m = new TreeMap<>();
        for (int k = 0; k < n; k++) {
            m.put(r.string(), r.varint());
        }
        return new SortedMapClock(m);
    }

    private static final class Buffer {
        private byte[] buf;
        private int pos;

        Buffer(int capacity) {
            buf = new byte[capacity];
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = buf[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
        }

        String string() {
            int n = (int) varint();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
