package dev.dabba.jobs;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A node's causal frontier grew: the job has every record of {@code node} up to {@code prefix}, except the
 * sequences in {@code lost}, which it gave up waiting for (they are still billed if they turn up).
 *
 * @param node the node id
 * @param prefix the highest sequence below which nothing is outstanding
 * @param lost sequences at or below {@code prefix} never received, given up after the maximum causal wait
 */
public record FrontierAdvance(String node, long prefix, SequenceRanges lost) {

    public FrontierAdvance {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(lost, "lost");
        if (prefix < 0) {
            throw new IllegalArgumentException("frontier prefix must be non-negative, was " + prefix);
        }
    }

    /** Whether sequence {@code s} of this node is delivered or given up: at most the prefix. */
    public boolean covers(long s) {
        return s <= prefix;
    }

    /** Versioned serializer: 1 = node, prefix, lost range bounds. */
    public static final class Serializer extends VersionedSerializer<FrontierAdvance> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "frontier advance";
        }

        @Override
        void write(FrontierAdvance f, DataOutputView out) throws IOException {
            out.writeUTF(f.node());
            out.writeLong(f.prefix());
            writeLongs(out, f.lost().bounds());
        }

        @Override
        FrontierAdvance read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            return new FrontierAdvance(in.readUTF(), in.readLong(), SequenceRanges.of(readLongs(in, what())));
        }

        @Override
        public TypeSerializerSnapshot<FrontierAdvance> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<FrontierAdvance> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
