package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EpochAuthorityFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<Integer, FrontierAdvance, Epoch> harness(Epoch bootstrap)
            throws Exception {
        return Harnesses.keyed(new EpochAuthorityFunction(Duration.ofSeconds(10), bootstrap, LINEAGE),
                a -> EpochAuthorityFunction.KEY, Types.INT, SerializerTypeInfo.EPOCH);
    }

    private static FrontierAdvance advance(String node, long prefix) {
        return new FrontierAdvance(node, prefix, SequenceRanges.EMPTY);
    }

    /** When the tests' jobs were "built": a new lineage's first epoch number. */
    private static final long LINEAGE = 1_780_000_000_000L;

    @Test
    void announcesTheFrontier_onceAnInterval_appendingNewNodesInIdOrder_andOnlyWhenItMoved() throws Exception {
        try (var h = harness(Epoch.GENESIS)) {
            h.setProcessingTime(0);
            h.processElement(advance("MUMBAI_BKC", 2), 0);
            h.processElement(advance("MUMBAI_ANDHERI", 1), 0);
            h.processElement(advance("MUMBAI_BKC", 1), 0); // a replayed older advance
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            h.setProcessingTime(10_000);

            Epoch first = Harnesses.drain(h).get(0);
            assertThat(first.number()).as("a new lineage starts at its start time").isEqualTo(LINEAGE);
            assertThat(first.lineage()).as("and is named by it").isEqualTo(LINEAGE);
            assertThat(first.members().nodes()).extracting(NodeId::value)
                    .containsExactly("MUMBAI_ANDHERI", "MUMBAI_BKC");
            assertThat(first.baseEntries()).isEqualTo(Map.of("MUMBAI_ANDHERI", 1L, "MUMBAI_BKC", 2L));
            assertThat(h.numProcessingTimeTimers()).isZero();

            h.processElement(advance("MUMBAI_DADAR", 4), 0);
            h.processElement(advance("MUMBAI_BKC", 5), 0);
            h.setProcessingTime(20_000);

            Epoch second = Harnesses.drain(h).get(0);
            assertThat(second.number()).isEqualTo(LINEAGE + 1);
            assertThat(second.lineage()).isEqualTo(LINEAGE);
            assertThat(second.members().nodes()).extracting(NodeId::value)
                    .containsExactly("MUMBAI_ANDHERI", "MUMBAI_BKC", "MUMBAI_DADAR");
            assertThat(first.precedes(second)).isTrue();
            assertThat(second.baseEntries()).containsEntry("MUMBAI_BKC", 5L).containsEntry("MUMBAI_DADAR", 4L);

            h.processElement(advance("MUMBAI_BKC", 5), 0);
            h.setProcessingTime(40_000);
            assertThat(Harnesses.drain(h)).as("nothing moved").isEmpty();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void withoutState_continuesFromTheBootstrapEpoch_keepingItsMembersAndBase() throws Exception {
        Epoch seven = Epoch.of(7, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"), NodeId.of("MUMBAI_ANDHERI"))),
                new long[] {1000, 2000});
        try (var h = harness(seven)) {
            h.setProcessingTime(0);
            h.processElement(advance("MUMBAI_ANDHERI", 2100), 0);
            h.processElement(advance("MUMBAI_BKC", 10), 0); // behind the bootstrap base: the base stays
            h.setProcessingTime(10_000);

            Epoch next = Harnesses.drain(h).get(0);
            assertThat(next.number()).isEqualTo(8);
            assertThat(seven.precedes(next)).isTrue();
            assertThat(next.baseEntries()).isEqualTo(Map.of("MUMBAI_BKC", 1000L, "MUMBAI_ANDHERI", 2100L));
        }
    }

    @Test
    void afterARestore_continuesFromItsOwnLastEpoch() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(Epoch.GENESIS)) {
            h.setProcessingTime(0);
            h.processElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(10_000);
            assertThat(Harnesses.drain(h)).extracting(Epoch::number).containsExactly(LINEAGE);
            snapshot = h.snapshot(1, 10_000);
        }
        KeyedOneInputStreamOperatorTestHarness<Integer, FrontierAdvance, Epoch> restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(
                                new EpochAuthorityFunction(Duration.ofSeconds(10), Epoch.GENESIS, LINEAGE + 60_000)),
                        a -> EpochAuthorityFunction.KEY, Types.INT);
        try (var h = restored) {
            h.setup(SerializerTypeInfo.EPOCH.createSerializer(
                    new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(10_000);
            h.processElement(advance("MUMBAI_BKC", 3), 0);
            h.setProcessingTime(20_000);

            assertThat(Harnesses.drain(h)).as("its own state wins over the lineage start of the new build")
                    .extracting(Epoch::number).containsExactly(LINEAGE + 1);
        }
    }

    @Test
    void aNewLineage_neverReusesTheNumbersOfAnEarlierOne() throws Exception {
        // An earlier lineage built at LINEAGE announced an epoch every 1 ms (the shortest interval) for 5 seconds;
        // its epochs were lost (an empty topic), and a job built afterwards starts over from genesis.
        Epoch earlier = Epoch.GENESIS;
        for (int i = 1; i <= 5_000; i++) {
            earlier = EpochAuthorityFunction.next(earlier, Map.of("MUMBAI_BKC", (long) i), LINEAGE);
        }
        long builtAfter = LINEAGE + 5_000;

        Epoch fresh = EpochAuthorityFunction.next(Epoch.GENESIS, Map.of("MUMBAI_ANDHERI", 1L), builtAfter);

        assertThat(earlier.number()).isEqualTo(LINEAGE + 4_999);
        assertThat(fresh.number()).isGreaterThan(earlier.number());
        assertThat(fresh.lineage()).isGreaterThan(earlier.lineage());
        assertThat(earlier.precedes(fresh)).as("agents see the newer lineage, not a successor").isFalse();
    }

    @Test
    void continuingAnEpochFromBeforeLineagesWereNamed_keepsItsLineage() {
        Epoch legacy = Epoch.of(41, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"))), new long[] {7});
        Epoch next = EpochAuthorityFunction.next(legacy, Map.of("MUMBAI_BKC", 9L), LINEAGE);
        assertThat(next.number()).isEqualTo(42);
        assertThat(next.lineage()).isZero();
        assertThat(legacy.precedes(next)).isTrue();
    }
}
