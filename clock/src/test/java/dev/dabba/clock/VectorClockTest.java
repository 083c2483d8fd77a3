package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorClockTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");

    @Test
    void compare_returnsEqual_forSameEntries_evenWithExplicitZeros() {
        VectorClock a = VectorClock.of(Map.of("A", 1L, "B", 0L));
        VectorClock b = VectorClock.of(Map.of("A", 1L));
        assertThat(a.compare(b)).isEqualTo(Causality.EQUAL);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void compare_returnsBefore_whenDominatedEntryWise() {
        VectorClock a = VectorClock.of(Map.of("A", 1L));
        VectorClock b = VectorClock.of(Map.of("A", 1L, "B", 1L));
        assertThat(a.compare(b)).isEqualTo(Causality.BEFORE);
        assertThat(b.compare(a)).isEqualTo(Causality.AFTER);
        assertThat(a.happensBefore(b)).isTrue();
    }

    @Test
    void compare_returnsConcurrent_whenNeitherDominates() {
        VectorClock a = VectorClock.of(Map.of("A", 2L, "B", 1L));
        VectorClock b = VectorClock.of(Map.of("A", 1L, "C", 1L));
        assertThat(a.compare(b)).isEqualTo(Causality.CONCURRENT);
        assertThat(b.isConcurrent(a)).isTrue();
    }

    @Test
    void handover_carriesCausality_fromOneTowerToTheNext() {
        VectorClock bkcCall = VectorClock.empty().increment(BKC);
        VectorClock bkcData = bkcCall.increment(BKC);
        VectorClock andheriCall = VectorClock.empty().merge(bkcData).increment(ANDHERI);
        assertThat(bkcCall.compare(andheriCall)).isEqualTo(Causality.BEFORE);
        assertThat(bkcData.compare(andheriCall)).isEqualTo(Causality.BEFORE);
        assertThat(andheriCall.entries()).containsExactly(Map.entry("MUMBAI_ANDHERI", 1L), Map.entry("MUMBAI_BKC", 2L));
    }

    @Test
    void merge_takesEntryWiseMaximum() {
        VectorClock a = VectorClock.of(Map.of("A", 3L, "B", 1L));
        VectorClock b = VectorClock.of(Map.of("B", 4L, "C", 2L));
        assertThat(a.merge(b)).isEqualTo(VectorClock.of(Map.of("A", 3L, "B", 4L, "C", 2L)));
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(a)).isEqualTo(a);
    }

    @Test
    void of_rejectsNegativeCounters_namingTheNode() {
        assertThatThrownBy(() -> VectorClock.of(Map.of("A", -1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A");
    }

    @Test
    void toString_listsEntriesInIdOrder() {
        assertThat(VectorClock.of(Map.of("B", 2L, "A", 1L))).hasToString("{A:1, B:2}");
    }
}
