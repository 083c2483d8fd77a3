package dev.dabba.agent.internal.outbox;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One outbox segment file, {@code <base index, 20 digits>.seg}.
 *
 * <pre>
 * header (32 bytes, little endian)
 *   magic    4 bytes  "DBOX"
 *   version  1 byte   1
 *   flags    1 byte   0
 *   reserved 2 bytes  0
 *   base     8 bytes  index of the segment's first entry
 *   epoch    8 bytes  the clock epoch current when the segment was created (entries are in it or later)
 *   reserved 4 bytes  0
 *   crc32c   4 bytes  of the 28 bytes before it
 * entry, repeated
 *   length   4 bytes  payload length, 1..2^24
 *   crc32c   4 bytes  of the length field and the payload
 *   payload  length bytes
 * </pre>
 *
 * An entry is valid if its length is in range, it lies wholly inside the file, and its checksum matches; the first
 * invalid entry ends the readable part of the segment. Not thread-safe: {@link Outbox} locks around it.
 *
 * <p>Files are accessed through {@link RandomAccessFile}, not a {@code FileChannel}: an interrupt of a thread in
 * channel I/O closes the channel for every thread, and the outbox must not be closed by a caller's interrupt.
 */
final class Segment implements AutoCloseable {

    static final String SUFFIX = ".seg";
    static final int HEADER_BYTES = 32;
    static final int ENTRY_OVERHEAD = 8;
    static final int VERSION = 1;
    static final int MAX_PAYLOAD = 1 << 24;
    private static final byte[] MAGIC = {'D', 'B', 'O', 'X'};

    /** The result of scanning or reading entries. */
    record Scan(int entries, long validBytes, long bytes, boolean corrupt) {
        /** Where the valid entries end, from the start of the file, for a scan from the header. */
        long validEnd() {
            return HEADER_BYTES + validBytes;
        }
    }

    private final Path file;
    private final RandomAccessFile channel;
    private final long base;
    private final long epoch;
    private long size;
    private long entries;

    private Segment(Path file, RandomAccessFile channel, long base, long epoch, long size) {
        this.file = file;
        this.channel = channel;
        this.base = base;
        this.epoch = epoch;
        this.size = size;
    }

    static String fileName(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }

    /** Creates a new empty segment, its header forced and the directory entry synced. */
    static Segment create(Path directory, long base, long epoch) throws IOException {
        Path file = directory.resolve(fileName(base));
        Files.createFile(file);
        RandomAccessFile ch = new RandomAccessFile(file.toFile(), "rw");
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).put((byte) VERSION).put((byte) 0).putShort((short) 0).putLong(base).putLong(epoch).putInt(0);
            CRC32C crc = new CRC32C();
            crc.update(h.array(), 0, HEADER_BYTES - 4);
            h.putInt((int) crc.getValue());
            ch.seek(0);
            ch.write(h.array());
            ch.getFD().sync();
            syncDirectory(directory);
            return new Segment(file, ch, base, epoch, HEADER_BYTES);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Opens an existing segment; null if its header is torn or corrupt. */
    static Segment open(Path file) throws IOException {
        RandomAccessFile ch = new RandomAccessFile(file.toFile(), "rw");
        long size = ch.length();
        if (size < HEADER_BYTES) {
            ch.close();
            return null;
        }
        byte[] header = new byte[HEADER_BYTES];
        readFully(ch, header, 0, HEADER_BYTES, 0);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(header, 0, HEADER_BYTES - 4);
        byte[] magic = new byte[4];
        h.get(magic);
        int version = h.get();
        h.get();
        h.getShort();
        long base = h.getLong();
        long epoch = h.getLong();
        h.getInt();
        int stored = h.getInt();
        if (!java.util.Arrays.equals(magic, MAGIC) || stored != (int) crc.getValue()) {
            ch.close();
            return null;
        }
        if (version != VERSION) {
            ch.close();
            throw new IOException("outbox segment " + file + " has format version " + version + "; this agent reads "
                    + "version " + VERSION);
        }
        String expected = fileName(base);
        if (!file.getFileName().toString().equals(expected)) {
            ch.close();
            throw new IOException("outbox segment " + file + " holds base index " + base + " but is not named "
                    + expected);
        }
        return new Segment(file, ch, base, epoch, size);
    }

    Path file() {
        return file;
    }

    long base() {
        return base;
    }

    long epoch() {
        return epoch;
    }

    long size() {
        return size;
    }

    long entries() {
        return entries;
    }

    void setEntries(long n) {
        entries = n;
    }

