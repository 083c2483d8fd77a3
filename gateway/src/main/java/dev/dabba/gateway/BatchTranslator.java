package dev.dabba.gateway;

import dev.dabba.clock.NodeId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.SplitBatch;
import dev.dabba.record.Usage;
import dev.dabba.record.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns one MQTT message into the Kafka records it stands for: one record per usage record, or one dead letter.
 *
 * <p>A batch is accepted only if its topic is a record topic, it fits the size limit, it decodes, its origin is the
 * node named by the topic, it is plausible ({@link PlausibilityLimits}: sequences strictly increasing, nothing
 * stamped far in the future, no absurd durations or volumes), and the publisher identity satisfies the
 * {@link IdentityPolicy}; anything else is a forgery or garbage and becomes one dead letter carrying the raw payload
 * and headers saying why. Pure and thread-safe: the Kafka Connect source task and the embedded runner share it.
 */
public final class BatchTranslator {

    /** Largest accepted MQTT payload in bytes by default (4 MiB). */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
    /**
     * The most payload bytes a dead letter carries (512 KiB): a larger payload is cut to this length, so that every
     * dead letter fits Kafka's default 1 MiB record limit. Otherwise a malformed 2 MiB message would fail the
     * producer, the task would restart, the broker would redeliver it, and it would block the stream forever.
     */
    public static final int MAX_DEAD_LETTER_PAYLOAD_BYTES = 512 * 1024;
    /** Header of every dead letter: the length of the original payload in bytes (decimal text). */
    public static final String HEADER_DLQ_PAYLOAD_BYTES = "dabba.dlq.payload-bytes";
    /** The {@code dabba.dlq.stage} of every dead letter the gateway writes. */
    public static final String STAGE = "gateway";

    private final RecordCodec codec = RecordCodec.standard();
    private final MqttTopics topics;
    private final String recordsTopic;
    private final String deadLetterTopic;
    private final int maxPayloadBytes;
    private final IdentityPolicy identity;
    private final PlausibilityLimits limits;

    /** A translator that checks identity by topic ACL ({@link IdentityPolicy#TOPIC_ACL}). */
    public BatchTranslator(MqttTopics topics, String recordsTopic, String deadLetterTopic, int maxPayloadBytes) {
        this(topics, recordsTopic, deadLetterTopic, maxPayloadBytes, IdentityPolicy.TOPIC_ACL);
    }

    public BatchTranslator(MqttTopics topics, String recordsTopic, String deadLetterTopic, int maxPayloadBytes,
            IdentityPolicy identity) {
        this(topics, recordsTopic, deadLetterTopic, maxPayloadBytes, identity, PlausibilityLimits.DEFAULT);
    }

    public BatchTranslator(MqttTopics topics, String recordsTopic, String deadLetterTopic, int maxPayloadBytes,
            IdentityPolicy identity, PlausibilityLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.recordsTopic = requireTopic(recordsTopic, "recordsTopic");
        this.deadLetterTopic = requireTopic(deadLetterTopic, "deadLetterTopic");
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** A translator writing to the standard topics with the default size limit and topic-ACL identity. */
    public static BatchTranslator withDefaults() {
        return new BatchTranslator(MqttTopics.DEFAULT, KafkaTopics.RECORDS, KafkaTopics.DEAD_LETTERS,
                DEFAULT_MAX_PAYLOAD_BYTES);
    }

    private static String requireTopic(String topic, String name) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return topic;
    }

    /** The identity policy this translator enforces. */
    public IdentityPolicy identity() {
        return identity;
    }

    /** The outcome of translating one MQTT message. */
    public sealed interface Translation {
        /** The Kafka records to produce, all of them or none. */
        List<ProducerRecord<byte[], byte[]>> records();
    }

    /** The batch was valid: one Kafka record per usage record, keyed by subscriber, in batch order. */
    public record Accepted(NodeId origin, List<ProducerRecord<byte[], byte[]>> records) implements Translation {
    }

    /**
     * The message was rejected: one dead letter carrying the raw payload and the reason.
     *
     * @param reason the category, counted in the metrics
     * @param message the full text of the {@code dabba.dlq.reason} header: the reason's code, a colon, the detail
     * @param deadLetter the record for the dead-letter topic
     */
    public record Rejected(RejectReason reason, String message, ProducerRecord<byte[], byte[]> deadLetter)
            implements Translation {
        @Override
        public List<ProducerRecord<byte[], byte[]>> records() {
            return List.of(deadLetter);
        }
    }

