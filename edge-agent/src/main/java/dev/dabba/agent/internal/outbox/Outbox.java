package dev.dabba.agent.internal.outbox;

import dev.dabba.agent.AgentConfig.OutboxSettings;
import dev.dabba.agent.FsyncPolicy;
import dev.dabba.agent.internal.metrics.Metrics;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only log of opaque entries in segment files, for records the broker has not acknowledged yet.
 *
 * <p>Every entry gets a global index, one more than the previous one. Entries are appended to the newest segment
 * (one {@code write} per call, so an appended entry survives the process dying); a segment is closed, forced and
 * a new one begun once it reaches the segment size. Readers walk entries with a {@link Cursor}. Acknowledging moves
 * the acknowledged index forward; segments wholly below it can then be deleted, which is the only way space comes
 * back. The total size is bounded: an append that would cross the limit fails with {@link OutboxFull} and changes
 * nothing.
 *
 * <p>Opening recovers: the newest segment is scanned and a torn tail (a short or corrupt last entry, or anything
 * after it) is truncated. Older segments were forced when they were closed; a checksum failure found in one when it
 * is read is reported loudly (a log error and a metric) and the rest of that segment skipped, since its lengths can
 * no longer be trusted. Thread-safe.
 */
public final class Outbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** An append found the outbox full; nothing was written. */
    public static final class OutboxFull extends Exception {
        private static final long serialVersionUID = 1L;
        private final long usedBytes;
        private final long maxBytes;

        OutboxFull(long usedBytes, long maxBytes, long needed) {
            super("outbox full: " + usedBytes + " of " + maxBytes + " bytes hold records the broker has not "
                    + "acknowledged yet; " + needed + " more do not fit", null, false, false);
            this.usedBytes = usedBytes;
            this.maxBytes = maxBytes;
        }

        public long usedBytes() {
            return usedBytes;
        }

        public long maxBytes() {
            return maxBytes;
        }
    }

    /** A position in the log: the index of the next entry and where it starts. */
    public record Cursor(long index, long segmentBase, long position) {
    }

    /** One entry read back; the payload is null when the reader said it knows the entry already. */
    public record Entry(long index, byte[] payload) {
    }

    /** Entries read from a cursor, and the cursor after them. */
    public record Read(List<Entry> entries, Cursor next, long bytes) {
    }

    private final Path directory;
    private final OutboxSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spaceFreed = lock.newCondition();
    private final Object syncLock = new Object();
    /** Segments by base index; the last one is active. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final Metrics.Counter fsyncs;
    private final Metrics.Counter truncatedBytes;
    private final Metrics.Counter corruptSegments;
    private final Metrics.Counter refused;
    private long nextIndex;
    private long ackIndex;
    private long totalBytes;
    private volatile long syncedIndex;
    private volatile boolean full;
    private long currentEpoch;
    private boolean closed;

    private Outbox(Path directory, OutboxSettings settings, Metrics metrics) {
        this.directory = directory;
        this.settings = settings;
        this.fsyncs = metrics.counter("dabba_agent_outbox_fsyncs_total", "Forces of outbox segments to the device.");
        this.truncatedBytes = metrics.counter("dabba_agent_outbox_truncated_bytes_total",
                "Bytes of torn writes cut off the outbox tail when it was opened.");
        this.corruptSegments = metrics.counter("dabba_agent_outbox_corrupt_segments_total",
                "Closed segments with a checksum failure; their entries after it could not be read.");
        this.refused = metrics.counter("dabba_agent_outbox_refused_appends_total",
                "Appends refused because the outbox was full.");
        metrics.gauge("dabba_agent_outbox_records", "Entries not yet acknowledged by the broker.", this::depth);
        metrics.gauge("dabba_agent_outbox_bytes", "Bytes the outbox segments use on disk.", this::bytes);
        metrics.gauge("dabba_agent_outbox_max_bytes", "The outbox limit, outbox.maxBytes.", () -> settings.maxBytes());
        metrics.gauge("dabba_agent_outbox_segments", "Segment files on disk.", this::segmentCount);
        metrics.gauge("dabba_agent_outbox_full", "1 while the outbox is full and refusing records (an alarm).",
                () -> full ? 1 : 0);
    }

    /**
     * Opens (creating if needed) the outbox in {@code directory}, truncating a torn tail.
     *
     * @param acknowledged the index below which entries are known to be acknowledged (from a checkpoint), or 0
     * @param epoch the clock epoch current now, written into new segment headers
     */
    public static Outbox open(Path directory, OutboxSettings settings, long acknowledged, long epoch,
            Metrics metrics) throws IOException {
        Objects.requireNonNull(settings, "settings");
        Files.createDirectories(directory);
        Outbox outbox = new Outbox(directory, settings, metrics);
        outbox.currentEpoch = epoch;
        outbox.recover(acknowledged);
        return outbox;
    }

    private void recover(long acknowledged) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*" + Segment.SUFFIX)) {
            ds.forEach(files::add);
        }
        files.sort(null);
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            boolean last = i == files.size() - 1;
            Segment s = Segment.open(file);
            if (s == null) {
                if (last) {
                    LOG.warn("outbox: segment {} has a torn header (a crash while it was created); deleting it", file);
                    truncatedBytes.add(Files.size(file));
                    Files.delete(file);
                    Segment.syncDirectory(directory);
                    continue;
                }
                throw new IOException("outbox segment " + file + " has a corrupt header; move it aside to start "
                        + "(its records are lost) or restore it");
            }
            segments.put(s.base(), s);
        }
        if (segments.isEmpty()) {
            nextIndex = acknowledged;
        } else {
            Segment active = segments.lastEntry().getValue();
            Segment.Scan scan = active.scanAll();
            if (scan.validEnd() < active.size()) {
                long cut = active.size() - scan.validEnd();
                LOG.warn("outbox: truncating {} bytes of a torn write at the tail of {} (after entry {})", cut,
                        active.file(), active.base() + scan.entries() - 1);
                truncatedBytes.add(cut);
                active.truncate(scan.validEnd());
            }
            active.setEntries(scan.entries());
            nextIndex = active.base() + scan.entries();
            Long prev = null;
            for (Segment s : segments.values()) {
                if (prev != null && segments.get(prev).base() >= s.base()) {
                    throw new IOException("outbox segments out of order at " + s.file());
                }
                prev = s.base();
            }
            // The counts of closed segments are implied by the next segment's base.
            Segment before = null;
            for (Segment s : segments.values()) {
                if (before != null) {
                    before.setEntries(s.base() - before.base());
                }
                before = s;
            }
        }
        long first = segments.isEmpty() ? nextIndex : segments.firstKey();
        ackIndex = Math.min(Math.max(acknowledged, first), nextIndex);
        totalBytes = 0;
        for (Segment s : segments.values()) {
            totalBytes += s.size();
        }
        syncedIndex = nextIndex;
        deleteAcknowledgedSegments();
        LOG.info("outbox {}: {} segments, entries {}..{}, {} not yet acknowledged, {} bytes", directory,
                segments.size(), first, nextIndex - 1, nextIndex - ackIndex, totalBytes);
    }

    /** The directory. */
    public Path directory() {
        return directory;
    }

    /**
     * Appends entries in order (one write per segment touched) and returns the index of the first.
     *
     * @throws OutboxFull if they do not fit under {@code maxBytes}; nothing was written
     * @throws IOException if the write failed; the outbox is as it was before the call
     */
    public long append(List<byte[]> payloads) throws OutboxFull, IOException {
        lock.lock();
        try {
            ensureOpen();
            long needed = 0;
            for (byte[] p : payloads) {
                if (p.length == 0 || p.length > maxEntryBytes()) {
                    throw new IllegalArgumentException("outbox entry must be 1-" + maxEntryBytes() + " bytes, was "
                            + p.length);
                }
                needed += Segment.ENTRY_OVERHEAD + p.length;
            }
            Segment active = segments.isEmpty() ? null : segments.lastEntry().getValue();
            long headroom = active == null || active.size() + needed > settings.segmentBytes()
                    ? Segment.HEADER_BYTES : 0;
            if (totalBytes + needed + headroom > settings.maxBytes()) {
                full = true;
                refused.increment();
                throw new OutboxFull(totalBytes, settings.maxBytes(), needed);
            }
            full = false;
            long first = nextIndex;
            int from = 0;
            while (from < payloads.size()) {
                active = segments.isEmpty() ? null : segments.lastEntry().getValue();
                if (active == null || active.size() + Segment.ENTRY_OVERHEAD + payloads.get(from).length
                        > settings.segmentBytes()) {
                    active = roll();
                }
                int to = from;
                long bytes = active.size();
                while (to < payloads.size()
                        && bytes + Segment.ENTRY_OVERHEAD + payloads.get(to).length <= settings.segmentBytes()) {
                    bytes += Segment.ENTRY_OVERHEAD + payloads.get(to).length;
                    to++;
                }
                long before = active.size();
                try {
                    active.append(payloads.subList(from, to));
                } catch (IOException e) {
                    rollBack(first, active, before);
                    throw e;
                }
                totalBytes += active.size() - before;
                nextIndex += to - from;
                from = to;
            }
            return first;
        } finally {
            lock.unlock();
        }
    }

    private void rollBack(long first, Segment failed, long failedSize) {
        // Undo everything this append wrote: entries of earlier segments of this call, and the partial write.
        try {
            failed.truncate(failedSize);
            failed.setEntries(nextIndex - failed.base());
            LOG.error("outbox: an append failed and was rolled back to entry {}", first);
        } catch (IOException e) {
            closed = true;
            LOG.error("outbox: an append failed and could not be rolled back; the outbox is closed until restart,"
                    + " which truncates the partial write", e);
        }
    }

    private Segment roll() throws IOException {
        if (!segments.isEmpty()) {
            Segment old = segments.lastEntry().getValue();
            old.force();
            fsyncs.increment();
        }
        Segment s = Segment.create(directory, nextIndex, currentEpoch);
        segments.put(s.base(), s);
        totalBytes += s.size();
        return s;
    }

    /** Records the clock epoch now current, for the headers of new segments (old epochs can be pruned by them). */
    public void epochAdopted(long epoch) {
        lock.lock();
        try {
            currentEpoch = Math.max(currentEpoch, epoch);
        } finally {
            lock.unlock();
        }
    }

    /** The lowest epoch any stored entry can be in: the header epoch of the oldest segment (or the current one). */
    public long oldestEpoch() {
        lock.lock();
        try {
            return segments.isEmpty() ? currentEpoch : segments.firstEntry().getValue().epoch();
        } finally {
            lock.unlock();
        }
    }

    /** Forces every entry below {@code index} to the device; concurrent callers share one force. */
    public void syncTo(long index) throws IOException {
        if (syncedIndex >= index) {
            return;
        }
        synchronized (syncLock) {
            if (syncedIndex >= index) {
                return;
            }
            Segment active;
            long target;
            lock.lock();
            try {
                if (segments.isEmpty() || closed) {
                    return;
                }
                active = segments.lastEntry().getValue();
                target = nextIndex;
            } finally {
                lock.unlock();
            }
            try {
                active.force();
            } catch (IOException e) {
                lock.lock();
                try {
                    if (segments.get(active.base()) == active) {
                        throw e;
                    }
                    // deleted meanwhile, its entries all acknowledged: nothing left to force
                } finally {
                    lock.unlock();
                }
            }
            fsyncs.increment();
            syncedIndex = target;
        }
    }

    /** Forces everything appended so far. */
    public void sync() throws IOException {
        syncTo(nextIndex());
    }

    /** The fsync policy. */
    public FsyncPolicy fsyncPolicy() {
        return settings.fsync();
    }

    /** The cursor at entry {@code index} (or the first stored entry after it), found by a scan of its segment. */
    public Cursor cursorAt(long index) throws IOException {
        lock.lock();
        try {
            if (segments.isEmpty() || index >= nextIndex) {
                long base = segments.isEmpty() ? nextIndex : segments.lastKey();
                long pos = segments.isEmpty() ? Segment.HEADER_BYTES : segments.lastEntry().getValue().size();
                return new Cursor(Math.max(index, nextIndex), base, pos);
            }
            var e = segments.floorEntry(index);
            if (e == null) {
                Segment first = segments.firstEntry().getValue();
                return new Cursor(first.base(), first.base(), Segment.HEADER_BYTES);
            }
            Segment s = e.getValue();
            return new Cursor(index, s.base(), s.positionOf(index));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads up to {@code maxEntries} entries and at most {@code maxBytes} of payload (but at least one entry, if any
     * is stored) from {@code from}.
     */
    public Read read(Cursor from, int maxEntries, long maxBytes) throws IOException {
        return read(from, maxEntries, maxBytes, i -> false);
    }

    /**
     * As {@link #read(Cursor, int, long)}, but entries whose index {@code known} accepts come without their payload
     * ({@link Entry#payload()} null): the caller holds them in memory already.
     */
    public Read read(Cursor from, int maxEntries, long maxBytes, java.util.function.LongPredicate known)
            throws IOException {
        lock.lock();
        try {
            ensureOpen();
            List<Entry> out = new ArrayList<>(Math.min(maxEntries, 1024));
            long bytes = 0;
            Cursor c = from;
            while (out.size() < maxEntries && bytes < maxBytes && c.index() < nextIndex) {
                Segment s = segments.get(c.segmentBase());
                if (s == null || c.position() >= s.size()) {
                    Long nextBase = segments.higherKey(c.segmentBase());
                    if (nextBase == null) {
                        break;
                    }
                    c = new Cursor(Math.max(c.index(), nextBase), nextBase, Segment.HEADER_BYTES);
                    continue;
                }
                Segment.Scan one = s.readAt(c.position(), maxEntries - out.size(), maxBytes - bytes, out.isEmpty(),
                        c.index(), out, known);
                bytes += one.bytes();
                if (one.corrupt()) {
                    corruptSegments.increment();
                    long at = c.index() + one.entries();
                    Long nextBase = segments.higherKey(s.base());
                    if (nextBase == null) {
                        // The active segment: close it where the damage starts and continue in a fresh one.
                        LOG.error("outbox: checksum failure in {} at byte {} (entry {}); entries {}..{} cannot be "
                                + "read and are skipped", s.file(), c.position() + one.validBytes(), at, at,
                                nextIndex - 1);
                        Segment fresh = roll();
                        nextBase = fresh.base();
                    } else {
                        LOG.error("outbox: checksum failure in closed segment {} at byte {} (entry {}); entries "
                                + "{}..{} cannot be read and are skipped", s.file(), c.position() + one.validBytes(),
                                at, at, nextBase - 1);
                    }
                    c = new Cursor(nextBase, nextBase, Segment.HEADER_BYTES);
                    continue;
                }
                c = new Cursor(c.index() + one.entries(), s.base(), c.position() + one.validBytes());
                if (one.entries() == 0) {
                    break;
                }
            }
            return new Read(out, c, bytes);
        } finally {
            lock.unlock();
        }
    }

    /** Marks every entry below {@code index} acknowledged. Returns whether some segment became deletable. */
    public boolean acknowledge(long index) {
        lock.lock();
        try {
            if (index > ackIndex) {
                ackIndex = Math.min(index, nextIndex);
            }
            return deletable();
        } finally {
            lock.unlock();
        }
    }

    private boolean deletable() {
        if (segments.size() > 1) {
            return segments.higherKey(segments.firstKey()) <= ackIndex;
        }
        if (segments.size() == 1) {
            Segment only = segments.firstEntry().getValue();
            return ackIndex >= nextIndex && only.entries() > 0 && only.size() >= settings.segmentBytes() / 2;
        }
        return false;
    }

    /**
     * Deletes the segments whose entries are all acknowledged (never the active one while it has room), and wakes
     * appenders waiting for space. Callers persist the acknowledged index first.
     *
     * @return how many segments were deleted
     */
    public int deleteAcknowledgedSegments() throws IOException {
        lock.lock();
        try {
            int deleted = 0;
            while (segments.size() > 1) {
                var first = segments.firstEntry();
                long nextBase = segments.higherKey(first.getKey());
                if (nextBase > ackIndex) {
                    break;
                }
                deleteSegment(first.getValue());
                deleted++;
            }
            if (segments.size() == 1 && ackIndex >= nextIndex) {
                Segment only = segments.firstEntry().getValue();
                if (only.entries() > 0 && only.size() >= settings.segmentBytes() / 2) {
                    // Everything is acknowledged and the active segment is half used: start afresh so its space
                    // comes back without waiting for it to fill.
                    deleteSegment(only);
                    deleted++;
                }
            }
            if (deleted > 0) {
                Segment.syncDirectory(directory);
                full = false;
                spaceFreed.signalAll();
            }
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    private void deleteSegment(Segment s) throws IOException {
        segments.remove(s.base());
        totalBytes -= s.size();
        s.close();
        Files.deleteIfExists(s.file());
    }

    /** Waits up to {@code timeoutNanos} for segments to be deleted; returns whether space was freed meanwhile. */
    public boolean awaitSpace(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            return spaceFreed.awaitNanos(timeoutNanos) > 0;
        } finally {
            lock.unlock();
        }
    }

    /** The payload of the newest entry, or null when the outbox holds none (used to recover the clock). */
    public byte[] lastPayload() throws IOException {
        lock.lock();
        try {
            for (Segment s : segments.descendingMap().values()) {
                if (s.entries() > 0) {
                    return s.lastPayload();
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private long maxEntryBytes() {
        return Math.min(settings.segmentBytes() - Segment.HEADER_BYTES - Segment.ENTRY_OVERHEAD, 16L << 20);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("outbox " + directory + " is closed");
        }
    }

    /** The index the next appended entry gets. */
    public long nextIndex() {
        lock.lock();
        try {
            return nextIndex;
        } finally {
            lock.unlock();
        }
    }

    /** The index below which every entry is acknowledged. */
    public long acknowledgedIndex() {
        lock.lock();
        try {
            return ackIndex;
        } finally {
            lock.unlock();
        }
    }

    /** Entries not yet acknowledged. */
    public long depth() {
        lock.lock();
        try {
            return nextIndex - ackIndex;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes on disk. */
    public long bytes() {
        lock.lock();
        try {
            return totalBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the last append was refused for lack of space (cleared by the next successful append or deletion). */
    public boolean isFull() {
        return full;
    }

    int segmentCount() {
        lock.lock();
        try {
            return segments.size();
        } finally {
            lock.unlock();
        }
    }

    /** The settings. */
    public OutboxSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Segment s : segments.values()) {
                try {
                    s.force();
                    s.close();
                } catch (IOException e) {
                    LOG.warn("outbox: closing {} failed: {}", s.file(), e.toString());
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
