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

    int readByte(String field) {
        if (pos >= end) {
            throw new WireFormatException(field + ": truncated at byte " + pos);
        }
        return buf[pos++] & 0xFF;
    }

    long readVarLong(String field) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte(field);
            if (shift == 63 && (b & 0x7E) != 0) {
                throw new WireFormatException(field + ": varint overflows 64 bits at byte " + (pos - 1));
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new WireFormatException(field + ": varint longer than 10 bytes at byte " + pos);
    }

    /** A zigzag-encoded signed varint. */
    long readSigned(String field) {
        long v = readVarLong(field);
        return (v >>> 1) ^ -(v & 1);
    }

    long readNonNegative(String field, long max) {
        long v = readVarLong(field);
        if (v < 0 || v > max) {
            throw new WireFormatException(field + ": must be 0.." + max + ", was " + Long.toUnsignedString(v));
        }
        return v;
    }

    int readCount(String field, int max) {
        return (int) readNonNegative(field, max);
    }

    String readString(String field, int maxBytes) {
        int len = readCount(field + " length", maxBytes);
        if (len > remaining()) {
            throw new WireFormatException(field + ": length " + len + " exceeds the " + remaining()
                    + " bytes left at byte " + pos);
        }
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }
}
