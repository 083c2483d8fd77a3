package dev.dabba.agent.internal.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochStoreTest {

    private static final NodeTable ONE = NodeTable.of(List.of(NodeId.of("MUMBAI_BKC")));
    private static final long LOST = 1_780_000_000_000L;
    private static final long NEW = LOST + 86_400_000L;

    @TempDir
    Path state;

    @Test
    void storedEpochs_loadInNumberOrder_withTheirLineages() throws Exception {
        EpochStore store = new EpochStore(state);
        Epoch later = Epoch.of(NEW + 1, NEW, ONE, new long[] {9});
        Epoch earlier = Epoch.of(LOST + 2, LOST, ONE, new long[] {4});
        store.store(later);
        store.store(earlier);
        assertThat(store.loadAll()).containsExactly(earlier, later);
    }

    @Test
    void pruningWithinTheCurrentLineage_keepsTheLineageLeftBehind() throws Exception {
        EpochStore store = new EpochStore(state);
        Epoch lostOld = Epoch.of(LOST + 1, LOST, ONE, new long[] {2});
        Epoch lostLast = Epoch.of(LOST + 2, LOST, ONE, new long[] {4});
        Epoch opening = Epoch.of(NEW, NEW, NodeTable.EMPTY, new long[0]);
        Epoch current = Epoch.of(NEW + 1, NEW, ONE, new long[] {9});
        for (Epoch e : List.of(lostOld, lostLast, opening, current)) {
            store.store(e);
        }
        assertThat(store.prune(current.lineage(), current.number())).isEqualTo(1);
        assertThat(store.loadAll()).containsExactly(lostOld, lostLast, current);
        assertThat(store.pruneBelow(current.number())).as("the whole range, as for lineage 0").isEqualTo(2);
        assertThat(store.loadAll()).containsExactly(current);
        try (var files = Files.list(state.resolve("epochs"))) {
            assertThat(files.count()).isEqualTo(1);
        }
    }
}
