package dev.dabba.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Input the job could not use, with the reason and where it came from; written to the dead-letter topic.
 *
 * @param reason why it was rejected, naming the field
 * @param source where it came from ({@code topic/partition@offset})
 * @param payload the raw bytes, unchanged
 */
public record DeadLetter(String reason, String source, byte[] payload) {


    /** Versioned serializer: 1 = reason, source, payload. */
    public static final class Serializer extends VersionedSerializer<DeadLetter> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "dead letter";
        }

        @Override
        void write(DeadLetter v, DataOutputView out) throws IOException {
            out.writeUTF(v.reason().length() > 16_000 ? v.reason().substring(0, 16_000) : v.reason());
            out.writeUTF(v.source());
            out.writeInt(v.payload().length);
            out.write(v.payload());
        }

        @Override
        DeadLetter read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            String reason = in.readUTF();
            String source = in.readUTF();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            return new DeadLetter(reason, source, payload);
        }

        @Override
        public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
