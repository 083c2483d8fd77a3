package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillRenderer;
import dev.dabba.clock.Epoch;
import dev.dabba.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** How the job's outputs become Kafka records. */
final class JsonSerializers {

    private JsonSerializers() {
    }

    /** A bill version as {@link BillRenderer#json} (the HTTP API's shape), key MSISDN. */
    static final class BillUpdates implements KafkaRecordSerializationSchema<Bill> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        BillUpdates(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Bill bill, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, bill.subscriber().value().getBytes(StandardCharsets.UTF_8),
                    BillRenderer.json(bill).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A cloned-SIM alert as a flat JSON object, key MSISDN. */
    static final class Alerts implements KafkaRecordSerializationSchema<CloneAlert> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        Alerts(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(CloneAlert a, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, a.subscriber().getBytes(StandardCharsets.UTF_8),
                    json(a).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The alert's JSON: every field is a plain string or number, so no escaping beyond quotes is needed. */
    static String json(CloneAlert a) {
        return "{\"type\":\"cloned-sim-suspect\",\"alertId\":\"" + a.alertId() + "\",\"subscriber\":\""
                + a.subscriber() + "\",\"cycle\":\"" + a.cycle() + "\",\"distanceKm\":" + a.distanceKm()
                + ",\"events\":[{\"eventId\":\"" + a.firstEvent() + "\",\"tower\":\"" + a.firstTower()
                + "\",\"start\":\"" + Instant.ofEpochMilli(a.firstStartMillis()) + "\"},{\"eventId\":\""
                + a.secondEvent() + "\",\"tower\":\"" + a.secondTower() + "\",\"start\":\""
                + Instant.ofEpochMilli(a.secondStartMillis()) + "\"}]}";
    }

    /** An epoch announcement: the codec's bytes, key the epoch number in decimal. */
    static final class Epochs implements KafkaRecordSerializationSchema<Epoch> {
        private static final long serialVersionUID = 1L;
        private static final RecordCodec CODEC = RecordCodec.standard();
        private final String topic;

        Epochs(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Epoch epoch, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, Long.toString(epoch.number()).getBytes(StandardCharsets.UTF_8),
                    CODEC.encodeEpoch(epoch));
        }
    }
}
