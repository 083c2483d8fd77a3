package dev.dabba.agent.internal.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** Small files written atomically (temporary file, force, rename, directory force) and read back with a checksum. */
final class StateFiles {

    private StateFiles() {
    }

    /** Writes {@code body} followed by its CRC32C to {@code file}, atomically: readers see the old or the new file. */
    static void writeAtomically(Path file, byte[] body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer buf = ByteBuffer.allocate(body.length + 4);
        buf.put(body).putInt((int) crc.getValue()).flip();
        // A stream, not a channel: an interrupt must not close it halfway.
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(tmp.toFile())) {
            out.write(buf.array(), 0, buf.limit());
            out.getFD().sync();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    /**
     * Reads a file written by {@link #writeAtomically}, or null if it does not exist.
     *
     * @throws IOException naming the file if its checksum does not match
     */
    static byte[] read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length < 4) {
            throw new IOException(file + " is truncated (" + all.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException(file + " fails its checksum (the storage corrupted it)");
        }
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
