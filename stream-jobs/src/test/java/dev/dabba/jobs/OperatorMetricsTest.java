package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The job's own metrics, read from the metric group each operator registers them on (as Flink's reporters do), while
 * the functions run in operator test harnesses.
 */
class OperatorMetricsTest {

    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");
    private static final YearMonth CYCLE = YearMonth.of(2026, 11);
    private static final long CLOSE = BillingCycle.end(CYCLE).plus(Duration.ofDays(1)).toEpochMilli();

    /** The metrics one operator registered, by name. */
    private static final class Metrics {
        final InterceptingOperatorMetricGroup group = new InterceptingOperatorMetricGroup();

        Metric get(String name) {
            Metric m = group.get(name);
            assertThat(m).as("metric %s is registered", name).isNotNull();
            return m;
        }

        long count(String name) {
            return ((Counter) get(name)).getCount();
        }

        Object gauge(String name) {
            return ((Gauge<?>) get(name)).getValue();
        }
    }

    @Test
    void theCausalBuffer_gaugesWaitingRecords_andCountsFlaggedAndResolvedReleases() throws Exception {
        World w = new World();
        w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));
        w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(200), new Usage.Data(RadioType.G4, 1, 2));
        w.handover("MUMBAI_BKC", "MUMBAI_ANDHERI");
        UsageRecord andheriCall = w.stamp("MUMBAI_ANDHERI", USER, T0.plusSeconds(400),
                new Usage.Call(Msisdn.of("+919876543212"), CallType.VIDEO, 300));
        UsageRecord andheriData = w.stamp("MUMBAI_ANDHERI", USER, T0.plusSeconds(500),
                new Usage.Data(RadioType.G4, 1, 2));
        Metrics probe = new Metrics();
        var fn = new CausalBufferFunction(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofDays(1));
        try (var h = new KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance, ReleasedRecord>(
                new CoBroadcastWithKeyedOperator<>(fn, List.of(CausalBufferFunction.FRONTIER,
                        CausalBufferFunction.LOST_NODES)) {
                    @Override
                    public OperatorMetricGroup getMetricGroup() {
                        return probe.group;
                    }
                }, r -> r.subscriber().value(), Types.STRING, 1, 1, 0)) {
            h.setup(SerializerTypeInfo.RELEASED_RECORD.createSerializer(new SerializerConfigImpl()));
            h.open();
            h.setProcessingTime(0);
            h.processBroadcastElement(new FrontierAdvance("MUMBAI_BKC", 1, SequenceRanges.EMPTY), 0);

            h.processElement(andheriCall, 0);
            h.processElement(andheriData, 0);

            assertThat(probe.gauge(JobMetrics.CAUSAL_BUFFER_RECORDS)).as("both wait for BKC#2").isEqualTo(2);
            assertThat(probe.count(JobMetrics.RELEASED_INCOMPLETE)).isZero();

            h.setProcessingTime(30_000);

            assertThat(Harnesses.drain(h)).hasSize(2).noneMatch(ReleasedRecord::isComplete);
            assertThat(probe.gauge(JobMetrics.CAUSAL_BUFFER_RECORDS)).isEqualTo(0);
            assertThat(probe.count(JobMetrics.RELEASED_INCOMPLETE)).isEqualTo(2);
            assertThat(probe.count(JobMetrics.RELEASED_RESOLVED)).isZero();

            h.processBroadcastElement(new FrontierAdvance("MUMBAI_BKC", 2, SequenceRanges.EMPTY), 0);
            h.processBroadcastElement(new FrontierAdvance("MUMBAI_ANDHERI", 2, SequenceRanges.EMPTY), 0);
            h.setProcessingTime(30_100);

            assertThat(Harnesses.drain(h)).hasSize(2).allMatch(ReleasedRecord::isComplete);
            assertThat(probe.count(JobMetrics.RELEASED_RESOLVED)).isEqualTo(2);
            assertThat(probe.count(JobMetrics.RELEASED_INCOMPLETE)).as("unchanged").isEqualTo(2);
        }
    }

    @Test
    void aRecordDependingOnALostSequence_countsAsReleasedIncomplete_withoutWaiting() throws Exception {
        World w = new World();
        w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));
        w.handover("MUMBAI_BKC", "MUMBAI_ANDHERI");
        UsageRecord andheriCall = w.stamp("MUMBAI_ANDHERI", USER, T0.plusSeconds(400),
                new Usage.Call(Msisdn.of("+919876543212"), CallType.VIDEO, 300));
        Metrics probe = new Metrics();
        var fn = new CausalBufferFunction(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofDays(1));
        try (var h = new KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance, ReleasedRecord>(
                new CoBroadcastWithKeyedOperator<>(fn, List.of(CausalBufferFunction.FRONTIER,
                        CausalBufferFunction.LOST_NODES)) {
                    @Override
                    public OperatorMetricGroup getMetricGroup() {
                        return probe.group;
                    }
                }, r -> r.subscriber().value(), Types.STRING, 1, 1, 0)) {
            h.setup(SerializerTypeInfo.RELEASED_RECORD.createSerializer(new SerializerConfigImpl()));
            h.open();
            h.processBroadcastElement(new FrontierAdvance("MUMBAI_BKC", 1, SequenceRanges.EMPTY.with(1)), 0);

            h.processElement(andheriCall, 0);

            assertThat(Harnesses.drain(h)).singleElement().satisfies(r -> assertThat(r.isComplete()).isFalse());
            assertThat(probe.count(JobMetrics.RELEASED_INCOMPLETE)).isEqualTo(1);
            assertThat(probe.gauge(JobMetrics.CAUSAL_BUFFER_RECORDS)).as("never waited").isEqualTo(0);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> billHarness(Metrics probe)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill>(
                new KeyedProcessOperator<>(SubscriberBillFunction.withDefaults()) {
                    @Override
                    public OperatorMetricGroup getMetricGroup() {
                        return probe.group;
                    }
                }, new SubscriberCycleKey(), Types.STRING, 1, 1, 0);
        h.setup(SerializerTypeInfo.BILL.createSerializer(new SerializerConfigImpl()));
        h.open();
        return h;
    }

    @Test
    void theBillStage_countsUpdates_theFinalVersion_andRevisions_andMeasuresLagFromTheRecordsHlc()
            throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        Metrics probe = new Metrics();
        try (var h = billHarness(probe)) {
            long stampedAt = seed.get(4).hlc().wallMillis();
            h.setProcessingTime(stampedAt + 1_500);
            for (UsageRecord r : seed.subList(0, 5)) {
                h.processElement(ReleasedRecord.complete(r), 0);
            }
            h.processElement(ReleasedRecord.complete(seed.get(0)), 0); // a replay: no version, no lag sample

            assertThat(probe.count(JobMetrics.BILL_UPDATES)).isEqualTo(5);
            assertThat(probe.count(JobMetrics.BILL_REBUILDS)).as("in causal order, only the first is built from state")
                    .isEqualTo(1);
            assertThat(probe.gauge(JobMetrics.BILL_CACHE_RECORDS)).isEqualTo(5L);
            assertThat(probe.gauge(JobMetrics.END_TO_END_LAG_MS)).isEqualTo(1_500L);
            Histogram lag = (Histogram) probe.get(JobMetrics.END_TO_END_LAG_HISTOGRAM);
            assertThat(lag.getCount()).isEqualTo(5);
            assertThat(lag.getStatistics().getMin()).isEqualTo(stampedAt + 1_500
                    - seed.stream().limit(5).mapToLong(r -> r.hlc().wallMillis()).max().orElseThrow());
            assertThat(probe.count(JobMetrics.BILLS_FINALIZED)).isZero();

            h.processWatermark(CLOSE);

            assertThat(Harnesses.drain(h)).last().satisfies(b -> assertThat(b.status()).isEqualTo(BillStatus.FINAL));
            assertThat(probe.count(JobMetrics.BILLS_FINALIZED)).isEqualTo(1);
            assertThat(probe.count(JobMetrics.BILL_REVISIONS)).as("closing is not a revision").isZero();
            assertThat(probe.count(JobMetrics.BILL_UPDATES)).isEqualTo(6);

            h.processElement(ReleasedRecord.complete(seed.get(5)), CLOSE + 10);

            assertThat(Harnesses.drain(h)).singleElement().satisfies(b -> assertThat(b.version()).isEqualTo(25));
            assertThat(probe.count(JobMetrics.BILL_REVISIONS)).isEqualTo(1);
            assertThat(probe.count(JobMetrics.BILL_UPDATES)).isEqualTo(7);
            assertThat(probe.count(JobMetrics.BILLS_FINALIZED)).isEqualTo(1);
            assertThat(probe.gauge(JobMetrics.BILL_CACHE_RECORDS)).isEqualTo(6L);

            h.processWatermark(CLOSE + Duration.ofDays(41).toMillis()); // past the revision retention: purged

            assertThat(probe.gauge(JobMetrics.BILL_CACHE_RECORDS)).as("a purged bill leaves memory").isEqualTo(0L);
        }
    }

    @Test
    void theBillStage_countsTooLateRecords_andCloneAlerts() throws Exception {
        World w = new World();
        Msisdn user = SeedScenario.SUBSCRIBER;
        Instant t = SeedRecords.JOURNEY_START;
        UsageRecord andheri = w.stamp("MUMBAI_ANDHERI", user, t, new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 300));
        UsageRecord dadar = w.stamp("MUMBAI_DADAR", user, t.plusSeconds(60), new Usage.Data(RadioType.G4, 1, 2));
        UsageRecord late = w.stamp("MUMBAI_BKC", user, t.plusSeconds(5), new Usage.Sms(Msisdn.of("+919876543219")));
        Metrics probe = new Metrics();
        try (var h = billHarness(probe)) {
            h.processElement(ReleasedRecord.complete(andheri), 0);
            h.processElement(ReleasedRecord.complete(dadar), 0);
            assertThat(probe.count(JobMetrics.CLONE_ALERTS)).isEqualTo(1);

            h.processWatermark(CLOSE + Duration.ofDays(40).toMillis());
            h.processElement(ReleasedRecord.complete(late), 0);

            assertThat(Harnesses.drain(h, SubscriberBillFunction.TOO_LATE)).hasSize(1);
            assertThat(probe.count(JobMetrics.TOO_LATE_RECORDS)).isEqualTo(1);
        }
    }

    @Test
    void decode_countsDeadLetters_andGaugesRecordsHeldForTheirEpoch() throws Exception {
        RecordCodec codec = RecordCodec.standard();
        World w = new World();
        w.stamp("MUMBAI_BKC", USER, T0, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 60));
        Epoch one = Epoch.of(1, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"))), new long[] {1});
        w.adopt("MUMBAI_BKC", one);
        UsageRecord inEpochOne = w.stamp("MUMBAI_BKC", USER, T0.plusSeconds(60), new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 60));
        Metrics probe = new Metrics();
        var fn = new DecodeFunction(4, Duration.ofMinutes(5), 10);
        try (var h = new BroadcastOperatorTestHarness<KafkaInput, byte[], UsageRecord>(
                new CoBroadcastWithNonKeyedOperator<>(fn, List.of(DecodeFunction.EPOCHS)) {
                    @Override
                    public OperatorMetricGroup getMetricGroup() {
                        return probe.group;
                    }
                }, 1, 1, 0)) {
            h.setup(UsageRecordSerializer.INSTANCE);
            h.open();

            h.processElement(new KafkaInput("dabba.records", 0, 1, codec.encodeRecord(inEpochOne)), 0);
            h.processElement(new KafkaInput("dabba.records", 0, 2, new byte[] {0x44, 0x52, 0x07}), 0);
            h.processElement(new KafkaInput("dabba.records", 0, 3, null), 0);

            assertThat(probe.gauge(JobMetrics.DECODE_HELD)).isEqualTo(1);
            assertThat(probe.count(JobMetrics.DECODE_DEAD_LETTERS)).isEqualTo(2);

            h.processBroadcastElement(codec.encodeEpoch(one), 0);

            assertThat(Harnesses.drain(h)).containsExactly(inEpochOne);
            assertThat(probe.gauge(JobMetrics.DECODE_HELD)).isEqualTo(0);
            assertThat(probe.count(JobMetrics.DECODE_DEAD_LETTERS)).isEqualTo(2);
        }
    }

    @Test
    void everyNamedMetric_isRegisteredByTheJobsFunctions() throws Exception {
        Metrics probe = new Metrics();
        try (var a = billHarness(probe)) {
            var fn = new DecodeFunction(4, Duration.ofMinutes(5), 10);
            try (var b = new BroadcastOperatorTestHarness<KafkaInput, byte[], UsageRecord>(
                    new CoBroadcastWithNonKeyedOperator<>(fn, List.of(DecodeFunction.EPOCHS)) {
                        @Override
                        public OperatorMetricGroup getMetricGroup() {
                            return probe.group;
                        }
                    }, 1, 1, 0)) {
                b.setup(UsageRecordSerializer.INSTANCE);
                b.open();
                var buffer = new CausalBufferFunction(Duration.ofSeconds(30), Duration.ofMillis(100),
                        Duration.ofDays(1));
                try (var c = new KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance,
                        ReleasedRecord>(new CoBroadcastWithKeyedOperator<>(buffer, List.of(
                                CausalBufferFunction.FRONTIER, CausalBufferFunction.LOST_NODES)) {
                            @Override
                            public OperatorMetricGroup getMetricGroup() {
                                return probe.group;
                            }
                        }, r -> r.subscriber().value(), Types.STRING, 1, 1, 0)) {
                    c.setup(SerializerTypeInfo.RELEASED_RECORD.createSerializer(new SerializerConfigImpl()));
                    c.open();
                    for (String name : JobMetrics.ALL) {
                        probe.get(name);
                    }
                }
            }
        }
    }
}
