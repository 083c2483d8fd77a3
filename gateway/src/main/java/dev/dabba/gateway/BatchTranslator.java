package dev.dabba.gateway;

import dev.dabba.clock.NodeId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.SplitBatch;
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
 * <p>A batch is accepted only if it decodes, fits the size limit, and its origin agrees with the node named by the
 * topic and, when the broker identifies the client, with the client id; anything else is a forgery or garbage and
 * goes to the dead-letter topic with a reason. Pure and thread-safe: the embedded runner and the Kafka Connect task
 * share it.
 */
public final class BatchTranslator {

    /** Largest accepted MQTT payload in bytes. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

    private final RecordCodec codec = RecordCodec.standard();
    private final MqttTopics topics;
    private final String recordsTopic;
    private final String deadLetterTopic;
    private final int maxPayloadBytes;

    public BatchTranslator(MqttTopics topics, String recordsTopic, String deadLetterTopic, int maxPayloadBytes) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.recordsTopic = Objects.requireNonNull(recordsTopic, "recordsTopic");
        this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** A translator writing to the standard topics with the default size limit. */
    public static BatchTranslator withDefaults() {
        return new BatchTranslator(MqttTopics.DEFAULT, KafkaTopics.RECORDS, KafkaTopics.DEAD_LETTERS,
                DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /** The outcome of translating one MQTT message. */
    public sealed interface Translation {
        /** The Kafka records to produce, all of them or none. */
        List<ProducerRecord<byte[], byte[]>> records();
    }

    /** The batch was valid: one Kafka record per usage record, keyed by subscriber. */
    public record Accepted(NodeId origin, List<ProducerRecord<byte[], byte[]>> records) implements Translation {
    }

    /** The message was rejected: one dead letter carrying the raw payload and the reason. */
    public record Rejected(String reason, ProducerRecord<byte[], byte[]> deadLetter) implements Translation {
        @Override
        public List<ProducerRecord<byte[], byte[]>> records() {
            return List.of(deadLetter);
        }
    }

    /**
     * Translates the payload received on {@code mqttTopic}.
     *
     * @param clientId the publishing client's id when the broker tells us (MQTT 5 user property or topic ACL), or
     *     null when unknown
     */
    public Translation translate(String mqttTopic, byte[] payload, String clientId, Instant receivedAt) {
        Optional<NodeId> topicNode = topics.recordsOrigin(mqttTopic);
        if (topicNode.isEmpty()) {
            return reject("topic '" + mqttTopic + "' is not a record topic " + topics.recordsFilter(), mqttTopic,
                    payload, receivedAt);
        }
        if (payload.length > maxPayloadBytes) {
            return reject("payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes,
                    mqttTopic, payload, receivedAt);
        }
        SplitBatch batch;
        try {
            batch = codec.splitBatch(payload);
        } catch (WireFormatException e) {
            return reject("malformed batch: " + e.getMessage(), mqttTopic, payload, receivedAt);
        }
        if (!batch.origin().equals(topicNode.get())) {
            return reject("forged batch: origin " + batch.origin() + " published on the topic of "
                    + topicNode.get(), mqttTopic, payload, receivedAt);
        }
        if (clientId != null && !clientId.equals("dabba-agent-" + batch.origin().value())) {
            return reject("forged batch: origin " + batch.origin() + " published by client '" + clientId + "'",
                    mqttTopic, payload, receivedAt);
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(batch.records().size());
        for (SplitBatch.RawRecord record : batch.records()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(KafkaTopics.HEADER_EVENT_ID, utf8(record.id().toString()));
            headers.add(KafkaTopics.HEADER_ORIGIN, utf8(batch.origin().value()));
            out.add(new ProducerRecord<>(recordsTopic, null, receivedAt.toEpochMilli(),
                    utf8(record.subscriber().value()), record.encoded(), headers));
        }
        return new Accepted(batch.origin(), List.copyOf(out));
    }

    private Rejected reject(String reason, String mqttTopic, byte[] payload, Instant receivedAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaTopics.HEADER_DLQ_REASON, utf8(reason));
        headers.add(KafkaTopics.HEADER_DLQ_SOURCE, utf8("mqtt:" + mqttTopic));
        headers.add(KafkaTopics.HEADER_DLQ_STAGE, utf8("gateway"));
        return new Rejected(reason, new ProducerRecord<>(deadLetterTopic, null, receivedAt.toEpochMilli(),
                utf8(mqttTopic), payload, headers));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
