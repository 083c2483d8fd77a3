package dev.dabba.jobs;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Wraps each Kafka record as a {@link KafkaInput} without decoding it, so decoding errors become dead letters. */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<KafkaInput> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaInput> out) {
        out.collect(new KafkaInput(record.topic(), record.partition(), record.offset(), record.value()));
    }

    @Override
    public TypeInformation<KafkaInput> getProducedType() {
        return SerializerTypeInfo.KAFKA_INPUT;
    }
}
