package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clocks stored relative to epochs: adoption, compare and merge within and across epochs, equality. */
class EpochClockTest {

    private static final NodeId A = NodeId.of("A");
    private static final NodeId B = NodeId.of("B");
    private static final NodeId C = NodeId.of("C");
    private static final NodeTable AB = NodeTable.of(List.of(A, B));
    private static final NodeTable ABC = AB.with(List.of(C));

    private static final Epoch E1 = Epoch.of(1, AB, new long[] {5, 3});
    private static final Epoch E2 = Epoch.of(2, ABC, new long[] {7, 3, 2});

    @Test
    void adoption_isAMerge_soTheClockKeepsWhatItKnewAboveTheBase() {
        VectorClock before = VectorClock.of(Map.of("A", 9L, "C", 1L));
        VectorClock adopted = before.merge(E1.baseClock());
        assertThat(adopted.epoch()).isSameAs(E1);
        assertThat(adopted.entries()).containsExactly(Map.entry("A", 9L), Map.entry("B", 3L), Map.entry("C", 1L));
        assertThat(adopted.deltaSize()).as("only A and C are above the base").isEqualTo(2);
        assertThat(before.compare(adopted)).isEqualTo(Causality.BEFORE);
    }

    @Test
    void increment_afterAdoption_startsFromTheBase() {
        VectorClock clock = VectorClock.empty().merge(E1.baseClock()).increment(B);
        assertThat(clock.get(B)).isEqualTo(4);
        assertThat(clock.deltaSize()).isEqualTo(1);
        assertThat(clock.size()).isEqualTo(2);
    }

    @Test
    void compare_acrossEpochs_agreesWithEntryWiseComparison() {
        VectorClock inE1 = VectorClock.of(E1, Map.of("A", 6L));                  // {A:6, B:3}
        VectorClock inE2 = VectorClock.of(E2, Map.of());                          // {A:7, B:3, C:2}
        VectorClock coversE2 = VectorClock.of(E1, Map.of("A", 7L, "C", 2L));      // {A:7, B:3, C:2}
        VectorClock beyond = VectorClock.of(E1, Map.of("A", 8L, "C", 2L));        // {A:8, B:3, C:2}
        VectorClock sideways = VectorClock.of(E1, Map.of("B", 4L));               // {A:5, B:4}

        assertThat(inE1.compare(inE2)).isEqualTo(Causality.BEFORE);
        assertThat(inE2.compare(inE1)).isEqualTo(Causality.AFTER);
        assertThat(coversE2.compare(inE2)).isEqualTo(Causality.EQUAL);
        assertThat(coversE2).isEqualTo(inE2).hasSameHashCodeAs(inE2);
        assertThat(beyond.compare(inE2)).isEqualTo(Causality.AFTER);
        assertThat(sideways.compare(inE2)).isEqualTo(Causality.CONCURRENT);
        assertThat(inE2.compare(sideways)).isEqualTo(Causality.CONCURRENT);
    }

    @Test
    void merge_acrossEpochs_landsInTheLaterEpoch_withTheEntryWiseMaximum() {
        VectorClock inE1 = VectorClock.of(E1, Map.of("A", 9L, "B", 4L));
        VectorClock inE2 = VectorClock.of(E2, Map.of("C", 5L));
        VectorClock merged = inE1.merge(inE2);
        assertThat(merged.epoch()).isSameAs(E2);
        assertThat(merged.entries()).containsExactly(Map.entry("A", 9L), Map.entry("B", 4L), Map.entry("C", 5L));
        assertThat(inE2.merge(inE1)).isEqualTo(merged);
    }

    @Test
    void rebase_ontoAnEarlierEpoch_keepsTheEntries() {
        VectorClock inE2 = VectorClock.of(E2, Map.of("B", 6L));
        VectorClock inE1 = inE2.rebase(E1);
        assertThat(inE1.epoch()).isSameAs(E1);
        assertThat(inE1).isEqualTo(inE2);
        assertThat(inE1.deltaSize()).as("A, B and C are above E1's base").isEqualTo(3);
        assertThatThrownBy(() -> inE1.rebase(E2)).hasMessageContaining("later epoch");
    }

