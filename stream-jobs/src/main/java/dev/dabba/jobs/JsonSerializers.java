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

    /**
     * A bill version as {@link BillRenderer#updateJson}: the API's shape with {@code lineCount} and only the lines
     * the version added or changed ({@code changedLines}); key MSISDN.
     */
    static final class BillUpdates implements KafkaRecordSerializationSchema<BillUpdate> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        BillUpdates(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(BillUpdate update, KafkaSinkContext context,
                Long timestamp) {
            return new ProducerRecord<>(topic, update.bill().subscriber().value().getBytes(StandardCharsets.UTF_8),
                    value(update));
        }

        /**
         * The update; for one whose JSON would pass {@link #MAX_UPDATE_BYTES} (a late record that changes thousands
         * of lines of one bill), the same without its lines, {@code changedLines: []} and
         * {@code changedLinesOmitted: true}: a record over Kafka's 1 MiB default would fail the job's sink again and
         * again (found by the long fault suite). The lines are in the report store and the API.
         */
        static byte[] value(BillUpdate update) {
            byte[] full = BillRenderer.updateJsonBytes(update.bill(), update.changedPositions());
            if (full.length <= MAX_UPDATE_BYTES) {
                return full;
            }
            com.fasterxml.jackson.databind.node.ObjectNode summary;
            try {
                summary = (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(
                        BillRenderer.updateJson(update.bill(), new int[0]));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot read back the JSON just written", e);
            }
            summary.put("changedLinesOmitted", true);
            return summary.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** The largest bill update sent with its lines (bytes of JSON); well under Kafka's 1 MiB default record size. */
    static final int MAX_UPDATE_BYTES = 768 * 1024;

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
            return record(topic, epoch);
        }

        /** An announcement as the epochs topic holds it: keyed by the epoch number in decimal. */
        static ProducerRecord<byte[], byte[]> record(String topic, Epoch epoch) {
            return new ProducerRecord<>(topic, Long.toString(epoch.number()).getBytes(StandardCharsets.UTF_8),
                    CODEC.encodeEpoch(epoch));
        }
    }
}
