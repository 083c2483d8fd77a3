package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class NodeFrontierFunctionTest {

    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");

    private static List<UsageRecord> bkc(int n) {
        World w = new World();
        List<UsageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(i), new Usage.Call(
                    Msisdn.of("+919876543211"), CallType.VOICE, 10)));
        }
        return out;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, UsageRecord> harness()
            throws Exception {
        return Harnesses.keyed(new NodeFrontierFunction(Duration.ofMillis(50), Duration.ofSeconds(30), 4),
                r -> r.origin().value(), Types.STRING, SerializerTypeInfo.USAGE_RECORD);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, UsageRecord> unopened(String backend)
            throws Exception {
        return Harnesses.keyedUnopened(backend.equals("rocksdb")
                        ? new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend()
                        : new org.apache.flink.runtime.state.hashmap.HashMapStateBackend(),
                new NodeFrontierFunction(Duration.ofMillis(50), Duration.ofSeconds(30), 4), r -> r.origin().value(),
                Types.STRING, SerializerTypeInfo.USAGE_RECORD);
    }

    @Test
    void duplicates_areDropped_forTheNodesWholeHistory_withOneStateEntryPerNode() throws Exception {
        List<UsageRecord> r = bkc(3);
        try (var h = harness()) {
            for (UsageRecord x : List.of(r.get(0), r.get(0), r.get(1), r.get(0), r.get(2), r.get(1))) {
                h.processElement(x, 0);
            }
            assertThat(Harnesses.drain(h)).containsExactlyElementsOf(r);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    /**
     * The function keeps frontiers in a cache beside the keyed state (RocksDB would deserialize them per record); what
     * a snapshot holds must still be every change, on either backend, and a restored instance starts from the state.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"hashmap", "rocksdb"})
    void aRestoredInstance_dropsWhatTheSnapshottedOneHadSeen(String backend) throws Exception {
        List<UsageRecord> r = bkc(4);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = unopened(backend)) {
            h.open();
            for (UsageRecord x : List.of(r.get(0), r.get(2), r.get(0))) {
                h.processElement(x, 0);
            }
            assertThat(Harnesses.drain(h)).containsExactly(r.get(0), r.get(2));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = unopened(backend)) {
            h.initializeState(snapshot);
            h.open();
            for (UsageRecord x : List.of(r.get(2), r.get(0), r.get(1), r.get(3), r.get(1))) {
                h.processElement(x, 0);
            }
            assertThat(Harnesses.drain(h)).as("only what the first instance had not seen")
                    .containsExactly(r.get(1), r.get(3));
        }
    }

    @Test
    void aGrowthAfterAQuietInterval_isAnnouncedAtOnce_theGrowthWithinTheIntervalAtItsEnd_andNoTimerIsLeft()
            throws Exception {
        List<UsageRecord> r = bkc(5);
        try (var h = harness()) {
            h.setProcessingTime(10);
            h.processElement(r.get(2), 0);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("no growth: 1-2 missing").isEmpty();
            h.processElement(r.get(0), 0);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("the first growth, at once")
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 1, SequenceRanges.EMPTY));
            assertThat(h.numProcessingTimeTimers()).as("the interval's end and the gap's deadline").isEqualTo(2);
            h.processElement(r.get(1), 0);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("within the interval: held").isEmpty();

            h.setProcessingTime(59);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).isEmpty();
            h.setProcessingTime(60);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("at the interval's end, coalesced")
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 3, SequenceRanges.EMPTY));
            h.processElement(r.get(3), 0);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("the next interval is open: held")
                    .isEmpty();
            h.setProcessingTime(110);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES))
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 4, SequenceRanges.EMPTY));
            h.setProcessingTime(160);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("a quiet interval").isEmpty();
            assertThat(h.numProcessingTimeTimers()).isZero();

            h.setProcessingTime(170);
            h.processElement(r.get(4), 0);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).as("after a quiet interval: at once")
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 5, SequenceRanges.EMPTY));
        }
    }

    @Test
    void aGapOpenLongerThanTheMaxWait_isGivenUp_andItsRecordStillPassesWhenItComes() throws Exception {
        List<UsageRecord> r = bkc(4);
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(r.get(0), 0);
            h.processElement(r.get(2), 0);
            h.processElement(r.get(3), 0);
            h.setProcessingTime(100);
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES))
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 1, SequenceRanges.EMPTY));

            h.setProcessingTime(30_000);

            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).containsExactly(
                    new FrontierAdvance("MUMBAI_BKC", 4, SequenceRanges.EMPTY.with(2)));
            assertThat(h.numProcessingTimeTimers()).as("the announcement interval's end").isEqualTo(1);
            Harnesses.drain(h);

            h.processElement(r.get(1), 0);
            h.processElement(r.get(1), 0);
            h.setProcessingTime(30_100);

            assertThat(Harnesses.drain(h)).as("the lost record is late, not a duplicate").containsExactly(r.get(1));
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES))
                    .containsExactly(new FrontierAdvance("MUMBAI_BKC", 4, SequenceRanges.EMPTY));
            h.setProcessingTime(30_200); // the interval that advance opened ends quiet
            assertThat(Harnesses.drain(h, NodeFrontierFunction.ADVANCES)).isEmpty();
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void settings_mustBePositive() {
        assertThatThrownBy(() -> new NodeFrontierFunction(Duration.ZERO, Duration.ofSeconds(1), 1))
                .hasMessageContaining("frontierInterval");
    }
}
