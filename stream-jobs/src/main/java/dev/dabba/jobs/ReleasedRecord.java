package dev.dabba.jobs;

import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A record the causal buffer let through to billing: complete (every record it depends on has arrived,
 * {@code missing == null}) or released incomplete with what was missing. The same record may come again, complete,
 * once its dependencies arrived; billing keeps the complete version (complete wins, so replays cannot undo it).
 *
 * @param record the usage record
 * @param missing what was missing, as {@code NODE:FROM-TO} ranges; {@code null} when complete
 */
public record ReleasedRecord(UsageRecord record, String missing) {

    public ReleasedRecord {
        Objects.requireNonNull(record, "record");
        if (missing != null && missing.isBlank()) {
            throw new IllegalArgumentException("missing must be null or name what is missing");
        }
    }

    /** A record released with all of its dependencies present. */
    public static ReleasedRecord complete(UsageRecord record) {
        return new ReleasedRecord(record, null);
    }

    public boolean isComplete() {
        return missing == null;
    }

    /** Versioned serializer: 1 = record (codec bytes), missing (nullable UTF). */
    public static final class Serializer extends VersionedSerializer<ReleasedRecord> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "released record";
        }

        @Override
        void write(ReleasedRecord r, DataOutputView out) throws IOException {
            UsageRecordSerializer.INSTANCE.serialize(r.record(), out);
            writeNullableUtf(out, r.missing());
        }

        @Override
        ReleasedRecord read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            return new ReleasedRecord(UsageRecordSerializer.INSTANCE.deserialize(in), readNullableUtf(in));
        }

        @Override
        public TypeSerializerSnapshot<ReleasedRecord> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<ReleasedRecord> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