    /** Appends entries with one write at the end. */
    void append(List<byte[]> payloads) throws IOException {
        int total = 0;
        for (byte[] p : payloads) {
            total += ENTRY_OVERHEAD + p.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        for (byte[] p : payloads) {
            int at = buf.position();
            buf.putInt(p.length);
            crc.reset();
            crc.update(buf.array(), at, 4);
            crc.update(p, 0, p.length);
            buf.putInt((int) crc.getValue());
            buf.put(p);
        }
        channel.seek(size);
        channel.write(buf.array(), 0, total);
        size += total;
        entries += payloads.size();
    }

    /** Scans every entry from the header on. */
    Scan scanAll() throws IOException {
        return readAt(HEADER_BYTES, Integer.MAX_VALUE, Long.MAX_VALUE, true, base, null);
    }

    /**
     * Reads entries from {@code position} until the end, {@code maxEntries} or {@code maxBytes} of payload (at least
     * one if {@code atLeastOne}), appending them to {@code out} (if not null) with indices from {@code firstIndex}.
     */
    Scan readAt(long position, int maxEntries, long maxBytes, boolean atLeastOne, long firstIndex,
            List<Outbox.Entry> out) throws IOException {
        return readAt(position, maxEntries, maxBytes, atLeastOne, firstIndex, out, i -> false);
    }

    /**
     * As {@link #readAt(long, int, long, boolean, long, List)}, but entries whose index {@code known} accepts are
     * returned without their payload (not read, not checksummed): the caller has them in memory.
     */
    Scan readAt(long position, int maxEntries, long maxBytes, boolean atLeastOne, long firstIndex,
            List<Outbox.Entry> out, java.util.function.LongPredicate known) throws IOException {
        byte[] headBytes = new byte[ENTRY_OVERHEAD];
        ByteBuffer head = ByteBuffer.wrap(headBytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        long pos = position;
        int n = 0;
        long bytes = 0;
        long fileSize = out == null ? channel.length() : size;
        while (n < maxEntries && pos + ENTRY_OVERHEAD <= fileSize) {
            readFully(channel, headBytes, 0, ENTRY_OVERHEAD, pos);
            int length = head.getInt(0);
            int stored = head.getInt(4);
            if (length <= 0 || length > MAX_PAYLOAD || pos + ENTRY_OVERHEAD + length > fileSize) {
                return new Scan(n, pos - position, bytes, true);
            }
            if (bytes + length > maxBytes && !(atLeastOne && n == 0)) {
                break;
            }
            if (out != null && known.test(firstIndex + n)) {
                out.add(new Outbox.Entry(firstIndex + n, null));
                n++;
                bytes += length;
                pos += ENTRY_OVERHEAD + length;
                continue;
            }
            byte[] payload = new byte[length];
            readFully(channel, payload, 0, length, pos + ENTRY_OVERHEAD);
            crc.reset();
            crc.update(headBytes, 0, 4);
            crc.update(payload, 0, length);
            if ((int) crc.getValue() != stored) {
                return new Scan(n, pos - position, bytes, true);
            }
            if (out != null) {
                out.add(new Outbox.Entry(firstIndex + n, payload));
            }
            n++;
            bytes += length;
            pos += ENTRY_OVERHEAD + length;
        }
        boolean trailing = out == null && pos < fileSize;
        return new Scan(n, pos - position, bytes, trailing);
    }

    /** The byte position of entry {@code index}, by a scan from the start. */
    long positionOf(long index) throws IOException {
        long skip = index - base;
        if (skip <= 0) {
            return HEADER_BYTES;
        }
        byte[] headBytes = new byte[ENTRY_OVERHEAD];
        ByteBuffer head = ByteBuffer.wrap(headBytes).order(ByteOrder.LITTLE_ENDIAN);
        long pos = HEADER_BYTES;
        for (long i = 0; i < skip && pos + ENTRY_OVERHEAD <= size; i++) {
            readFully(channel, headBytes, 0, ENTRY_OVERHEAD, pos);
            int length = head.getInt(0);
            if (length <= 0 || length > MAX_PAYLOAD) {
                break;
            }
            pos += ENTRY_OVERHEAD + length;
        }
        return Math.min(pos, size);
    }

    /** The newest entry's payload, by a scan. */
    byte[] lastPayload() throws IOException {
        byte[] headBytes = new byte[ENTRY_OVERHEAD];
        ByteBuffer head = ByteBuffer.wrap(headBytes).order(ByteOrder.LITTLE_ENDIAN);
        long pos = HEADER_BYTES;
        long last = -1;
        int lastLength = 0;
        while (pos + ENTRY_OVERHEAD <= size) {
            readFully(channel, headBytes, 0, ENTRY_OVERHEAD, pos);
            int length = head.getInt(0);
            if (length <= 0 || length > MAX_PAYLOAD || pos + ENTRY_OVERHEAD + length > size) {
                break;
            }
            last = pos;
            lastLength = length;
            pos += ENTRY_OVERHEAD + length;
        }
        if (last < 0) {
            return null;
        }
        byte[] payload = new byte[lastLength];
        readFully(channel, payload, 0, lastLength, last + ENTRY_OVERHEAD);
        return payload;
    }

    /** Cuts the file to {@code newSize} bytes and forces it. */
    void truncate(long newSize) throws IOException {
        channel.setLength(newSize);
        channel.getFD().sync();
        size = newSize;
    }

    void force() throws IOException {
        channel.getFD().sync();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems (and platforms) cannot open or force a directory; the rename/create is still there.
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }

    private static void readFully(RandomAccessFile f, byte[] into, int offset, int length, long position)
            throws IOException {
        f.seek(position);
        try {
            f.readFully(into, offset, length);
        } catch (EOFException e) {
            throw new IOException("unexpected end of outbox segment at byte " + position, e);
        }
    }
}
