package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class SubscriberBillFunctionTest {

    private static final YearMonth CYCLE = YearMonth.of(2026, 11);
    /** Month end in Asia/Kolkata plus the default grace of one day. */
    private static final long CLOSE = BillingCycle.end(CYCLE).plus(Duration.ofDays(1)).toEpochMilli();
    private static final long PURGE = CLOSE + Duration.ofDays(40).toMillis();

    private static KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> harness() throws Exception {
        return Harnesses.keyed(SubscriberBillFunction.withDefaults(), new SubscriberCycleKey(), Types.STRING,
                SerializerTypeInfo.BILL);
    }

    private static Bill last(List<Bill> bills) {
        return bills.get(bills.size() - 1);
    }

    @Test
    void seedRecords_inAnyArrivalOrder_giveTheSeedBill_inCausalOrder_withAVersionOfTheSet() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        List<EventId> causal = seed.stream().map(UsageRecord::id).toList();
        Random random = new Random(7);
        Bill first = null;
        for (int round = 0; round < 20; round++) {
            List<UsageRecord> arrival = new ArrayList<>(seed);
            arrival.addAll(seed.subList(0, 2)); // replays change nothing
            Collections.shuffle(arrival, random);
            try (var h = harness()) {
                for (UsageRecord r : arrival) {
                    h.processElement(ReleasedRecord.complete(r), 0);
                }
                List<Bill> bills = Harnesses.drain(h);
                assertThat(bills).as("one version per new record").hasSize(6);
                assertThat(bills).extracting(Bill::version).containsExactly(4L, 8L, 12L, 16L, 20L, 24L);
                Bill bill = last(bills);
                assertThat(bill.status()).isEqualTo(BillStatus.PROVISIONAL);
                assertThat(bill.total().paisa()).isEqualTo(2190);
                assertThat(bill.calls().paisa()).isEqualTo(840);
                assertThat(bill.data().paisa()).isEqualTo(1350);
                assertThat(bill.lines()).extracting(l -> l.rated().eventId()).containsExactlyElementsOf(causal);
                assertThat(bill.updatedAt()).isEqualTo(seed.stream().map(r -> r.hlc().wallTime())
                        .max(Instant::compareTo).orElseThrow());
                if (first == null) {
                    first = bill;
                }
                assertThat(bill).isEqualTo(first);
            }
        }
    }

    @Test
    void everyVersionGoesToTheUpdates_withThePositionsOfTheLinesItAddedOrChanged() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = harness()) {
            // Causal order but the third record last: it goes to position 3 and moves the lines after it.
            for (int i : new int[] {0, 1, 3, 4, 5, 2}) {
                h.processElement(ReleasedRecord.complete(seed.get(i)), 0);
            }
            h.processElement(ReleasedRecord.complete(seed.get(0)), 0); // a replay: no version, no update

            List<Bill> bills = Harnesses.drain(h);
            List<BillUpdate> updates = Harnesses.drain(h, SubscriberBillFunction.UPDATES);

            assertThat(updates).extracting(BillUpdate::bill).containsExactlyElementsOf(bills);
            assertThat(updates).extracting(u -> java.util.Arrays.stream(u.changedPositions()).boxed().toList())
                    .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4), List.of(5),
                            List.of(3, 4, 5, 6));
            Bill before = bills.get(4);
            Bill after = bills.get(5);
            assertThat(after.lines().subList(0, 2)).isEqualTo(before.lines().subList(0, 2));
        }
    }

    @Test
    void theBillIsFinal_whenTheWatermarkPassesCycleEndPlusGrace_andALateRecordRevisesIt_untilItIsPurged()
            throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = harness()) {
            for (UsageRecord r : seed.subList(0, 5)) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            assertThat(h.numEventTimeTimers()).as("the close").isEqualTo(1);
            h.processWatermark(CLOSE - 1);
            assertThat(last(Harnesses.drain(h)).status()).isEqualTo(BillStatus.PROVISIONAL);

            h.processWatermark(CLOSE);

            Bill closed = last(Harnesses.drain(h));
            assertThat(closed.status()).isEqualTo(BillStatus.FINAL);
            assertThat(closed.version()).isEqualTo(21);

            h.processElement(ReleasedRecord.complete(seed.get(5)), CLOSE + 10);

            Bill revised = last(Harnesses.drain(h));
            assertThat(revised.status()).isEqualTo(BillStatus.FINAL);
            assertThat(revised.version()).isEqualTo(25);
            assertThat(revised.total().paisa()).isEqualTo(2190);
            assertThat(h.numEventTimeTimers()).as("the purge").isEqualTo(1);

            h.processWatermark(PURGE);

            assertThat(h.numEventTimeTimers()).as("the marker's end").isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).as("only the purged marker").isEqualTo(1);
            h.processElement(ReleasedRecord.complete(lateOne()), PURGE + 1);
            assertThat(Harnesses.drain(h)).isEmpty();
            assertThat(Harnesses.drain(h, SubscriberBillFunction.TOO_LATE)).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("too late"));

            h.processWatermark(PURGE + SubscriberBillFunction.MARKER_LIFETIME.toMillis());

            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).as("nothing is left of the bill").isZero();
        }
    }

    /**
     * The close timer is registered by a bill's first record only (on RocksDB every registration is a write), so it
     * must still close a bill whose running bill was rebuilt after a restore, with or without the cache, on either
     * backend.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}, cache {1}")
    @org.junit.jupiter.params.provider.CsvSource({"hashmap, 100000", "hashmap, 0", "rocksdb, 100000", "rocksdb, 0"})
    void aBillBegunBeforeARestore_stillClosesAtCycleEnd(String backend, int cacheRecords) throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        OperatorSubtaskState snapshot;
        try (var h = unopened(backend, cacheRecords)) {
            h.open();
            for (UsageRecord r : seed.subList(0, 2)) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            assertThat(h.numEventTimeTimers()).as("the close").isEqualTo(1);
            snapshot = h.snapshot(1, 0);
        }
        try (var h = unopened(backend, cacheRecords)) {
            h.initializeState(snapshot);
            h.open();
            for (UsageRecord r : seed.subList(2, 5)) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            assertThat(h.numEventTimeTimers()).as("still the one close").isEqualTo(1);
            assertThat(last(Harnesses.drain(h)).status()).isEqualTo(BillStatus.PROVISIONAL);

            h.processWatermark(CLOSE);

            Bill closed = last(Harnesses.drain(h));
            assertThat(closed.status()).isEqualTo(BillStatus.FINAL);
            assertThat(closed.version()).isEqualTo(21);
            assertThat(h.numEventTimeTimers()).as("the purge").isEqualTo(1);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> unopened(String backend,
            int cacheRecords) throws Exception {
        return Harnesses.keyedUnopened(backend.equals("rocksdb")
                        ? new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend()
                        : new org.apache.flink.runtime.state.hashmap.HashMapStateBackend(),
                SubscriberBillFunction.withDefaults(Duration.ZERO, cacheRecords), new SubscriberCycleKey(),
                Types.STRING, SerializerTypeInfo.BILL);
    }

    @Test
    void aPurgedMarkerWrittenWithTheEarlierTtlSettings_restores_andStillTurnsALateRecordAway() throws Exception {
        // Until 2026-12-06 bill-phase had a TTL with the default background cleanup and there was no
        // bill-emitted-lines state; a savepoint of that job must restore into this one.
        class EarlierPhaseWriter extends KeyedProcessFunction<String, ReleasedRecord, Bill> {
            @Override
            public void processElement(ReleasedRecord r, Context ctx, Collector<Bill> out) throws Exception {
                ValueStateDescriptor<Integer> d = new ValueStateDescriptor<>("bill-phase", Types.INT);
                d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(400)).build());
                getRuntimeContext().getState(d).update(SubscriberBillFunction.PURGED);
            }
        }
        ReleasedRecord late = ReleasedRecord.complete(lateOne());
        OperatorSubtaskState snapshot;
        try (var h = Harnesses.keyed(new EarlierPhaseWriter(), new SubscriberCycleKey(), Types.STRING,
                SerializerTypeInfo.BILL)) {
            h.processElement(late, PURGE + 1);
            snapshot = h.snapshot(1, 0);
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                SubscriberBillFunction.withDefaults()), new SubscriberCycleKey(), Types.STRING, 1, 1, 0)) {
            h.setup(SerializerTypeInfo.BILL.createSerializer(new SerializerConfigImpl()));
            h.initializeState(snapshot);
            h.open();

            h.processElement(late, PURGE + 2);

            assertThat(Harnesses.drain(h)).isEmpty();
            assertThat(Harnesses.drain(h, SubscriberBillFunction.TOO_LATE)).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("too late"));
        }
    }

    private static UsageRecord lateOne() {
        return new World().stamp("MUMBAI_DADAR", SeedScenario.SUBSCRIBER, SeedRecords.JOURNEY_START.plusSeconds(5),
                new Usage.Sms(Msisdn.of("+919876543219")));
    }

    @Test
    void aRecordReleasedIncomplete_isFlagged_andTheFlagClears_withAHigherVersion_whenItComesComplete()
            throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = harness()) {
            h.processElement(ReleasedRecord.complete(seed.get(0)), 0);
            h.processElement(new ReleasedRecord(seed.get(2), "MUMBAI_BKC:2-2"), 0);
            Bill flagged = last(Harnesses.drain(h));
            assertThat(flagged.version()).isEqualTo(6);
            assertThat(flagged.lines()).extracting(BillLine::missingDependencies)
                    .containsExactly(null, "MUMBAI_BKC:2-2");

            h.processElement(new ReleasedRecord(seed.get(2), "MUMBAI_BKC:2-2"), 0);
            assertThat(Harnesses.drain(h)).as("a replay changes nothing").isEmpty();
            h.processElement(ReleasedRecord.complete(seed.get(2)), 0);

            Bill complete = last(Harnesses.drain(h));
            assertThat(complete.version()).isEqualTo(8);
            assertThat(complete.lines()).noneMatch(BillLine::releasedIncomplete);
            h.processElement(new ReleasedRecord(seed.get(2), "MUMBAI_BKC:2-2"), 0);
            assertThat(Harnesses.drain(h)).as("complete wins").isEmpty();
        }
    }

    @Test
    void concurrentUsageAtTowersFarApart_atOverlappingTimes_raisesACloneAlert_andFlagsBothLines()
            throws Exception {
        World w = new World();
        Msisdn user = SeedScenario.SUBSCRIBER;
        Instant t = SeedRecords.JOURNEY_START;
        UsageRecord andheri = w.stamp("MUMBAI_ANDHERI", user, t, new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 300));
        UsageRecord dadar = w.stamp("MUMBAI_DADAR", user, t.plusSeconds(60), new Usage.Data(RadioType.G4, 1, 2));
        UsageRecord bandra = w.stamp("MUMBAI_BANDRA", user, t.plusSeconds(90), new Usage.Data(RadioType.G4, 1, 2));
        try (var h = harness()) {
            h.processElement(ReleasedRecord.complete(andheri), 0);
            h.processElement(ReleasedRecord.complete(dadar), 0);
            h.processElement(ReleasedRecord.complete(bandra), 0);

            List<CloneAlert> alerts = Harnesses.drain(h, SubscriberBillFunction.ALERTS);
            assertThat(alerts).as("Andheri-Dadar is 11 km; Bandra is within 10 km of both").singleElement()
                    .satisfies(a -> {
                        assertThat(a.firstEvent()).isEqualTo(andheri.id().toString());
                        assertThat(a.secondEvent()).isEqualTo(dadar.id().toString());
                        assertThat(a.distanceKm()).isBetween(10.0, 13.0);
                    });
            Bill bill = last(Harnesses.drain(h));
            assertThat(bill.lines()).filteredOn(BillLine::cloneSuspect).extracting(l -> l.rated().eventId())
                    .containsExactlyInAnyOrder(andheri.id(), dadar.id());
        }
    }

    private static final Duration EMIT_INTERVAL = Duration.ofMillis(200);

    /** An open harness of the bill function with a 200 ms emit interval. */
    private static KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> withEmitInterval()
            throws Exception {
        return Harnesses.keyed(SubscriberBillFunction.withDefaults(EMIT_INTERVAL), new SubscriberCycleKey(),
                Types.STRING, SerializerTypeInfo.BILL);
    }

    @Test
    void withAnEmitInterval_theFirstRecordGoesOutAtOnce_theRestOfTheBurstAsOneVersionAtTheIntervalsEnd()
            throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = withEmitInterval()) {
            h.setProcessingTime(0);
            for (UsageRecord r : seed) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            assertThat(Harnesses.drain(h)).as("the first record waits for no timer").singleElement()
                    .satisfies(b -> assertThat(b.lines()).extracting(l -> l.rated().eventId())
                            .containsExactly(seed.get(0).id()));

            h.setProcessingTime(199);
            assertThat(Harnesses.drain(h)).as("the others are held for the interval").isEmpty();
            h.setProcessingTime(200);
            assertThat(Harnesses.drain(h)).singleElement().satisfies(b -> {
                assertThat(b.version()).isEqualTo(24);
                assertThat(b.total().paisa()).isEqualTo(2190);
            });

            h.setProcessingTime(400);
            assertThat(Harnesses.drain(h)).as("nothing came in the interval the last version opened").isEmpty();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void withAnEmitInterval_aRecordAfterAQuietInterval_goesOutAtOnce_andOneWithinIt_atItsEnd() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = withEmitInterval()) {
            h.setProcessingTime(1_000);
            h.processElement(ReleasedRecord.complete(seed.get(0)), 0);
            assertThat(Harnesses.drain(h)).hasSize(1);
            h.setProcessingTime(1_200);
            assertThat(h.numProcessingTimeTimers()).isZero();

            h.setProcessingTime(5_000);
            h.processElement(ReleasedRecord.complete(seed.get(1)), 0);
            assertThat(Harnesses.drain(h)).as("after a quiet interval").singleElement()
                    .satisfies(b -> assertThat(b.lines()).extracting(l -> l.rated().eventId())
                            .containsExactlyInAnyOrder(seed.get(0).id(), seed.get(1).id()));
            h.setProcessingTime(5_150);
            h.processElement(ReleasedRecord.complete(seed.get(2)), 0);
            h.processElement(ReleasedRecord.complete(seed.get(2)), 0); // a duplicate changes nothing
            assertThat(Harnesses.drain(h)).as("within the interval").isEmpty();
            h.setProcessingTime(5_200);
            assertThat(Harnesses.drain(h)).singleElement().satisfies(b -> assertThat(b.lines())
                    .extracting(l -> l.rated().eventId())
                    .containsExactlyInAnyOrder(seed.get(0).id(), seed.get(1).id(), seed.get(2).id()));
            h.setProcessingTime(5_400);
            assertThat(Harnesses.drain(h)).isEmpty();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aVersionPendingInACheckpointFromBeforeTheLeadingEmit_goesOutAtItsTimerAfterTheRestore() throws Exception {
        // Until 2026-12-07 every change waited for the interval's end: bill-pending-emit held that timer's (positive)
        // time, and the version went out when it fired. Such a checkpoint must still emit it.
        class EarlierPendingEmit extends KeyedProcessFunction<String, ReleasedRecord, Bill> {
            @Override
            public void processElement(ReleasedRecord r, Context ctx, Collector<Bill> out) throws Exception {
                getRuntimeContext().getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
                        "bill-records", Types.STRING, SerializerTypeInfo.RELEASED_RECORD))
                        .put(r.record().id().toString(), r);
                var pending = getRuntimeContext().getState(new ValueStateDescriptor<>("bill-pending-emit",
                        Types.LONG));
                if (pending.value() == null) {
                    long at = ctx.timerService().currentProcessingTime() + 200;
                    ctx.timerService().registerProcessingTimeTimer(at);
                    pending.update(at);
                }
            }
        }
        List<UsageRecord> seed = SeedRecords.records();
        OperatorSubtaskState snapshot;
        try (var h = Harnesses.keyed(new EarlierPendingEmit(), new SubscriberCycleKey(), Types.STRING,
                SerializerTypeInfo.BILL)) {
            h.setProcessingTime(0);
            for (UsageRecord r : seed) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            snapshot = h.snapshot(1, 0);
        }
        try (var h = Harnesses.keyedUnopened(new org.apache.flink.runtime.state.hashmap.HashMapStateBackend(),
                SubscriberBillFunction.withDefaults(EMIT_INTERVAL), new SubscriberCycleKey(), Types.STRING,
                SerializerTypeInfo.BILL)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            h.setProcessingTime(200);

            assertThat(Harnesses.drain(h)).singleElement().satisfies(b -> {
                assertThat(b.version()).isEqualTo(24);
                assertThat(b.total().paisa()).isEqualTo(2190);
            });
        }
    }

    @Test
    void withAnEmitInterval_aChangeHeldAtTheCyclesClose_isInTheFinalVersion_andNoIntervalIsLeft() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (var h = withEmitInterval()) {
            h.setProcessingTime(0);
            for (UsageRecord r : seed) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            assertThat(Harnesses.drain(h)).hasSize(1);

            h.processWatermark(CLOSE);

            assertThat(Harnesses.drain(h)).singleElement().satisfies(b -> {
                assertThat(b.status()).isEqualTo(BillStatus.FINAL);
                assertThat(b.total().paisa()).isEqualTo(2190);
            });
            assertThat(h.numProcessingTimeTimers()).isZero();
            h.setProcessingTime(200);
            assertThat(Harnesses.drain(h)).isEmpty();
        }
    }
}
