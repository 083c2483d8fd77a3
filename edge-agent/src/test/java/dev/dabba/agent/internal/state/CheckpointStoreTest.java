package dev.dabba.agent.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir
    Path dir;

    private final Checkpoint checkpoint = new Checkpoint(NodeId.of("MUMBAI_BKC"), 3,
            new String[] {"MUMBAI_ANDHERI", "MUMBAI_BKC"}, new long[] {7, 42}, new HybridTimestamp(1_700_000_000_000L, 5),
            1234);

    @Test
    void write_thenRead_returnsTheSameCheckpoint() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        assertThat(store.read()).as("a new node has none").isNull();
        store.write(checkpoint);
        assertThat(new CheckpointStore(dir).read()).isEqualTo(checkpoint);
        assertThat(Files.exists(dir.resolve("checkpoint.tmp"))).isFalse();
    }

    @Test
    void write_replacesTheOldCheckpointWhole() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(checkpoint);
        Checkpoint next = new Checkpoint(checkpoint.node(), 4, new String[0], new long[0], HybridTimestamp.ZERO, 99);
        store.write(next);
        assertThat(store.read()).isEqualTo(next);
    }

    @Test
    void read_failsNamingTheFile_whenTheChecksumDoesNotMatch() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(checkpoint);
        try (RandomAccessFile f = new RandomAccessFile(store.file().toFile(), "rw")) {
            f.seek(10);
            f.write(f.read() ^ 0x01);
        }
        assertThatThrownBy(store::read).isInstanceOf(IOException.class)
                .hasMessageContaining(store.file().toString()).hasMessageContaining("checksum");
    }
}
