package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CausalBufferFunctionTest {

    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");

    private UsageRecord bkcCall;
    private UsageRecord bkcData;
    private UsageRecord andheriCall;
    private UsageRecord dadarData;

    @BeforeEach
    void journey() {
        World w = new World();
        bkcCall = w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));
        bkcData = w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(200), new Usage.Data(RadioType.G4, 1, 2));
        w.handover("MUMBAI_BKC", "MUMBAI_ANDHERI");
        andheriCall = w.stamp("MUMBAI_ANDHERI", USER, T0.plusSeconds(400),
                new Usage.Call(Msisdn.of("+919876543212"), CallType.VIDEO, 300));
        dadarData = w.stamp("MUMBAI_DADAR", USER, T0.plusSeconds(100), new Usage.Data(RadioType.G5, 1, 2));
    }

    private static KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance, ReleasedRecord> harness()
            throws Exception {
        return Harnesses.keyedBroadcast(
                new CausalBufferFunction(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofDays(1)),
                r -> r.subscriber().value(), Types.STRING, SerializerTypeInfo.RELEASED_RECORD,
                CausalBufferFunction.FRONTIER, CausalBufferFunction.LOST_NODES);
    }

    private static FrontierAdvance advance(String node, long prefix) {
        return new FrontierAdvance(node, prefix, SequenceRanges.EMPTY);
    }

    @Test
    void aRecordWhoseDependenciesArrived_isReleasedAtOnce_andNothingIsKept() throws Exception {
        try (var h = harness()) {
            h.processElement(bkcCall, 0);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);
            h.processElement(bkcData, 0);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(bkcCall),
                    ReleasedRecord.complete(bkcData));
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aRecordWaits_untilTheFrontierCoversItsClock_thenGoesOutComplete_andStateAndTimersAreCleared()
            throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(andheriCall, 0);
            assertThat(Harnesses.drain(h)).isEmpty();
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);
            h.setProcessingTime(100);
            assertThat(Harnesses.drain(h)).as("BKC#2 is still missing").isEmpty();

            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(200);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(andheriCall));
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void afterTheMaxWait_aRecordGoesOutFlaggedWithWhatIsMissing_andAgainCompleteWhenItArrives() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(andheriCall, 0);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);
            h.setProcessingTime(29_900);
            assertThat(Harnesses.drain(h)).isEmpty();

            h.setProcessingTime(30_000);

            assertThat(Harnesses.drain(h)).containsExactly(new ReleasedRecord(andheriCall, "MUMBAI_BKC:2-2"));
            assertThat(h.numProcessingTimeTimers()).as("still watched").isEqualTo(1);

            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(30_100);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(andheriCall));
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aRecordDependingOnALostSequence_goesOutAtOnceFlagged_andCompleteIfTheLostRecordTurnsUp()
            throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processBroadcastElement(new FrontierAdvance("MUMBAI_BKC", 2, SequenceRanges.EMPTY.with(1)), 0);

            h.processElement(andheriCall, 0);

            assertThat(Harnesses.drain(h)).containsExactly(new ReleasedRecord(andheriCall, "MUMBAI_BKC:1-1 lost"));

            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(100);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(andheriCall));
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void recordsReleasedTogether_goOutInCausalOrder() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(andheriCall, 0);
            h.processElement(bkcData, 0);
            h.processElement(dadarData, 0);
            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(dadarData));

            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(100);

            assertThat(Harnesses.drain(h)).extracting(ReleasedRecord::record).containsExactly(bkcData, andheriCall);
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
        }
    }

    @Test
    void anOlderAdvance_replayedAfterARestart_doesNotMoveTheFrontierBack() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);

            assertThat(h.getBroadcastState(CausalBufferFunction.FRONTIER).get("MUMBAI_BKC").prefix()).isEqualTo(2);
        }
    }
}
