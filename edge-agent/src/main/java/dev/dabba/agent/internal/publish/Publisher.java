package dev.dabba.agent.internal.publish;

import dev.dabba.agent.AgentConfig.BatchSettings;
import dev.dabba.agent.FsyncPolicy;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.agent.internal.outbox.Outbox;
import dev.dabba.clock.NodeId;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox to the broker: reads entries from the send cursor, groups them into batches (by count, by
 * bytes, after a linger), encodes each batch with the clock module's codec (zstd above a size), publishes it with
 * QoS 1 and keeps up to a window of batches in flight. A PUBACK marks its batch's entries acknowledged; the
 * acknowledged index is the end of the contiguous acknowledged prefix, and entries below it are never sent again.
 *
 * <p>When a publish fails and the client no longer holds it (the broker refused it, or the client never took it),
 * the send cursor goes back to the acknowledged index and everything after it is sent again: the broker may see a
 * batch twice, with the same records and event ids, never a record lost. PUBACKs that arrive late still count, and
 * what they acknowledge is not sent again.
 *
 * <p>A dropped connection is not such a failure. The MQTT client keeps every publish it accepted until its PUBACK
 * and sends it again on each new connection of the session (Paho, with a persistent session); the batches it still
 * holds ({@link Transport#stillHolds}) stay in flight across the reconnect, and the publisher goes on after them
 * instead of queueing second copies behind the client's. Nor is a PUBACK missing for the publish timeout on a live
 * connection: MQTT sends a publish again only on a new connection, so the publisher asks the link for one
 * ({@link Transport#reconnect}) instead of publishing a copy, and the client resends what it holds there. The same
 * happens when the client holds a full window ({@link Transport#held}: copies from before a rewind count too) and
 * nothing was acknowledged for the publish timeout.
 */
public final class Publisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** The record stored as an entry: from memory if it was stamped recently, else decoded. */
    public interface RecordSource {
        /** The record at {@code index}; {@code payload} is null when {@link #has} said it is in memory. */
        UsageRecord record(long index, byte[] payload);

        /** Whether the record at {@code index} is in memory (its payload need not be read). */
        default boolean has(long index) {
            return false;
        }
    }

    /** Publishes one batch; the link in production, a fake in tests. */
    public interface Transport {
        /** Hands the batch to the client; the token identifies it in {@link #stillHolds}. */
        IMqttToken publish(String topic, byte[] payload, MqttActionListener callback) throws Exception;

        /**
         * Publishes the client holds unacknowledged, from earlier connections too, this publisher's and the others
         * that share the broker's receive maximum with it; 0 if it does not say.
         */
        default int held() {
            return 0;
        }

        /**
         * Whether the client still holds the publish of {@code token}, which just failed, and sends it again on its
         * next connection (a failure because the connection dropped); false if the publish is gone.
         */
        default boolean stillHolds(IMqttToken token) {
            return false;
        }

        /**
         * Drops the connection and makes a new one, without waiting: the client sends everything it holds again
         * there. {@code reason} says why, for the log.
         */
        void reconnect(String reason);
    }

    /** A batch handed to the client; {@code token} is null until the client returned it. */
    private record InFlight(long start, long end, long sentNanos, IMqttToken token) {
        InFlight sentAt(long nanos) {
            return new InFlight(start, end, nanos, token);
        }
    }

    private record AckedRange(long end, Outbox.Cursor endCursor) {
    }

    private final NodeId node;
    private final Outbox outbox;
    private final RecordSource decoder;
    private final RecordCodec codec;
    private final Transport transport;
    private final String topic;
    private final BatchSettings batch;
    private final long publishTimeoutNanos;
    private final LongSupplier nanoTime;
    private final Runnable onAcknowledged;
    private final Path quarantine;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private final TreeMap<Long, AckedRange> acked = new TreeMap<>();
    private final Thread thread;
    private final Metrics.Counter published;
    private final Metrics.Counter batches;
    private final Metrics.Counter bytesOut;
    private final Metrics.Counter recordBytesIn;
    private final Metrics.Counter failures;
    private final Metrics.Counter resends;
    private final Metrics.Counter quarantined;
    private final Metrics.Counter busyRetries;
    private Outbox.Cursor sendCursor;
    private Outbox.Cursor ackCursor;
    private long ackIndex;
    private boolean connected;
    private int window = 1;
    private long generation;
    /** When a PUBACK last came, the link last connected, or the publisher last asked it to reconnect. */
    private long lastProgressNanos;
    /** Since when the client's held copies have filled the window, stopping the publisher; NOT_HELD if they do not. */
    private long heldSinceNanos = NOT_HELD;
    private static final long NOT_HELD = Long.MIN_VALUE;
    private long lingerStart;
    private long flushUpTo;
    private double averageEntryBytes = 64;
    private volatile boolean closed;

    public Publisher(NodeId node, Outbox outbox, RecordSource decoder, RecordCodec codec,
            Transport transport, String topic, BatchSettings batch, Duration publishTimeout, LongSupplier nanoTime,
            Runnable onAcknowledged, Path quarantine, Metrics metrics) throws IOException {
        this.node = node;
        this.outbox = outbox;
        this.decoder = decoder;
        this.codec = codec;
        this.transport = transport;
        this.topic = topic;
        this.batch = batch;
        this.publishTimeoutNanos = publishTimeout.toNanos();
        this.nanoTime = nanoTime;
        this.onAcknowledged = onAcknowledged;
        this.quarantine = quarantine;
        this.lastProgressNanos = nanoTime.getAsLong();
        this.ackIndex = outbox.acknowledgedIndex();
        this.ackCursor = outbox.cursorAt(ackIndex);
        this.sendCursor = ackCursor;
        this.published = metrics.counter("dabba_agent_records_published_total",
                "Records the broker acknowledged (each counted once, however often it was sent).");
        this.batches = metrics.counter("dabba_agent_batches_published_total", "Batches the broker acknowledged.");
        this.bytesOut = metrics.counter("dabba_agent_publish_bytes_total",
                "Bytes of acknowledged batch payloads, after compression.");
        this.recordBytesIn = metrics.counter("dabba_agent_publish_record_bytes_total",
                "Bytes of stored records in acknowledged batches, before batch encoding and compression.");
        this.failures = metrics.counter("dabba_agent_publish_failures_total",
                "Publishes that failed, or whose PUBACK did not come within the publish timeout (their records are"
                        + " sent again, by the publisher or, on a new connection, by the MQTT client).");
        this.resends = metrics.counter("dabba_agent_publish_rewinds_total",
                "Times the send cursor went back to the acknowledged index (a failed publish the MQTT client no longer"
                        + " holds, a move to a new epoch lineage).");
        this.quarantined = metrics.counter("dabba_agent_outbox_quarantined_total",
                "Stored entries that could not be decoded; copied to STATE/quarantine and skipped (an alarm).");
        this.busyRetries = metrics.counter("dabba_agent_publish_busy_retries_total",
                "Publishes retried because the MQTT client's in-flight window was full (back-pressure).");
        metrics.gauge("dabba_agent_publish_inflight_batches", "Batches published and not yet acknowledged.",
                this::inFlightCount);
        this.thread = new Thread(this::run, "dabba-publisher-" + node);
        this.thread.setDaemon(true);
    }

    /** Starts the publishing thread. */
    public void start() {
        thread.start();
    }

    /** New entries were appended. */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The link is up: publish with up to {@code window} batches in flight, counting those the client is sending again
     * from the last connection, whose publish timeout starts over now.
     */
    public void connected(int window) {
        lock.lock();
        try {
            this.connected = true;
            this.window = Math.max(1, window);
            long now = nanoTime.getAsLong();
            this.lastProgressNanos = now;
            inFlight.replaceAll((start, f) -> f.sentAt(now));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends everything unacknowledged again from the acknowledged index, in-flight batches included: after the node
     * moved to a new epoch lineage, so that records already sent against the old one go again as the record source
     * now gives them.
     */
    public void resendUnacknowledged() {
        lock.lock();
        try {
            rewind();
        } finally {
            lock.unlock();
        }
    }

    /** The link is down: stop sending until it is back. What the client holds stays in flight. */
    public void disconnected() {
        lock.lock();
        try {
            connected = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void rewind() {
        generation++;
        inFlight.clear();
        if (sendCursor.index() != ackCursor.index()) {
            resends.increment();
        }
        sendCursor = ackCursor;
        changed.signalAll();
    }

    /** The index below which the broker acknowledged every entry. */
    public long acknowledgedIndex() {
        lock.lock();
        try {
            return ackIndex;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes without lingering and waits until the broker acknowledged every entry below {@code index}.
     *
     * @return whether it happened within {@code timeout}
     */
    public boolean awaitAcknowledged(long index, Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        lock.lock();
        try {
            flushUpTo = Math.max(flushUpTo, index);
            changed.signalAll();
            while (ackIndex < index) {
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int inFlightCount() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            try {
                step();
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("{}: publishing failed; retrying", node, e);
                lock.lock();
                try {
                    rewind();
                    changed.await(1, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void step() throws InterruptedException, IOException {
        Outbox.Cursor from;
        long gen;
        int held = transport.held(); // outside the lock: the client's own locks are taken in there
        checkProgress(held);
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            if (sendCursor.index() < ackIndex) {
                sendCursor = ackCursor; // acknowledged meanwhile, by late PUBACKs for earlier copies
            }
            long available = outbox.nextIndex() - sendCursor.index();
            if (!connected || inFlight.size() >= window || available <= 0) {
                heldSinceNanos = NOT_HELD; // not the client's copies stopping it: nothing to send, or its own window
                changed.await(waitNanos(now), TimeUnit.NANOSECONDS);
                return;
            }
            if (held >= window) {
                // the client's copies fill the window: wait for their PUBACKs (checkProgress reconnects if none come)
                if (heldSinceNanos == NOT_HELD) {
                    heldSinceNanos = now;
                }
                long check = Math.max(heldSinceNanos, lastProgressNanos) + publishTimeoutNanos;
                changed.await(Math.min(waitNanos(now), Math.max(1, check - now)), TimeUnit.NANOSECONDS);
                return;
            }
            heldSinceNanos = NOT_HELD;
            boolean full = available >= batch.maxRecords() || available * averageEntryBytes >= batch.maxBytes();
            boolean flushing = flushUpTo > sendCursor.index();
            if (!full && !flushing && !batch.linger().isZero()) {
                if (lingerStart == 0) {
                    lingerStart = now == 0 ? 1 : now;
                }
                long left = batch.linger().toNanos() - (now - lingerStart);
                if (left > 0) {
                    changed.awaitNanos(Math.min(left, waitNanos(now)));
                    return;
                }
            }
            lingerStart = 0;
            from = sendCursor;
            gen = generation;
        } finally {
            lock.unlock();
        }
        Outbox.Read read = outbox.read(from, batch.maxRecords(), batch.maxBytes(), decoder::has);
        if (read.entries().isEmpty()) {
            lock.lock();
            try {
                if (gen == generation && read.next().index() > sendCursor.index()) {
                    sendCursor = read.next(); // skipped unreadable entries
                }
                changed.await(10, TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
            return;
        }
        List<UsageRecord> records = decodeAll(read);
        if (records == null) {
            // Some entries left memory between reading and decoding: read them from the outbox after all.
            read = outbox.read(from, batch.maxRecords(), batch.maxBytes());
            records = decodeAll(read);
        }
        long start = read.entries().get(0).index();
        long end = read.next().index();
        averageEntryBytes = 0.9 * averageEntryBytes + 0.1 * ((double) read.bytes() / read.entries().size());
        if (outbox.fsyncPolicy() == FsyncPolicy.BATCH) {
            outbox.syncTo(end);
        }
        lock.lock();
        try {
            if (gen != generation) {
                return; // rewound while reading: start over from the acknowledged index
            }
            sendCursor = read.next();
            if (!records.isEmpty()) {
                inFlight.put(start, new InFlight(start, end, nanoTime.getAsLong(), null));
            } else if (acknowledged(start, end, read.next(), 0, 0, 0)) { // nothing publishable in the range
                onAcknowledged.run();
            }
        } finally {
            lock.unlock();
        }
        if (records.isEmpty()) {
            return;
        }
        byte[] payload = codec.encodeBatch(new RecordBatch(node, records));
        long recordBytes = read.bytes();
        try {
            IMqttToken token = transport.publish(topic, payload, new Callback(start, end, read.next(), gen,
                    payload.length, recordBytes, records.size()));
            lock.lock();
            try {
                inFlight.computeIfPresent(start, (k, f) -> gen == generation && f.token() == null
                        ? new InFlight(f.start(), f.end(), f.sentNanos(), token) : f);
            } finally {
                lock.unlock();
            }
        } catch (Exception e) {
            boolean busy = e instanceof MqttException me
                    && me.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT;
            lock.lock();
            try {
                inFlight.remove(start);
                if (busy) {
                    // Paho's own in-flight count is full (it can lag behind PUBACKs): back-pressure, not failure.
                    busyRetries.increment();
                } else {
                    // Not connected (the link dropped and the publisher has not heard yet) or refused: this batch
                    // only; the batches before it are in flight, or with the client, which sends them again.
                    failures.increment();
                    LOG.debug("{}: publishing entries {}..{} failed at once: {}", node, start, end - 1, e.toString());
                }
                if (gen == generation && sendCursor.equals(read.next())) {
                    sendCursor = from; // send the same batch again; nothing after it was sent
                } else if (gen == generation) {
                    rewind();
                }
                changed.await(busy ? 2 : 50, TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Asks the link for a new connection when the oldest in-flight batch the client holds got no PUBACK within the
     * publish timeout, or when the client holds a full window and nothing was acknowledged for as long; rewinds when
     * the late batch is no longer with the client. Nothing happens while the link is down: {@link #connected} starts
     * the timeouts over.
     */
    private void checkProgress(int held) {
        InFlight late;
        long gen;
        long now;
        lock.lock();
        try {
            if (!connected) {
                return;
            }
            now = nanoTime.getAsLong();
            if (outbox.nextIndex() <= Math.max(sendCursor.index(), ackIndex)) {
                heldSinceNanos = NOT_HELD; // nothing to send: the client's copies stop nothing
            }
            late = null;
            for (InFlight f : inFlight.values()) {
                if (now - f.sentNanos() > publishTimeoutNanos) {
                    late = f;
                    break;
                }
            }
            // held copies: counted from when they stopped the publisher, not from a PUBACK before a quiet spell
            if (late == null && (held < window || heldSinceNanos == NOT_HELD
                    || now - Math.max(heldSinceNanos, lastProgressNanos) < publishTimeoutNanos)) {
                return;
            }
            gen = generation;
        } finally {
            lock.unlock();
        }
        // outside the lock, like held(): the client's own locks are taken in there
        boolean holds = late == null || late.token() != null && transport.stillHolds(late.token());
        String reason;
        lock.lock();
        try {
            if (gen != generation || !connected || late != null && !late.equals(inFlight.get(late.start()))) {
                return; // acknowledged, failed or rewound meanwhile
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(publishTimeoutNanos);
            if (late != null) {
                failures.increment();
            }
            if (!holds) {
                LOG.warn("{}: no PUBACK for entries {}..{} within {} ms and the MQTT client no longer holds them;"
                        + " sending again from entry {}", node, late.start(), late.end() - 1, millis, ackIndex);
                rewind();
                lastProgressNanos = now; // the copies get a whole timeout before the held-window check
                return;
            }
            reason = late != null
                    ? "no PUBACK for entries " + late.start() + ".." + (late.end() - 1) + " within " + millis + " ms"
                    : "the MQTT client holds " + held + " unacknowledged publishes and none was acknowledged for "
                            + millis + " ms";
            // the next check is a whole timeout away, and connected() starts the timeouts over once more
            long at = nanoTime.getAsLong();
            inFlight.replaceAll((start, f) -> f.sentAt(at));
            lastProgressNanos = at;
        } finally {
            lock.unlock();
        }
        LOG.warn("{}: {}; asking the link for a new connection, on which the MQTT client sends them again", node,
                reason);
        transport.reconnect(reason);
    }

    private long waitNanos(long now) {
        long wait = TimeUnit.SECONDS.toNanos(1);
        if (!inFlight.isEmpty()) {
            long oldest = inFlight.values().stream().mapToLong(InFlight::sentNanos).min().orElse(now);
            wait = Math.min(wait, Math.max(1, oldest + publishTimeoutNanos - now));
        }
        return wait;
    }

    /** The entries' records; null if an entry read without its payload is no longer in memory. */
    private List<UsageRecord> decodeAll(Outbox.Read read) {
        List<UsageRecord> records = new ArrayList<>(read.entries().size());
        for (Outbox.Entry e : read.entries()) {
            if (e.payload() == null) {
                UsageRecord r = decoder.record(e.index(), null);
                if (r == null) {
                    return null;
                }
                records.add(r);
                continue;
            }
            UsageRecord r = decode(e);
            if (r != null) {
                records.add(r);
            }
        }
        return records;
    }

    private UsageRecord decode(Outbox.Entry e) {
        try {
            return decoder.record(e.index(), e.payload());
        } catch (RuntimeException ex) {
            quarantined.increment();
            Path file = quarantine.resolve(String.format("%020d.bin", e.index()));
            try {
                Files.createDirectories(quarantine);
                Files.write(file, e.payload());
            } catch (IOException io) {
                LOG.error("{}: could not write {}", node, file, io);
            }
            LOG.error("{}: outbox entry {} cannot be decoded ({}); copied to {} and skipped", node, e.index(),
                    ex.getMessage(), file);
            return null;
        }
    }

    /** Records an acknowledged range; returns whether outbox segments became deletable. Lock held. */
    private boolean acknowledged(long start, long end, Outbox.Cursor endCursor, int records, long payloadBytes,
            long recordBytes) {
        // lock held
        AckedRange existing = acked.get(start);
        if (existing == null || existing.end() < end) {
            acked.put(start, new AckedRange(end, endCursor));
        }
        long before = ackIndex;
        while (!acked.isEmpty()) {
            Map.Entry<Long, AckedRange> first = acked.firstEntry();
            if (first.getKey() > ackIndex) {
                break;
            }
            acked.pollFirstEntry();
            if (first.getValue().end() > ackIndex) {
                ackIndex = first.getValue().end();
                ackCursor = first.getValue().endCursor();
            }
        }
        if (records > 0) {
            batches.increment();
            bytesOut.add(payloadBytes);
            recordBytesIn.add(recordBytes);
        }
        boolean deletable = false;
        if (ackIndex > before) {
            published.add(ackIndex - before);
            // The outbox learns first, so whoever wakes up sees the records gone from it too.
            deletable = outbox.acknowledge(ackIndex);
            changed.signalAll();
        }
        return deletable;
    }

    private final class Callback implements MqttActionListener {
        private final long start;
        private final long end;
        private final Outbox.Cursor endCursor;
        private final long gen;
        private final long payloadBytes;
        private final long recordBytes;
        private final int records;

        Callback(long start, long end, Outbox.Cursor endCursor, long gen, long payloadBytes, long recordBytes,
                int records) {
            this.start = start;
            this.end = end;
            this.endCursor = endCursor;
            this.gen = gen;
            this.payloadBytes = payloadBytes;
            this.recordBytes = recordBytes;
            this.records = records;
        }

        @Override
        public void onSuccess(IMqttToken token) {
            int[] reasons = token.getReasonCodes();
            if (reasons != null) {
                for (int r : reasons) {
                    if (r >= 0x80) {
                        onFailure(token, new IllegalStateException("the broker refused the batch with reason code 0x"
                                + Integer.toHexString(r)));
                        return;
                    }
                }
            }
            boolean deletable;
            lock.lock();
            try {
                if (gen == generation) {
                    inFlight.remove(start);
                }
                lastProgressNanos = nanoTime.getAsLong();
                changed.signalAll(); // a slot of the client's is free, whichever connection sent the batch
                deletable = acknowledged(start, end, endCursor, records, payloadBytes, recordBytes);
            } finally {
                lock.unlock();
            }
            if (deletable) {
                onAcknowledged.run();
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            if (transport.stillHolds(token)) {
                LOG.debug("{}: batch {}..{} stays with the MQTT client, which sends it again on its next connection ({})",
                        node, start, end - 1, String.valueOf(exception));
                return;
            }
            failures.increment();
            LOG.debug("{}: batch {}..{} failed: {}", node, start, end - 1, String.valueOf(exception));
            lock.lock();
            try {
                if (gen == generation) {
                    inFlight.remove(start);
                    rewind();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops the thread without interrupting it (an interrupt would close the outbox's file channels). */
    @Override
    public void close() {
        closed = true;
        wake();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
