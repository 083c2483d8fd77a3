package dev.dabba.jobs;

import dev.dabba.record.KafkaTopics;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Writes a dead letter as its raw payload with headers saying why, where from, and which stage rejected it. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaTopics.HEADER_DLQ_REASON, letter.reason().getBytes(StandardCharsets.UTF_8));
        headers.add(KafkaTopics.HEADER_DLQ_SOURCE, ("kafka:" + letter.source()).getBytes(StandardCharsets.UTF_8));
        headers.add(KafkaTopics.HEADER_DLQ_STAGE, "stream-job".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, timestamp, letter.source().getBytes(StandardCharsets.UTF_8),
                letter.payload(), headers);
    }
}
