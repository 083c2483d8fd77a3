package dev.dabba.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the job has received of one node's records. A node's own clock entry counts its records (1, 2, 3, ...), so
 * "every record up to n" is a contiguous prefix; the state is that prefix, the out-of-order sequences above it, and
 * the sequences below it given up as lost. Both sets are {@link SequenceRanges}: the state costs memory per gap,
 * not per record, and it is an exact duplicate filter for the node's whole history, no time-to-live needed.
 *
 * @param prefix every sequence up to here was received or given up
 * @param received sequences above {@code prefix + 1} received out of order
 * @param lost sequences at or below {@code prefix} given up (never received)
 * @param gapSince processing time since when the gap at {@code prefix + 1} has been open, or -1 without a gap
 * @param unannounced whether prefix or lost changed since the last {@link FrontierAdvance} was emitted
 */
public record NodeFrontier(long prefix, SequenceRanges received, SequenceRanges lost, long gapSince,
        boolean unannounced) {

    /** A node nothing was received from. */
    public static final NodeFrontier EMPTY = new NodeFrontier(0, SequenceRanges.EMPTY, SequenceRanges.EMPTY, -1, false);

    /** Whether {@code sequence} was received before (or given up and not received since). */
    public boolean isDuplicate(long sequence) {
        return sequence <= prefix ? !lost.contains(sequence) : received.contains(sequence);
    }

    /** The state after receiving {@code sequence}, which must not be a duplicate, at processing time {@code now}. */
    public NodeFrontier receive(long sequence, long now) {
        if (sequence <= prefix) {
            return new NodeFrontier(prefix, received, lost.without(sequence), gapSince, true);
        }
        return advance(prefix, received.with(sequence), lost, now, unannounced);
    }

    /**
     * Gives up the gap at {@code prefix + 1}: its sequences become lost and the prefix moves over the range received
     * after it; {@code maxLostRanges} bounds the lost set (the oldest ranges are forgotten first).
     */
    public NodeFrontier giveUpGap(long now, int maxLostRanges) {
        if (received.isEmpty()) {
            return this;
        }
        SequenceRanges moreLost = lost.with(prefix + 1, received.startOf(0) - 1);
        if (moreLost.rangeCount() > maxLostRanges) {
            moreLost = moreLost.withoutFirst(moreLost.rangeCount() - maxLostRanges);
        }
        return advance(received.endOf(0), received.withoutFirst(1), moreLost, now, true);
    }

    private NodeFrontier advance(long p, SequenceRanges r, SequenceRanges l, long now, boolean dirty) {
        boolean moved = false;
        while (!r.isEmpty() && r.startOf(0) == p + 1) {
            p = r.endOf(0);
            r = r.withoutFirst(1);
            moved = true;
        }
        long since = r.isEmpty() ? -1 : (moved || gapSince < 0 ? now : gapSince);
        return new NodeFrontier(p, r, l, since, dirty || moved || p != prefix);
    }

    /** This state after its advance was announced. */
    public NodeFrontier announced() {
        return unannounced ? new NodeFrontier(prefix, received, lost, gapSince, false) : this;
    }

    /** What to broadcast about this node. */
    public FrontierAdvance advanceOf(String node) {
        return new FrontierAdvance(node, prefix, lost);
    }

    /**
     * Versioned serializer: 2 = prefix, received and lost ranges compact ({@link SequenceRanges#writeCompact}),
     * gapSince, unannounced; 1 (read only, written until 2026-12-07) = the same with each set as an int count and
     * its bounds as longs.
     */
    public static final class Serializer extends VersionedSerializer<NodeFrontier> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 2;
        }

        @Override
        String what() {
            return "node frontier";
        }

        @Override
        void write(NodeFrontier f, DataOutputView out) throws IOException {
            out.writeLong(f.prefix());
            f.received().writeCompact(out);
            f.lost().writeCompact(out);
            out.writeLong(f.gapSince());
            out.writeBoolean(f.unannounced());
        }

        @Override
        NodeFrontier read(int version, DataInputView in) throws IOException {
            if (version == 1) {
                return new NodeFrontier(in.readLong(), SequenceRanges.of(readLongs(in, what())),
                        SequenceRanges.of(readLongs(in, what())), in.readLong(), in.readBoolean());
            }
            if (version != 2) {
                throw unknownVersion(version);
            }
            return new NodeFrontier(in.readLong(), SequenceRanges.readCompact(in, what()),
                    SequenceRanges.readCompact(in, what()), in.readLong(), in.readBoolean());
        }

        @Override
        public TypeSerializerSnapshot<NodeFrontier> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<NodeFrontier> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
