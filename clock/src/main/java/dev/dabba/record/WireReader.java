package dev.dabba.record;

import java.nio.charset.StandardCharsets;

/** A bounds-checked reader of varints and length-prefixed strings; every failure is a {@link WireFormatException}. */
final class WireReader {

    private final byte[] buf;
    private int pos;
    private final int end;

    WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    WireReader(byte[] buf, int offset, int end) {
        this.buf = buf;
        this.pos = offset;
        this.end = end;
    }

    byte[] readRemaining() {
        byte[] rest = java.util.Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return rest;
    }

    int position() {
        return pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    int remaining() {
        return end - pos;
    }

    // Every read names its field for the error message as what + suffix ("batch record 7" + " clock key"), and the
    // name is put together only when a read fails: building it for every field of every record had cost the stream
    // job's decoding more than some of the reads themselves.

    int readByte(String field) {
        return readByte(field, "");
    }

    int readByte(String what, String suffix) {
        return readByte(what, suffix, "");
    }

    private int readByte(String what, String suffix, String tail) {
        if (pos >= end) {
            throw new WireFormatException(what + suffix + tail + ": truncated at byte " + pos);
        }
        return buf[pos++] & 0xFF;
    }

    long readVarLong(String field) {
        return readVarLong(field, "", "");
    }

    long readVarLong(String what, String suffix) {
        return readVarLong(what, suffix, "");
    }

    private long readVarLong(String what, String suffix, String tail) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte(what, suffix, tail);
            if (shift == 63 && (b & 0x7E) != 0) {
                throw new WireFormatException(what + suffix + tail + ": varint overflows 64 bits at byte "
                        + (pos - 1));
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new WireFormatException(what + suffix + tail + ": varint longer than 10 bytes at byte " + pos);
    }

    /** A zigzag-encoded signed varint. */
    long readSigned(String field) {
        return readSigned(field, "");
    }

    long readSigned(String what, String suffix) {
        long v = readVarLong(what, suffix);
        return (v >>> 1) ^ -(v & 1);
    }

    long readNonNegative(String field, long max) {
        return readNonNegative(field, "", max);
    }

    long readNonNegative(String what, String suffix, long max) {
        long v = readVarLong(what, suffix);
        if (v < 0 || v > max) {
            throw new WireFormatException(what + suffix + ": must be 0.." + max + ", was "
                    + Long.toUnsignedString(v));
        }
        return v;
    }

    int readCount(String field, int max) {
        return (int) readNonNegative(field, "", max);
    }

    int readCount(String what, String suffix, int max) {
        return (int) readNonNegative(what, suffix, max);
    }

    String readString(String field, int maxBytes) {
        return readString(field, "", maxBytes);
    }

    String readString(String what, String suffix, int maxBytes) {
        int len = readStringLength(what, suffix, maxBytes);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    private int readStringLength(String what, String suffix, int maxBytes) {
        long len = readVarLong(what, suffix, " length");
        if (len < 0 || len > maxBytes) {
            throw new WireFormatException(what + suffix + " length: must be 0.." + maxBytes + ", was "
                    + Long.toUnsignedString(len));
        }
        if (len > remaining()) {
            throw new WireFormatException(what + suffix + ": length " + len + " exceeds the " + remaining()
                    + " bytes left at byte " + pos);
        }
        return (int) len;
    }

    /**
     * A string that {@code valid} accepts, read like {@link #readString}, through {@code cache}: a string whose
     * bytes are those of the cached one in its slot comes back as that string, without a new string or another
     * check, so the handful of node ids that name every clock entry cost a comparison each. Anything else is read,
     * checked and cached. Slots are replaced racily by design: strings are immutable and safely published, so a
     * reader sees a whole string or the one before, and a miss only costs a new string. {@code cache.length} must be
     * a power of two.
     *
     * @throws WireFormatException naming the field if {@code valid} refuses the string
     */
    String readCachedString(String what, String suffix, int maxBytes, String[] cache,
            java.util.function.Predicate<String> valid, String refusal) {
        int len = readStringLength(what, suffix, maxBytes);
        int h = 0x811C9DC5;
        for (int i = pos; i < pos + len; i++) {
            h = (h ^ buf[i]) * 0x01000193;
        }
        int slot = (h ^ (h >>> 16)) & (cache.length - 1);
        String cached = cache[slot];
        if (cached != null && sameLatin1(cached, len)) {
            pos += len;
            return cached;
        }
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        if (!valid.test(s)) {
            throw new WireFormatException(what + suffix + ": " + refusal + " '" + s + "'");
        }
        pos += len;
        cache[slot] = s;
        return s;
    }

    /** Whether the next {@code len} bytes are {@code s}'s characters, each below 0x80 (so one byte each in UTF-8). */
    private boolean sameLatin1(String s, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c != buf[pos + i]) {
                return false;
            }
        }
        return true;
    }
}
