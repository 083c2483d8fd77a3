package dev.dabba.jobs;

import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A record in the causal buffer's state: waiting for its dependencies since {@code since} (processing time), or,
 * released incomplete at {@code since}, watched until its dependencies arrive.
 *
 * @param record the usage record
 * @param since processing time it started waiting or was released
 * @param missing what was missing when it was released incomplete; {@code null} while it waits
 */
public record HeldRecord(UsageRecord record, long since, String missing) {

    public HeldRecord {
        Objects.requireNonNull(record, "record");
    }

    /** Versioned serializer: 1 = record (codec bytes), since, missing (nullable UTF). */
    public static final class Serializer extends VersionedSerializer<HeldRecord> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "held record";
        }

        @Override
        void write(HeldRecord r, DataOutputView out) throws IOException {
            UsageRecordSerializer.INSTANCE.serialize(r.record(), out);
            out.writeLong(r.since());
            writeNullableUtf(out, r.missing());
        }

        @Override
        HeldRecord read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            return new HeldRecord(UsageRecordSerializer.INSTANCE.deserialize(in), in.readLong(), readNullableUtf(in));
        }

        @Override
        public TypeSerializerSnapshot<HeldRecord> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<HeldRecord> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
