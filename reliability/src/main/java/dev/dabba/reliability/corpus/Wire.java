package dev.dabba.reliability.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A few lines of Dabba's wire format written from {@code docs/wire-format.md}, not with the codec: the corpus
 * needs to write what the codec never would (negative counts, unordered clocks, unknown tags).
 */
final class Wire {

    static final int MAGIC = 0x44;
    static final int KIND_BATCH = 0x42;
    static final int VERSION = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A new batch envelope: magic, kind, version, flags 0 (plain body). */
    static Wire plainBatch() {
        return new Wire().u8(MAGIC).u8(KIND_BATCH).u8(VERSION).u8(0);
    }

    Wire u8(int b) {
        out.write(b);
        return this;
    }

    /** Unsigned LEB128. */
    Wire varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    /** Zigzag, then LEB128. */
    Wire signed(long v) {
        return varint((v << 1) ^ (v >> 63));
    }

    Wire string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8), true);
    }

    Wire bytes(byte[] b, boolean lengthPrefixed) {
        if (lengthPrefixed) {
            varint(b.length);
        }
        out.write(b, 0, b.length);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