    @Test
    void of_rejectsEntriesBelowTheBase_namingTheNode() {
        assertThatThrownBy(() -> VectorClock.of(E1, Map.of("A", 4L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A")
                .hasMessageContaining("below the base");
    }

    @Test
    void registry_acceptsMonotoneEpochs_andRejectsRegressions() {
        EpochRegistry registry = new EpochRegistry();
        assertThat(registry.accept(E1)).isTrue();
        assertThat(registry.accept(E1)).isFalse();
        assertThat(registry.accept(E2)).isTrue();
        assertThat(registry.latest()).isSameAs(E2);
        Epoch regressing = Epoch.of(3, ABC, new long[] {6, 3, 2});
        assertThatThrownBy(() -> registry.accept(regressing)).hasMessageContaining("epoch 3");
        Epoch reordered = Epoch.of(4, NodeTable.of(List.of(B, A, C)), new long[] {9, 9, 9});
        assertThatThrownBy(() -> registry.accept(reordered)).hasMessageContaining("member table");
        assertThat(registry.resolve(2)).isSameAs(E2);
        assertThat(registry.resolve(5)).isNull();
    }

    // A lineage opened after E1 and E2 were lost: its epochs know less of A than E2 did, and list the nodes in
    // another order. Its bases are not comparable with E2's.
    private static final long L2 = 1_780_000_000_000L;
    private static final Epoch OPENING = Epoch.of(L2, L2, NodeTable.EMPTY, new long[0]);
    private static final Epoch L2_NEXT = Epoch.of(L2 + 1, L2, NodeTable.of(List.of(C, A)), new long[] {2, 1});

    @Test
    void merge_acrossLineages_keepsWhatTheEarlierLineagesBaseHeld() {
        VectorClock inE2 = VectorClock.of(E2, Map.of("B", 4L));                   // {A:7, B:4, C:2}
        VectorClock adopted = inE2.merge(L2_NEXT.baseClock());
        assertThat(adopted.epoch()).isSameAs(L2_NEXT);
        assertThat(adopted.entries()).as("A's 7 lives in E2's base, which L2 does not share")
                .containsExactly(Map.entry("A", 7L), Map.entry("B", 4L), Map.entry("C", 2L));
        assertThat(L2_NEXT.baseClock().merge(inE2)).isEqualTo(adopted);
        assertThat(VectorClock.empty().merge(OPENING.baseClock()).merge(inE2).entries())
                .isEqualTo(inE2.entries());
    }

    @Test
    void compare_acrossLineages_agreesWithEntryWiseComparison() {
        VectorClock inE2 = VectorClock.of(E2, Map.of());                          // {A:7, B:3, C:2}
        VectorClock lower = VectorClock.of(L2_NEXT, Map.of("A", 3L));            // {A:3, C:2}
        VectorClock same = VectorClock.of(L2_NEXT, Map.of("A", 7L, "B", 3L));    // {A:7, B:3, C:2}
        VectorClock sideways = VectorClock.of(L2_NEXT, Map.of("C", 3L));         // {A:1, C:3}
        assertThat(lower.compare(inE2)).isEqualTo(Causality.BEFORE);
        assertThat(inE2.compare(lower)).isEqualTo(Causality.AFTER);
        assertThat(same.compare(inE2)).isEqualTo(Causality.EQUAL);
        assertThat(sideways.compare(inE2)).isEqualTo(Causality.CONCURRENT);
        assertThat(same).isEqualTo(inE2);
    }

    @Test
    void epochs_ofTwoLineages_neverPrecedeEachOther_butGenesisPrecedesBoth() {
        assertThat(E2.precedes(L2_NEXT)).isFalse();
        assertThat(E2.precedes(OPENING)).isFalse();
        assertThat(Epoch.GENESIS.precedes(OPENING)).isTrue();
        assertThat(OPENING.precedes(L2_NEXT)).isTrue();
        assertThat(E2.sharesLineageWith(L2_NEXT)).isFalse();
        assertThat(Epoch.GENESIS.sharesLineageWith(L2_NEXT)).isTrue();
        assertThatThrownBy(() -> Epoch.of(5, 6, AB, new long[0])).hasMessageContaining("lineage");
    }

    @Test
    void registry_movesToANewerLineage_keepsTheOldEpochs_andRefusesTheOldLineageAfter() {
        EpochRegistry registry = new EpochRegistry();
        assertThat(registry.isNewerLineage(OPENING)).as("a node in genesis is in no lineage yet").isFalse();
        registry.accept(E1);
        registry.accept(E2);
        assertThatThrownBy(() -> registry.accept(L2_NEXT)).hasMessageContaining("does not follow");
        assertThat(registry.isNewerLineage(L2_NEXT)).isTrue();
        assertThat(registry.isNewerLineage(Epoch.of(3, ABC, new long[] {6, 3, 2}))).isFalse();

        assertThat(registry.acceptLineage(L2_NEXT)).isTrue();
        assertThat(registry.latest()).isSameAs(L2_NEXT);
        assertThat(registry.resolve(2)).as("records stored against E2 can still be read").isSameAs(E2);
        Epoch l2Later = Epoch.of(L2 + 2, L2, NodeTable.of(List.of(C, A, B)), new long[] {2, 4, 1});
        assertThat(registry.accept(l2Later)).isTrue();
        Epoch oldLineageLate = Epoch.of(3, ABC, new long[] {8, 3, 2});
        assertThatThrownBy(() -> registry.accept(oldLineageLate)).hasMessageContaining("does not precede");
        assertThat(registry.isNewerLineage(oldLineageLate)).isFalse();
        assertThatThrownBy(() -> registry.acceptLineage(oldLineageLate)).hasMessageContaining("not of a newer");
    }
}
