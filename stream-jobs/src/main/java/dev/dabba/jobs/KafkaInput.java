package dev.dabba.jobs;

/**
 * One Kafka record as the job reads it, before decoding: where it came from and its value bytes.
 *
 * @param topic the Kafka topic
 * @param partition the partition
 * @param offset the offset within the partition
 * @param value the record value (a {@code RecordCodec} record)
 */
public record KafkaInput(String topic, int partition, long offset, byte[] value) {

    /** Where the record came from, as {@code topic/partition@offset}; dead letters carry it. */
    public String source() {
        return topic + "/" + partition + "@" + offset;
    }
}