    /**
     * Translates the payload received on {@code mqttTopic}.
     *
     * @param publisherId the publishing client's id as the broker reported it (the identity user property), or
     *     null when the message carried none
     * @param receivedAt when the gateway received the message; the Kafka records' timestamp
     */
    public Translation translate(String mqttTopic, byte[] payload, String publisherId, Instant receivedAt) {
        Optional<NodeId> topicNode = topics.recordsOrigin(mqttTopic);
        if (topicNode.isEmpty()) {
            return reject(RejectReason.FOREIGN_TOPIC, "topic '" + mqttTopic + "' is not a record topic "
                    + topics.recordsFilter(), mqttTopic, payload, receivedAt);
        }
        if (payload.length > maxPayloadBytes) {
            return reject(RejectReason.OVERSIZED, "payload of " + payload.length + " bytes exceeds the limit of "
                    + maxPayloadBytes, mqttTopic, payload, receivedAt);
        }
        SplitBatch batch;
        try {
            batch = codec.splitBatch(payload);
        } catch (WireFormatException e) {
            return reject(RejectReason.MALFORMED, "malformed batch: " + e.getMessage(), mqttTopic, payload,
                    receivedAt);
        } catch (RuntimeException e) {
            // A decoder must never take the gateway down: anything it throws is a bad payload.
            return reject(RejectReason.MALFORMED, "malformed batch: " + e, mqttTopic, payload, receivedAt);
        }
        NodeId origin = batch.origin();
        if (!origin.equals(topicNode.get())) {
            return reject(RejectReason.FORGED_ORIGIN, "forged batch: origin " + origin + " published on the topic of "
                    + topicNode.get(), mqttTopic, payload, receivedAt);
        }
        if (publisherId == null) {
            if (identity.requiresPublisherIdentity()) {
                return reject(RejectReason.MISSING_IDENTITY, "batch of " + origin + " carries no '"
                        + identity.userProperty() + "' user property", mqttTopic, payload, receivedAt);
            }
        } else if (!publisherId.equals(identity.expectedClientId(origin))) {
            return reject(RejectReason.FORGED_CLIENT, "forged batch: origin " + origin + " published by client '"
                    + publisherId + "', expected '" + identity.expectedClientId(origin) + "'", mqttTopic, payload,
                    receivedAt);
        }
        String implausible = implausibility(batch, receivedAt);
        if (implausible != null) {
            return reject(RejectReason.IMPLAUSIBLE, implausible, mqttTopic, payload, receivedAt);
        }
        byte[] originBytes = utf8(origin.value());
        long timestamp = receivedAt.toEpochMilli();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(batch.records().size());
        for (SplitBatch.RawRecord record : batch.records()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(KafkaTopics.HEADER_EVENT_ID, utf8(record.id().toString()));
            headers.add(KafkaTopics.HEADER_ORIGIN, originBytes);
            out.add(new ProducerRecord<>(recordsTopic, null, timestamp, utf8(record.subscriber().value()),
                    record.encoded(), headers));
        }
        return new Accepted(origin, List.copyOf(out));
    }

    /** Why no agent could have sent {@code batch}, or null when it is plausible. */
    private String implausibility(SplitBatch batch, Instant receivedAt) {
        long latest = receivedAt.toEpochMilli() + limits.maxAhead().toMillis();
        long previous = 0;
        for (SplitBatch.RawRecord r : batch.records()) {
            long sequence = r.id().sequence();
            if (sequence <= previous) {
                return "record " + r.id() + " follows sequence " + previous + " in its batch: sequences must "
                        + "strictly increase";
            }
            previous = sequence;
            if (r.startMillis() > latest || r.hlcWallMillis() > latest) {
                return "record " + r.id() + " is stamped in the future: start " + Instant.ofEpochMilli(r.startMillis())
                        + ", hybrid time " + Instant.ofEpochMilli(r.hlcWallMillis()) + ", more than "
                        + limits.maxAhead() + " after " + receivedAt;
            }
            if (r.encoded().length > limits.maxRecordBytes()) {
                return "record " + r.id() + " encodes to " + r.encoded().length + " bytes, more than "
                        + limits.maxRecordBytes();
            }
            if (r.usage() instanceof Usage.Call call && call.durationSeconds() > limits.maxCallSeconds()) {
                return "record " + r.id() + ": call durationSeconds " + call.durationSeconds() + " exceeds "
                        + limits.maxCallSeconds();
            }
            if (r.usage() instanceof Usage.Data data && data.totalBytes() > limits.maxDataBytes()) {
                return "record " + r.id() + ": data bytes " + data.totalBytes() + " exceed " + limits.maxDataBytes();
            }
        }
        return null;
    }

    private Rejected reject(RejectReason reason, String detail, String mqttTopic, byte[] payload,
            Instant receivedAt) {
        String message = reason.code() + ": " + detail;
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaTopics.HEADER_DLQ_REASON, utf8(message));
        headers.add(KafkaTopics.HEADER_DLQ_SOURCE, utf8("mqtt:" + mqttTopic));
        headers.add(KafkaTopics.HEADER_DLQ_STAGE, utf8(STAGE));
        headers.add(HEADER_DLQ_PAYLOAD_BYTES, utf8(Integer.toString(payload.length)));
        byte[] kept = payload.length <= MAX_DEAD_LETTER_PAYLOAD_BYTES ? payload
                : java.util.Arrays.copyOf(payload, MAX_DEAD_LETTER_PAYLOAD_BYTES);
        return new Rejected(reason, message, new ProducerRecord<>(deadLetterTopic, null, receivedAt.toEpochMilli(),
                utf8(mqttTopic), kept, headers));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
