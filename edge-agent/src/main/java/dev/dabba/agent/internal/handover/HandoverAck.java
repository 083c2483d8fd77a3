package dev.dabba.agent.internal.handover;

import dev.dabba.clock.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a handover (or gossip) message, sent to the MQTT 5 response topic the sender named, with the
 * sender's correlation data. Format (big endian):
 *
 * <pre>
 * magic 0x44 'D', kind 0x41 'A', version 0x01,
 * status (1 byte: 0 merged, 1 unknown epoch, 2 rejected),
 * latest epoch the receiver knows (8 bytes),
 * receiver node id (1 byte length + ASCII)
 * </pre>
 *
 * @param status what the receiver did
 * @param latestEpoch the newest epoch the receiver knows (an unknown-epoch answer asks for a clock in it)
 * @param receiver who answers
 */
public record HandoverAck(Status status, long latestEpoch, NodeId receiver) {

    /** What the receiver did with the handover. */
    public enum Status {
        /** Merged into the receiver's clock and persisted: the sender may send deltas from this clock on. */
        MERGED,
        /** Its epoch was not known within the hold time: send the full clock in {@code latestEpoch}. */
        UNKNOWN_EPOCH,
        /** Malformed or misaddressed: dropped. */
        REJECTED
    }

    private static final int MAGIC = 0x44;
    private static final int KIND = 0x41;
    private static final int VERSION = 1;

    public byte[] encode() {
        byte[] id = receiver.value().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(13 + id.length);
        b.put((byte) MAGIC).put((byte) KIND).put((byte) VERSION).put((byte) status.ordinal()).putLong(latestEpoch)
                .put((byte) id.length).put(id);
        return b.array();
    }

    /** Decodes an ack; {@link IllegalArgumentException} naming the field when malformed. */
    public static HandoverAck decode(byte[] bytes) {
        if (bytes.length < 13) {
            throw new IllegalArgumentException("handover ack: " + bytes.length + " bytes is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if ((b.get() & 0xFF) != MAGIC || (b.get() & 0xFF) != KIND) {
            throw new IllegalArgumentException("handover ack magic/kind: not a handover ack");
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new IllegalArgumentException("handover ack version: expected 1, was " + version);
        }
        int status = b.get() & 0xFF;
        if (status >= Status.values().length) {
            throw new IllegalArgumentException("handover ack status: unknown value " + status);
        }
        long epoch = b.getLong();
        int length = b.get() & 0xFF;
        if (length != b.remaining()) {
            throw new IllegalArgumentException("handover ack receiver: length " + length + " but " + b.remaining()
                    + " bytes left");
        }
        byte[] id = new byte[length];
        b.get(id);
        return new HandoverAck(Status.values()[status], epoch, NodeId.of(new String(id, StandardCharsets.US_ASCII)));
    }
}
