package dev.dabba.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

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

    /** Versioned serializer: 1 = topic, partition, offset, value (length -1 for null). */
    public static final class Serializer extends VersionedSerializer<KafkaInput> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "kafka input";
        }

        @Override
        void write(KafkaInput v, DataOutputView out) throws IOException {
            out.writeUTF(v.topic());
            out.writeInt(v.partition());
            out.writeLong(v.offset());
            if (v.value() == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(v.value().length);
                out.write(v.value());
            }
        }

        @Override
        KafkaInput read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            int n = in.readInt();
            byte[] value = null;
            if (n >= 0) {
                value = new byte[n];
                in.readFully(value);
            }
            return new KafkaInput(topic, partition, offset, value);
        }

        @Override
        public TypeSerializerSnapshot<KafkaInput> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<KafkaInput> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
