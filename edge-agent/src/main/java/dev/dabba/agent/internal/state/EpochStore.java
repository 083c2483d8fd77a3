package dev.dabba.agent.internal.state;

import dev.dabba.clock.Epoch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch announcements an agent adopted, one file each in {@code STATE/epochs/}, so that records and the clock
 * stored relative to an epoch can be decoded after a restart before the broker has re-sent the retained
 * announcement. Epochs older than every stored record are pruned.
 */
public final class EpochStore {

    private static final Logger LOG = LoggerFactory.getLogger(EpochStore.class);
    private static final String PREFIX = "epoch-";
    private static final String SUFFIX = ".bin";

    private final Path directory;
    private final RecordCodec codec = RecordCodec.standard();

    public EpochStore(Path stateDirectory) throws IOException {
        this.directory = Files.createDirectories(stateDirectory.resolve("epochs"));
    }

    /** Stores {@code epoch} durably (before it is adopted). */
    public void store(Epoch epoch) throws IOException {
        StateFiles.writeAtomically(file(epoch.number()), codec.encodeEpoch(epoch));
    }

    /** Every stored epoch, in number order; unreadable files are reported and skipped. */
    public List<Epoch> loadAll() throws IOException {
        List<Path> files = files();
        List<Epoch> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(codec.decodeEpoch(StateFiles.read(f)));
            } catch (IOException | WireFormatException e) {
                LOG.error("epoch file {} is unreadable and is ignored: {}", f, e.getMessage());
            }
        }
        out.sort((a, b) -> Long.compare(a.number(), b.number()));
        return out;
    }

    /** Deletes stored epochs numbered below {@code number}; returns how many. */
    public int pruneBelow(long number) throws IOException {
        return prune(0, number);
    }

    /**
     * Deletes stored epochs numbered from {@code from} (inclusive) to {@code to} (exclusive); returns how many. An
     * agent prunes within its current lineage only ({@code from} = the lineage's first number): the epochs of a
     * lineage it left stay, the only copy of what records the broker took against that lineage are encoded in
     * ({@code dabba replay-dead-letters --agent-state} reads them).
     */
    public int prune(long from, long to) throws IOException {
        int n = 0;
        for (Path f : files()) {
            long e = numberOf(f);
            if (e >= from && e < to) {
                Files.deleteIfExists(f);
                n++;
            }
        }
        return n;
    }

    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            ds.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    private Path file(long number) {
        return directory.resolve(String.format("%s%020d%s", PREFIX, number, SUFFIX));
    }

    private static long numberOf(Path f) {
        String name = f.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
