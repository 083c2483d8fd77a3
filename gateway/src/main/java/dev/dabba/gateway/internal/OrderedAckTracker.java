package dev.dabba.gateway.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Releases MQTT acknowledgements strictly in arrival order, each only after Kafka acknowledged every record made
 * from its message.
 *
 * <p>MQTT requires a client to send PUBACKs in the order the PUBLISH packets arrived, while Kafka acknowledges
 * records in any order (different partitions, retries). Each arriving message gets a {@link Delivery} at the tail
 * of a queue; once translated it is told how many records it produced ({@link Delivery#expect(int)}), and every
 * Kafka acknowledgement counts one down ({@link Delivery#recordAcknowledged()}). Whenever the head of the queue has
 * nothing outstanding it is released to the {@link Acknowledger}, and so on down the queue: a message whose records
 * were all acknowledged early waits for every message that arrived before it.
 *
 * <p>Thread-safe. The acknowledger runs under the tracker's lock, so acknowledgements reach it one at a time and in
 * order even when several threads report Kafka acknowledgements; it must be quick (Paho only queues the PUBACK).
 * One tracker serves one MQTT connection: after the connection is gone, {@link #close()} it so that late Kafka
 * acknowledgements release nothing (the broker redelivers those messages on the next connection).
 */
public final class OrderedAckTracker {

    /** Receives the released deliveries, in arrival order. */
    @FunctionalInterface
    public interface Acknowledger {
        void acknowledge(Delivery delivery);
    }

    private static final int UNKNOWN = -1;

    private final Acknowledger acknowledger;
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private long nextSequence;
    private long released;
    private boolean closed;

    public OrderedAckTracker(Acknowledger acknowledger) {
        this.acknowledger = Objects.requireNonNull(acknowledger, "acknowledger");
    }

    /** One received MQTT message on its way to Kafka. */
    public final class Delivery {
        private final long sequence;
        private final int messageId;
        private final int qos;
        private int outstanding = UNKNOWN;

        private Delivery(long sequence, int messageId, int qos) {
            this.sequence = sequence;
            this.messageId = messageId;
            this.qos = qos;
        }

        /** The position in arrival order, from 0. */
        public long sequence() {
            return sequence;
        }

        /** The MQTT packet identifier (0 for QoS 0). */
        public int messageId() {
            return messageId;
        }

        /** The QoS the message was delivered with; QoS 0 needs no acknowledgement but keeps its place. */
        public int qos() {
            return qos;
        }

        /** Sets how many Kafka records the message produced; 0 completes it at once. Once only. */
        public void expect(int records) {
            OrderedAckTracker.this.expect(this, records);
        }

        /** Kafka acknowledged one of the message's records. */
        public void recordAcknowledged() {
            OrderedAckTracker.this.acknowledged(this);
        }

        @Override
        public String toString() {
            return "delivery #" + sequence + " (message " + messageId + ", QoS " + qos + ")";
        }
    }

    /** Registers a message in arrival order; call from the single thread that sees arrivals. */
    public synchronized Delivery arrived(int messageId, int qos) {
        Delivery d = new Delivery(nextSequence++, messageId, qos);
        queue.addLast(d);
        return d;
    }

    private synchronized void expect(Delivery d, int records) {
        if (records < 0) {
            throw new IllegalArgumentException("records must not be negative, was " + records);
        }
        if (d.outstanding != UNKNOWN) {
            throw new IllegalStateException(d + " already expects " + d.outstanding + " records");
        }
        d.outstanding = records;
        release();
    }

    private synchronized void acknowledged(Delivery d) {
        if (d.outstanding == UNKNOWN) {
            throw new IllegalStateException("a record of " + d + " was acknowledged before its count was set");
        }
        if (d.outstanding == 0) {
            throw new IllegalStateException("more records of " + d + " were acknowledged than it produced");
        }
        d.outstanding--;
        release();
    }

    private void release() {
        if (closed) {
            return;
        }
        boolean any = false;
        Delivery head;
        while ((head = queue.peekFirst()) != null && head.outstanding == 0) {
            queue.removeFirst();
            released++;
            any = true;
            acknowledger.acknowledge(head);
        }
        if (any) {
            notifyAll();
        }
    }

    /** Messages registered and not yet released. */
    public synchronized int inFlight() {
        return queue.size();
    }

    /** Messages released so far. */
    public synchronized long released() {
        return released;
    }

    /**
     * Waits until every message whose record count was set has been released, or the timeout passed; messages still
     * waiting for {@link Delivery#expect(int)} (never handed to Kafka) do not count.
     *
     * @return whether everything handed to Kafka was released
     */
    public synchronized boolean awaitHandedOut(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && !queue.isEmpty() && queue.peekFirst().outstanding != UNKNOWN) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return queue.isEmpty() || queue.peekFirst().outstanding == UNKNOWN;
    }

    /** Releases nothing from now on: the connection these deliveries came over is gone. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }
}
