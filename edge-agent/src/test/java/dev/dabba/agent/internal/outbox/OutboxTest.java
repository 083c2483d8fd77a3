package dev.dabba.agent.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.agent.AgentConfig.OutboxSettings;
import dev.dabba.agent.FsyncPolicy;
import dev.dabba.agent.FullPolicy;
import dev.dabba.agent.internal.metrics.Metrics;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    private static final long SEGMENT = 64 * 1024;
    private static final OutboxSettings SMALL = new OutboxSettings(4 * SEGMENT, SEGMENT, FsyncPolicy.BATCH,
            Duration.ofSeconds(1), FullPolicy.REFUSE, Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();

    private Outbox open(long acknowledged) throws IOException {
        return Outbox.open(dir, SMALL, acknowledged, 0, metrics);
    }

    private static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        byte[] text = ("entry-" + i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, Math.min(text.length, size));
        return b;
    }

    private static List<String> texts(Outbox.Read read) {
        List<String> out = new ArrayList<>();
        for (Outbox.Entry e : read.entries()) {
            out.add(new String(e.payload(), StandardCharsets.US_ASCII).trim() + "@" + e.index());
        }
        return out;
    }

    private List<String> readAll(Outbox outbox, long from) throws IOException {
        List<String> out = new ArrayList<>();
        Outbox.Cursor c = outbox.cursorAt(from);
        while (true) {
            Outbox.Read r = outbox.read(c, 100, Long.MAX_VALUE);
            if (r.entries().isEmpty()) {
                return out;
            }
            out.addAll(texts(r));
            c = r.next();
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void append_givesDenseIndices_andReadReturnsEntriesInOrder_acrossSegments() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 300; i++) {
                assertThat(outbox.append(List.of(payload(i, 500)))).isEqualTo(i);
            }
            assertThat(segments()).as("500-byte entries roll 64 KiB segments").hasSizeGreaterThan(2);
            List<String> all = readAll(outbox, 0);
            assertThat(all).hasSize(300);
            assertThat(all.get(0)).isEqualTo("entry-0@0");
            assertThat(all.get(299)).isEqualTo("entry-299@299");
            assertThat(readAll(outbox, 250)).first().isEqualTo("entry-250@250");
        }
    }

    @Test
    void read_stopsAtMaxEntriesAndMaxBytes_butAlwaysReturnsOneEntry() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 10; i++) {
                outbox.append(List.of(payload(i, 100)));
            }
            assertThat(outbox.read(outbox.cursorAt(0), 3, Long.MAX_VALUE).entries()).hasSize(3);
            assertThat(outbox.read(outbox.cursorAt(0), 100, 250).entries()).hasSize(2);
            assertThat(outbox.read(outbox.cursorAt(0), 100, 10).entries()).hasSize(1);
        }
    }

    @Test
    void reopen_recoversEveryEntry_andContinuesTheIndices() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 200; i++) {
                outbox.append(List.of(payload(i, 700)));
            }
        }
        try (Outbox outbox = open(0)) {
            assertThat(outbox.nextIndex()).isEqualTo(200);
            assertThat(outbox.depth()).isEqualTo(200);
            assertThat(outbox.append(List.of(payload(200, 10)))).isEqualTo(200);
            assertThat(readAll(outbox, 0)).hasSize(201).last().isEqualTo("entry-200@200");
        }
    }

    @Test
    void reopen_truncatesATornWriteAtTheTail_andKeepsEverythingBeforeIt() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 5; i++) {
                outbox.append(List.of(payload(i, 100)));
            }
        }
        Path last = segments().get(segments().size() - 1);
        long good = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            // A torn entry: its header promises 100 bytes, only 30 made it to the disk.
            f.seek(good);
            f.write(new byte[] {100, 0, 0, 0, 1, 2, 3, 4});
            f.write(new byte[30]);
        }
        try (Outbox outbox = open(0)) {
            assertThat(Files.size(last)).isEqualTo(good);
            assertThat(outbox.nextIndex()).isEqualTo(5);
            assertThat(metrics.value("dabba_agent_outbox_truncated_bytes_total")).isEqualTo(38);
            assertThat(outbox.append(List.of(payload(5, 100)))).isEqualTo(5);
            assertThat(readAll(outbox, 0)).hasSize(6);
        }
    }

    @Test
    void reopen_truncatesAnEntryWhoseChecksumFails_atTheTail() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 5; i++) {
                outbox.append(List.of(payload(i, 100)));
            }
        }
        Path last = segments().get(0);
        long size = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(size - 1); // the last byte of the last entry's payload
            f.write(0x7F);
        }
        try (Outbox outbox = open(0)) {
            assertThat(outbox.nextIndex()).as("the damaged last entry is cut off").isEqualTo(4);
            assertThat(readAll(outbox, 0)).hasSize(4);
        }
    }

    @Test
    void read_skipsTheRestOfAClosedSegmentWithAChecksumFailure_loudly() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 300; i++) {
                outbox.append(List.of(payload(i, 500)));
            }
        }
        Path first = segments().get(0);
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(Segment.HEADER_BYTES + 10 * (Segment.ENTRY_OVERHEAD + 500) + Segment.ENTRY_OVERHEAD + 7);
            f.write(0x55); // inside entry 10's payload
        }
        try (Outbox outbox = open(0)) {
            List<String> all = readAll(outbox, 0);
            assertThat(all).first().isEqualTo("entry-0@0");
            assertThat(all).contains("entry-9@9").doesNotContain("entry-10@10");
            long secondBase = Long.parseLong(segments().get(1).getFileName().toString().replace(".seg", ""));
            assertThat(all).contains("entry-" + secondBase + "@" + secondBase).last().isEqualTo("entry-299@299");
            assertThat(metrics.value("dabba_agent_outbox_corrupt_segments_total")).isEqualTo(1);
        }
    }

    @Test
    void append_refusesWhenFull_writesNothing_andSpaceComesBackAfterAcknowledgement() throws Exception {
        try (Outbox outbox = open(0)) {
            int n = 0;
            while (true) {
                try {
                    outbox.append(List.of(payload(n, 1000)));
                    n++;
                } catch (Outbox.OutboxFull full) {
                    assertThat(full.maxBytes()).isEqualTo(4 * SEGMENT);
                    assertThat(full.getMessage()).contains("outbox full");
                    break;
                }
            }
            long bytes = outbox.bytes();
            int stored = n;
            assertThat(bytes).isLessThanOrEqualTo(4 * SEGMENT);
            assertThat(outbox.isFull()).isTrue();
            assertThat(metrics.value("dabba_agent_outbox_full")).isEqualTo(1);
            assertThatThrownBy(() -> outbox.append(List.of(payload(stored, 1000))))
                    .isInstanceOf(Outbox.OutboxFull.class);
            assertThat(outbox.bytes()).as("a refused append writes nothing").isEqualTo(bytes);
            assertThat(outbox.nextIndex()).isEqualTo(n);

            assertThat(outbox.acknowledge(n)).isTrue();
            assertThat(outbox.deleteAcknowledgedSegments()).isPositive();
            assertThat(outbox.isFull()).isFalse();
            assertThat(outbox.append(List.of(payload(n, 1000)))).isEqualTo(n);
            assertThat(outbox.depth()).isEqualTo(1);
        }
    }

    @Test
    void acknowledgedSegments_areDeleted_andReopenStartsAtTheAcknowledgedIndex() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 300; i++) {
                outbox.append(List.of(payload(i, 500)));
            }
            int before = segments().size();
            outbox.acknowledge(200);
            assertThat(outbox.deleteAcknowledgedSegments()).isPositive();
            assertThat(segments()).hasSizeLessThan(before);
            assertThat(outbox.depth()).isEqualTo(100);
        }
        try (Outbox outbox = open(200)) {
            assertThat(outbox.acknowledgedIndex()).isEqualTo(200);
            assertThat(outbox.depth()).isEqualTo(100);
            assertThat(readAll(outbox, outbox.acknowledgedIndex())).first().isEqualTo("entry-200@200");
        }
    }

    @Test
    void aFullyAcknowledgedOutbox_restartsItsIndicesWhereItLeftOff() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 100; i++) {
                outbox.append(List.of(payload(i, 500)));
            }
            outbox.acknowledge(100);
            outbox.deleteAcknowledgedSegments();
        }
        try (Outbox outbox = open(100)) {
            assertThat(outbox.append(List.of(payload(100, 10)))).isEqualTo(100);
        }
    }

    @Test
    void awaitSpace_wakesWhenSegmentsAreDeleted() throws Exception {
        try (Outbox outbox = open(0)) {
            for (int i = 0; i < 300; i++) {
                outbox.append(List.of(payload(i, 500)));
            }
            Thread deleter = new Thread(() -> {
                outbox.acknowledge(300);
                try {
                    outbox.deleteAcknowledgedSegments();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            java.util.concurrent.atomic.AtomicBoolean woke = new java.util.concurrent.atomic.AtomicBoolean();
            Thread waiter = new Thread(() -> {
                try {
                    woke.set(outbox.awaitSpace(Duration.ofSeconds(30).toNanos()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            org.awaitility.Awaitility.await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
            deleter.start();
            waiter.join(30_000);
            assertThat(woke).isTrue();
        }
    }

    @Test
    void aSegmentWithATornHeader_atTheTail_isDiscarded() throws Exception {
        try (Outbox outbox = open(0)) {
            outbox.append(List.of(payload(0, 100)));
        }
        Files.write(dir.resolve(Segment.fileName(1)), new byte[] {'D', 'B', 'O'});
        try (Outbox outbox = open(0)) {
            assertThat(outbox.nextIndex()).isEqualTo(1);
            assertThat(Files.exists(dir.resolve(Segment.fileName(1)))).isFalse();
        }
    }
}
