package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.record.RecordCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializer for epochs on their way to the epochs sink: version 1 = the codec's announcement bytes. */
public final class EpochSerializer extends VersionedSerializer<Epoch> {

    private static final long serialVersionUID = 1L;
    private static final RecordCodec CODEC = RecordCodec.withoutCompression();
    public static final EpochSerializer INSTANCE = new EpochSerializer();

    @Override
    int version() {
        return 1;
    }

    @Override
    String what() {
        return "epoch";
    }

    @Override
    void write(Epoch epoch, DataOutputView out) throws IOException {
        byte[] bytes = CODEC.encodeEpoch(epoch);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    Epoch read(int version, DataInputView in) throws IOException {
        if (version != 1) {
            throw unknownVersion(version);
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return CODEC.decodeEpoch(bytes);
    }

    @Override
    public TypeSerializerSnapshot<Epoch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the singleton; the layout version lives in every value. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Epoch> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
