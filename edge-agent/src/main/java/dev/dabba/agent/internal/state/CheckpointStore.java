package dev.dabba.agent.internal.state;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The agent's checkpoint file, {@code STATE/checkpoint}, written atomically with a CRC32C.
 *
 * <pre>
 * magic "DCKP" (4 bytes), version (1 byte) = 1,
 * node (modified UTF-8, Java DataOutput), epoch (8), delta count (4), count x (id UTF, counter 8),
 * hlc wall (8), hlc logical (4), acknowledged outbox index (8), crc32c (4)
 * </pre>
 */
public final class CheckpointStore {

    private static final int MAGIC = 0x44434B50; // "DCKP"
    private static final int VERSION = 1;

    private final Path file;

    public CheckpointStore(Path stateDirectory) {
        this.file = stateDirectory.resolve("checkpoint");
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** Writes {@code checkpoint} atomically and durably. */
    public synchronized void write(Checkpoint checkpoint) throws IOException {
        StateFiles.writeAtomically(file, encode(checkpoint));
    }

    /**
     * The stored checkpoint, or null if there is none (a new node).
     *
     * @throws IOException naming the file if it is corrupt or of another format
     */
    public Checkpoint read() throws IOException {
        byte[] body = StateFiles.read(file);
        return body == null ? null : decode(body);
    }

    static byte[] encode(Checkpoint c) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 24 * c.deltaIds().length);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(c.node().value());
            out.writeLong(c.epoch());
            String[] ids = c.deltaIds();
            long[] counters = c.deltaCounters();
            out.writeInt(ids.length);
            for (int i = 0; i < ids.length; i++) {
                out.writeUTF(ids[i]);
                out.writeLong(counters[i]);
            }
            out.writeLong(c.hlc().wallMillis());
            out.writeInt(c.hlc().logical());
            out.writeLong(c.acknowledged());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    Checkpoint decode(byte[] body) throws IOException {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not an agent checkpoint");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException(file + " has checkpoint format " + version + "; this agent reads " + VERSION);
            }
            NodeId node = NodeId.of(in.readUTF());
            long epoch = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > body.length) {
                throw new IOException(file + ": clock size " + n + " is impossible");
            }
            String[] ids = new String[n];
            long[] counters = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = in.readUTF();
                counters[i] = in.readLong();
            }
            HybridTimestamp hlc = new HybridTimestamp(in.readLong(), in.readInt());
            long acknowledged = in.readLong();
            if (in.available() != 0) {
                throw new IOException(file + ": " + in.available() + " trailing bytes");
            }
            return new Checkpoint(node, epoch, ids, counters, hlc, acknowledged);
        } catch (java.io.EOFException | IllegalArgumentException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
    }
}
