package dev.dabba.gateway;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The counters of one gateway task: what came in over MQTT, what Kafka acknowledged, what was dead-lettered and why,
 * what the epoch relay published. Thread-safe; read them with {@link #snapshot()}.
 *
 * <p>On a Connect worker every task registers these as plugin metrics (JMX group {@code kafka.connect.plugins},
 * see {@code gateway/README.md}); the embedded runner adds them up over its tasks and also publishes them over JMX.
 */
public final class GatewayMetrics {

    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder messagesAcknowledged = new LongAdder();
    private final LongAdder recordsWritten = new LongAdder();
    private final LongAdder deadLettersWritten = new LongAdder();
    private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
    private final LongAdder mqttConnects = new LongAdder();
    private final LongAdder mqttConnectionsLost = new LongAdder();
    private final LongAdder epochsPublished = new LongAdder();
    private final LongAdder epochsStale = new LongAdder();
    private final LongAdder epochsRejected = new LongAdder();
    private final AtomicLong lastEpochPublished = new AtomicLong(-1);
    private volatile LongSupplier inFlight = () -> 0L;

    public GatewayMetrics() {
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    /** An MQTT message arrived with {@code bytes} of payload. */
    public void messageReceived(int bytes) {
        messagesReceived.increment();
        bytesReceived.add(bytes);
    }

    /** A PUBACK went out. */
    public void messageAcknowledged() {
        messagesAcknowledged.increment();
    }

    /** Kafka acknowledged one usage record. */
    public void recordWritten() {
        recordsWritten.increment();
    }

    /** A message was rejected for {@code reason}; counted when the decision is made. */
    public void messageRejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    /** Kafka acknowledged one dead letter. */
    public void deadLetterWritten() {
        deadLettersWritten.increment();
    }

    /** The MQTT client connected (first time or again). */
    public void mqttConnected() {
        mqttConnects.increment();
    }

    /** The MQTT connection was lost. */
    public void mqttConnectionLost() {
        mqttConnectionsLost.increment();
    }

    /** The relay published epoch {@code number} as the retained announcement. */
    public void epochPublished(long number) {
        epochsPublished.increment();
        lastEpochPublished.accumulateAndGet(number, Math::max);
    }

    /** The relay learnt that epoch {@code number} is already the retained announcement. */
    public void epochKnown(long number) {
        lastEpochPublished.accumulateAndGet(number, Math::max);
    }

    /** The relay skipped an epoch no newer than the one announced. */
    public void epochStale() {
        epochsStale.increment();
    }

    /** The relay rejected an epoch (undecodable, or not extending the announced one). */
    public void epochRejected() {
        epochsRejected.increment();
    }

    /** Where {@link Snapshot#inFlightMessages()} comes from: the task's count of unacknowledged messages. */
    public void inFlightGauge(LongSupplier supplier) {
        this.inFlight = Objects.requireNonNull(supplier, "supplier");
    }

    /** The counters now. */
    public Snapshot snapshot() {
        Map<RejectReason, Long> r = new EnumMap<>(RejectReason.class);
        rejected.forEach((k, v) -> r.put(k, v.sum()));
        return new Snapshot(messagesReceived.sum(), bytesReceived.sum(), messagesAcknowledged.sum(),
                recordsWritten.sum(), deadLettersWritten.sum(), r, inFlight.getAsLong(), mqttConnects.sum(),
                mqttConnectionsLost.sum(), epochsPublished.sum(), epochsStale.sum(), epochsRejected.sum(),
                lastEpochPublished.get());
    }

    /**
     * The gateway's counters at one moment.
     *
     * @param messagesReceived MQTT messages received on record topics
     * @param bytesReceived their payload bytes
     * @param messagesAcknowledged PUBACKs sent (each after Kafka acknowledged everything made from the message)
     * @param recordsWritten usage records Kafka acknowledged on the records topic
     * @param deadLettersWritten dead letters Kafka acknowledged
     * @param rejected messages rejected, by reason
     * @param inFlightMessages messages received and not yet acknowledged
     * @param mqttConnects MQTT connections made
     * @param mqttConnectionsLost MQTT connections lost
     * @param epochsPublished epoch announcements published (retained)
     * @param epochsStale epochs skipped because a newer or equal one was already announced
     * @param epochsRejected epochs rejected as undecodable or not extending the announced one
     * @param lastEpochPublished the highest epoch announced, -1 before the first
     */
    public record Snapshot(long messagesReceived, long bytesReceived, long messagesAcknowledged, long recordsWritten,
            long deadLettersWritten, Map<RejectReason, Long> rejected, long inFlightMessages, long mqttConnects,
            long mqttConnectionsLost, long epochsPublished, long epochsStale, long epochsRejected,
            long lastEpochPublished) {

        /** All zero. */
        public static final Snapshot EMPTY = new GatewayMetrics().snapshot();

        public Snapshot {
            rejected = Collections.unmodifiableMap(new EnumMap<>(rejected));
        }

        /** Messages rejected for any reason. */
        public long rejectedTotal() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Messages rejected for {@code reason}. */
        public long rejected(RejectReason reason) {
            return rejected.getOrDefault(reason, 0L);
        }

        /** The sum of two tasks' counters (the highest epoch, not the sum). */
        public Snapshot plus(Snapshot o) {
            Map<RejectReason, Long> r = new EnumMap<>(RejectReason.class);
            for (RejectReason reason : RejectReason.values()) {
                r.put(reason, rejected(reason) + o.rejected(reason));
            }
            return new Snapshot(messagesReceived + o.messagesReceived, bytesReceived + o.bytesReceived,
                    messagesAcknowledged + o.messagesAcknowledged, recordsWritten + o.recordsWritten,
                    deadLettersWritten + o.deadLettersWritten, r, inFlightMessages + o.inFlightMessages,
                    mqttConnects + o.mqttConnects, mqttConnectionsLost + o.mqttConnectionsLost,
                    epochsPublished + o.epochsPublished, epochsStale + o.epochsStale,
                    epochsRejected + o.epochsRejected, Math.max(lastEpochPublished, o.lastEpochPublished));
        }

        /** Every counter by its metric name (as registered with Connect), in a stable order. */
        public Map<String, Long> byName() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("mqtt-messages-received-total", messagesReceived);
            m.put("mqtt-bytes-received-total", bytesReceived);
            m.put("mqtt-messages-acknowledged-total", messagesAcknowledged);
            m.put("mqtt-messages-in-flight", inFlightMessages);
            m.put("records-written-total", recordsWritten);
            m.put("dead-letters-written-total", deadLettersWritten);
            m.put("messages-rejected-total", rejectedTotal());
            for (RejectReason reason : RejectReason.values()) {
                m.put("messages-rejected-" + reason.code() + "-total", rejected(reason));
            }
            m.put("mqtt-connects-total", mqttConnects);
            m.put("mqtt-connections-lost-total", mqttConnectionsLost);
            m.put("epochs-published-total", epochsPublished);
            m.put("epochs-stale-total", epochsStale);
            m.put("epochs-rejected-total", epochsRejected);
            m.put("epoch-last-published", lastEpochPublished);
            return m;
        }
    }
}
