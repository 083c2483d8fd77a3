package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {

    private static final RecordCodec CODEC = RecordCodec.standard();
    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");

    private Epoch one;
    private UsageRecord inEpochOne;
    private UsageRecord inGenesis;

    @BeforeEach
    void records() {
        World w = new World();
        inGenesis = w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 60));
        one = Epoch.of(1, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"))), new long[] {1});
        w.adopt("MUMBAI_BKC", one);
        inEpochOne = w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(60),
                new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 60));
    }

    private static DecodeFunction function(int buffer) {
        return new DecodeFunction(4, Duration.ofMinutes(5), buffer);
    }

    private static BroadcastOperatorTestHarness<KafkaInput, byte[], UsageRecord> decoder(DecodeFunction fn)
            throws Exception {
        var h = new BroadcastOperatorTestHarness<KafkaInput, byte[], UsageRecord>(
                new CoBroadcastWithNonKeyedOperator<>(fn, List.of(DecodeFunction.EPOCHS)), 1, 1, 0);
        h.setup(UsageRecordSerializer.INSTANCE);
        h.open();
        return h;
    }

    private static KafkaInput input(long offset, byte[] value) {
        return new KafkaInput("dabba.records", 0, offset, value);
    }

    @Test
    void aRecordOfAnUnknownEpoch_isHeld_andDecodedWhenTheEpochArrives() throws Exception {
        try (var h = decoder(function(10))) {
            h.processElement(input(0, CODEC.encodeRecord(inGenesis)), 0);
            h.processElement(input(1, CODEC.encodeRecord(inEpochOne)), 0);
            assertThat(Harnesses.drain(h)).containsExactly(inGenesis);

            h.processBroadcastElement(CODEC.encodeEpoch(one), 0);

            assertThat(Harnesses.drain(h)).containsExactly(inEpochOne);
            assertThat(Harnesses.drain(h, DecodeFunction.DEAD_LETTERS)).isEmpty();
        }
    }

    @Test
    void heldRecords_surviveARestore_andTheEpochsInBroadcastStateDecodeAfterIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = decoder(function(10))) {
            h.processElement(input(1, CODEC.encodeRecord(inEpochOne)), 0);
            snapshot = h.snapshot(1, 0);
        }
        try (var h = new BroadcastOperatorTestHarness<KafkaInput, byte[], UsageRecord>(
                new CoBroadcastWithNonKeyedOperator<>(function(10), List.of(DecodeFunction.EPOCHS)), 1, 1, 0)) {
            h.setup(UsageRecordSerializer.INSTANCE);
            h.initializeState(snapshot);
            h.open();
            h.processBroadcastElement(CODEC.encodeEpoch(one), 0);

            assertThat(Harnesses.drain(h)).containsExactly(inEpochOne);
            h.processElement(input(2, CODEC.encodeRecord(inEpochOne)), 0);
            assertThat(Harnesses.drain(h)).containsExactly(inEpochOne);
        }
    }

    @Test
    void overflow_andMalformedInput_goToTheDeadLetters_withTheReason() throws Exception {
        try (var h = decoder(function(1))) {
            h.processElement(input(1, CODEC.encodeRecord(inEpochOne)), 0);
            h.processElement(input(2, CODEC.encodeRecord(inEpochOne)), 0);
            h.processElement(input(3, new byte[] {0x44, 0x52, 0x07}), 0);
            h.processElement(input(4, null), 0);

            assertThat(Harnesses.drain(h, DecodeFunction.DEAD_LETTERS)).extracting(DeadLetter::reason)
                    .satisfiesExactly(
                            r -> assertThat(r).startsWith("unknown epoch: held 1"),
                            r -> assertThat(r).startsWith("malformed record"),
                            r -> assertThat(r).contains("null"));
        }
    }

    @Test
    void aRecordWhoseEpochNeverComes_isDeadLetteredAfterTheWait() throws Exception {
        try (var h = decoder(function(10))) {
            h.setProcessingTime(0);
            h.processElement(input(1, CODEC.encodeRecord(inEpochOne)), 0);
            h.setProcessingTime(Duration.ofMinutes(5).toMillis());

            h.processElement(input(2, CODEC.encodeRecord(inGenesis)), 0);

            assertThat(Harnesses.drain(h)).containsExactly(inGenesis);
            assertThat(Harnesses.drain(h, DecodeFunction.DEAD_LETTERS)).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("no announcement of its epoch arrived"));
        }
    }

    @Test
    void aRecordOfAnEarlierLineage_isDeadLetteredAtOnce_namingTheReplay() throws Exception {
        long lineage = 1_780_000_000_000L;
        Epoch opening = Epoch.of(lineage, lineage, NodeTable.EMPTY, new long[0]);
        Epoch later = Epoch.of(lineage + 1, lineage, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"))), new long[] {1});
        World w = new World();
        w.adopt("MUMBAI_BKC", later);
        UsageRecord inLater = w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 60));
        try (var h = decoder(function(10))) {
            h.processBroadcastElement(CODEC.encodeEpoch(opening), 0);
            h.processElement(input(1, CODEC.encodeRecord(inEpochOne)), 0);
            h.processElement(input(2, CODEC.encodeRecord(inLater)), 0);

            assertThat(Harnesses.drain(h, DecodeFunction.DEAD_LETTERS)).singleElement()
                    .satisfies(d -> assertThat(d.reason()).startsWith("unknown epoch")
                            .contains("knows epochs from " + lineage).contains("replay-dead-letters"));
            assertThat(Harnesses.drain(h)).as("an epoch of its own lineage not known yet: held").isEmpty();

            h.processBroadcastElement(CODEC.encodeEpoch(later), 0);
            assertThat(Harnesses.drain(h)).containsExactly(inLater);
        }
    }
}
