package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
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
        return harness(Duration.ofMillis(100));
    }

    private static KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance, ReleasedRecord> harness(
            Duration recheck) throws Exception {
        return Harnesses.keyedBroadcast(
                new CausalBufferFunction(Duration.ofSeconds(30), recheck, Duration.ofDays(1)),
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

    /**
     * Two records of one subscriber wait on different towers; a re-check that finds the first one's dependency
     * still missing must not conclude that nothing changed for the other.
     */
    @Test
    void recordsWaitingOnDifferentTowers_eachGoesOutWhenItsOwnDependencyArrives() throws Exception {
        World w = new World();
        w.stamp("MUMBAI_BKC", USER, T0, new Usage.Sms(Msisdn.of("+919876543211")));
        w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(10), new Usage.Sms(Msisdn.of("+919876543211")));
        w.handover("MUMBAI_BKC", "MUMBAI_ANDHERI");
        UsageRecord andheri = w.stamp("MUMBAI_ANDHERI", USER, T0.plusSeconds(20),
                new Usage.Sms(Msisdn.of("+919876543212")));
        w.stamp("MUMBAI_DADAR", USER, T0.plusSeconds(30), new Usage.Data(RadioType.G5, 1, 2));
        UsageRecord dadar2 = w.stamp("MUMBAI_DADAR", USER, T0.plusSeconds(40), new Usage.Data(RadioType.G5, 3, 4));
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);
            h.processElement(andheri, 0);
            h.processElement(dadar2, 0);
            h.setProcessingTime(100);
            h.setProcessingTime(200);
            assertThat(Harnesses.drain(h)).as("BKC#2 and DADAR#1 are missing").isEmpty();

            h.processBroadcastElement(advance("MUMBAI_DADAR", 1), 0);
            h.setProcessingTime(300);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(dadar2));

            h.setProcessingTime(400);
            assertThat(Harnesses.drain(h)).as("BKC#2 is still missing").isEmpty();
            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(500);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(andheri));
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    /**
     * With the default re-check of 25 ms: re-checks at 25, 50, 75, 125, 225, 425, 825, 1,625 and 2,425 ms: every
     * 25 ms at first, then less often up to 32 x 25 ms, so a record that waited long goes out at most 800 ms after its
     * dependency arrives.
     */
    @Test
    void aRecordThatWaitsLong_isReCheckedLessOften_andGoesOutWithinTheBackoffCap() throws Exception {
        Duration recheck = JobSettings.builder().build().causalRecheck();
        assertThat(recheck).isEqualTo(Duration.ofMillis(25));
        try (var h = harness(recheck)) {
            h.setProcessingTime(0);
            h.processBroadcastElement(advance("MUMBAI_BKC", 1), 0);
            h.processElement(andheriCall, 0);
            for (long t = 25; t <= 2_000; t += 25) {
                h.setProcessingTime(t);
            }
            h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
            h.setProcessingTime(2_424);
            assertThat(Harnesses.drain(h)).as("the re-check after 1,625 ms is at 2,425 ms").isEmpty();

            h.setProcessingTime(2_425);

            assertThat(Harnesses.drain(h)).containsExactly(ReleasedRecord.complete(andheriCall));
            assertThat(2_425 - 1_625).isEqualTo(recheck.toMillis() * CausalBufferFunction.MAX_RECHECK_BACKOFF);
            assertThat(Harnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    /** What the buffer remembers between re-checks is not checkpointed: a restored buffer finds its records anyway. */
    @Test
    void aRecordWaitingAcrossARestore_goesOutWhenItsDependencyArrives_andAfterTheMaxWaitOtherwise() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(andheriCall, 0);
            h.processElement(bkcData, 0);
            h.setProcessingTime(100);
            assertThat(Harnesses.drain(h)).as("nothing of BKC has arrived").isEmpty();
            snapshot = h.snapshot(1, 100);
        }
        for (boolean arrives : new boolean[] {true, false}) {
            try (var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                    new CausalBufferFunction(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofDays(1)),
                    List.of(CausalBufferFunction.FRONTIER, CausalBufferFunction.LOST_NODES)),
                    (UsageRecord r) -> r.subscriber().value(), Types.STRING, 1, 1, 0)) {
                h.setup(SerializerTypeInfo.RELEASED_RECORD.createSerializer(new SerializerConfigImpl()));
                h.initializeState(snapshot);
                h.open();
                h.setProcessingTime(100);
                if (arrives) {
                    h.processBroadcastElement(advance("MUMBAI_BKC", 2), 0);
                    h.setProcessingTime(200);

                    assertThat(Harnesses.drain(h)).extracting(ReleasedRecord::record)
                            .containsExactly(bkcData, andheriCall);
                } else {
                    h.setProcessingTime(29_900);
                    assertThat(Harnesses.drain(h)).isEmpty();
                    h.setProcessingTime(30_000);

                    assertThat(Harnesses.drain(h)).containsExactlyInAnyOrder(
                            new ReleasedRecord(bkcData, "MUMBAI_BKC:1-1"),
                            new ReleasedRecord(andheriCall, "MUMBAI_BKC:1-2"));
                }
            }
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
