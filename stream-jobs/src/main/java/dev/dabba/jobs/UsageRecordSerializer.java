package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochResolver;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for usage records in network buffers and state: a length-prefixed {@link RecordCodec} record.
 *
 * <p>The codec's own version byte travels with every value, so state written by an older codec version stays
 * readable by a newer one without a serializer migration. Clocks are written in full (rebased to the genesis
 * epoch), so state never depends on which epochs a task has seen; the stream-jobs issue replaces this with
 * epoch-relative state once the job keeps its epoch history in state.
 */
public final class UsageRecordSerializer extends TypeSerializerSingleton<UsageRecord> {

    private static final long serialVersionUID = 1L;

    public static final UsageRecordSerializer INSTANCE = new UsageRecordSerializer();

    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public UsageRecord createInstance() {
        return null;
    }

    @Override
    public UsageRecord copy(UsageRecord from) {
        return from;
    }

    @Override
    public UsageRecord copy(UsageRecord from, UsageRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(UsageRecord record, DataOutputView target) throws IOException {
        byte[] bytes = CODEC.encodeRecord(record.clock().epoch().number() == Epoch.GENESIS.number() ? record
                : new UsageRecord(record.id(), record.subscriber(), record.start(), record.hlc(),
                        record.clock().rebase(Epoch.GENESIS), record.usage()));
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public UsageRecord deserialize(DataInputView source) throws IOException {
        int length = source.readInt();
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        return CODEC.decodeRecord(bytes, EpochResolver.GENESIS_ONLY);
    }

    @Override
    public UsageRecord deserialize(UsageRecord reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<UsageRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot; the format version lives in every value. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<UsageRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
