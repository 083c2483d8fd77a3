package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole job on a Flink MiniCluster (parallelism 2) over real Kafka (KRaft) and PostgreSQL: the seed bill, an
 * epoch announced by the job's authority, read back from the topic and used by a tower to encode a record that the
 * job then decodes with it, a cloned-SIM alert, bill updates, and a malformed record dead-lettered with its reason.
 */
class BillingJobIT {

    private static final RecordCodec CODEC = RecordCodec.standard();
    private static final Msisdn CLONED = Msisdn.of("+919812345678");

    private static EmbeddedKafka kafka;
    private static EmbeddedDatabase db;
    private static BillStore store;
    private static JobClient job;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(List.of(new TopicSpec(KafkaTopics.RECORDS, 3, Map.of()),
                new TopicSpec(KafkaTopics.DEAD_LETTERS, 1, Map.of()), TopicSpec.compacted(KafkaTopics.BILL_UPDATES, 3),
                TopicSpec.compacted(KafkaTopics.EPOCHS, 1), new TopicSpec(KafkaTopics.ALERTS, 1, Map.of())));
        db = EmbeddedDatabase.start();
        store = new BillStore(db.dataSource());
        store.migrate();
        JobSettings settings = JobSettings.builder()
                .towers(TowerDirectory.of(Map.of("MUMBAI_DADAR", new double[] {19.0178, 72.8478},
                        "PUNE_HINJEWADI", new double[] {18.5912, 73.7389})))
                .checkpointInterval(Duration.ofSeconds(1))
                .epochInterval(Duration.ofSeconds(1))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2,
                StreamJobBenchmark.checkpointsOnDisk("dabba-it-"));
        BillingJob.kafka(kafka.bootstrapServers(), "it", new BillSink(db.jdbcUrl(), db.user(), null,
                BillStore.DEFAULT_SCHEMA), Epoch.GENESIS, settings).build(env);
        job = env.executeAsync("billing-it");
    }

    @AfterAll
    static void stop() throws Exception {
        if (job != null) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        if (db != null) {
            db.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anEmptyEpochsTopic_getsANewLineagesOpeningEpoch_once() {
        String topic = "it.epochs.lost";
        kafka.createTopics(List.of(TopicSpec.compacted(topic, 1)));
        long lineage = 1_780_000_000_000L;
        Duration wait = Duration.ofSeconds(30);

        Epoch opened = EpochBootstrap.latestOrOpen(kafka.bootstrapServers(), Map.of(), topic, wait, lineage);

        assertThat(opened).isEqualTo(Epoch.of(lineage, lineage, NodeTable.EMPTY, new long[0]));
        assertThat(EpochBootstrap.latest(kafka.bootstrapServers(), topic, wait)).as("written to the topic")
                .isEqualTo(opened);
        assertThat(EpochBootstrap.latestOrOpen(kafka.bootstrapServers(), Map.of(), topic, wait, lineage + 60_000))
                .as("a second submission continues the lineage").isEqualTo(opened);
        assertThat(KafkaIo.readAll(kafka.bootstrapServers(), topic)).hasSize(1);
        assertThat(EpochBootstrap.latestOrOpen(kafka.bootstrapServers(), Map.of(), "no.such.topic",
                Duration.ofSeconds(5), lineage)).as("no topic: nothing written, the authority opens it later")
                .isEqualTo(Epoch.GENESIS);
    }

    @Test
    void seedBill_epochRoundTrip_cloneAlert_billUpdates_andDeadLetters() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        KafkaIo.produce(kafka.bootstrapServers(), KafkaTopics.RECORDS, seed);
        World w = new World();
        Instant t = SeedRecords.JOURNEY_START;
        UsageRecord pune = w.stamp("PUNE_HINJEWADI", CLONED, t, new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 300));
        UsageRecord dadar = w.stamp("MUMBAI_DADAR", CLONED, t.plusSeconds(60), new Usage.Data(RadioType.G4, 10, 20));
        KafkaIo.produce(kafka.bootstrapServers(), KafkaTopics.RECORDS, List.of(pune, dadar));
        KafkaIo.send(kafka.bootstrapServers(), List.of(new ProducerRecord<>(KafkaTopics.RECORDS,
                "+919800000000".getBytes(StandardCharsets.UTF_8), new byte[] {0x44, 0x52, 0x02, 0x00, 0x7f})));

        Bill bill = awaitBill(SeedScenario.SUBSCRIBER, 6);
        assertThat(bill.total().paisa()).isEqualTo(2190);
        assertThat(bill.lines()).extracting(l -> l.rated().eventId())
                .containsExactlyElementsOf(seed.stream().map(UsageRecord::id).toList());
        assertThat(bill.lines()).noneMatch(BillLine::releasedIncomplete);

        // The authority announces an epoch covering the seed towers' records; a tower adopts it and stamps again.
        Epoch epoch = await().atMost(Duration.ofMinutes(2)).until(() -> latestEpoch(), e -> e.isPresent()
                && e.get().base("MUMBAI_BKC") == 2 && e.get().base("MUMBAI_BANDRA") == 2).orElseThrow();
        assertThat(epoch.members().nodes()).extracting(NodeId::value)
                .contains("MUMBAI_ANDHERI", "MUMBAI_BANDRA", "MUMBAI_BKC");
        VectorClock clock = seed.get(1).clock().merge(epoch.baseClock()).increment(NodeId.of("MUMBAI_BKC"));
        UsageRecord inEpoch = new UsageRecord(new EventId(NodeId.of("MUMBAI_BKC"), 3), SeedScenario.SUBSCRIBER,
                t.plusSeconds(7200), new HybridTimestamp(t.plusSeconds(7200).toEpochMilli(), 0), clock,
                new Usage.Sms(Msisdn.of("+919876543219")));
        assertThat(inEpoch.clock().epoch().number()).isEqualTo(epoch.number());
        assertThat(EpochBootstrap.latest(kafka.bootstrapServers(), KafkaTopics.EPOCHS, Duration.ofSeconds(30)).number())
                .as("a job started without state would continue from here").isGreaterThanOrEqualTo(epoch.number());
        assertThat(EpochBootstrap.latest(kafka.bootstrapServers(), "no.such.topic", Duration.ofSeconds(5)))
                .isEqualTo(Epoch.GENESIS);
        KafkaIo.produce(kafka.bootstrapServers(), KafkaTopics.RECORDS, List.of(inEpoch));

        Bill seven = awaitBill(SeedScenario.SUBSCRIBER, 7);
        assertThat(seven.lines().get(6).rated().eventId()).isEqualTo(inEpoch.id());
        assertThat(seven.version()).isEqualTo(28);

        Bill cloned = awaitBill(CLONED, 2);
        assertThat(cloned.lines()).allMatch(BillLine::cloneSuspect).allMatch(BillLine::concurrent);
        List<String> alerts = await().atMost(Duration.ofMinutes(1)).until(
                () -> KafkaIo.readAll(kafka.bootstrapServers(), KafkaTopics.ALERTS).stream()
                        .map(r -> KafkaIo.text(r.value())).toList(), a -> !a.isEmpty());
        assertThat(alerts.get(0)).contains("\"subscriber\":\"" + CLONED.value() + "\"")
                .contains(pune.id().toString()).contains(dadar.id().toString()).contains("cloned-sim-suspect");

        List<ConsumerRecord<byte[], byte[]>> updates = await().atMost(Duration.ofMinutes(1)).until(
                () -> KafkaIo.readAll(kafka.bootstrapServers(), KafkaTopics.BILL_UPDATES),
                u -> u.stream().anyMatch(r -> KafkaIo.text(r.value()).contains("\"version\":28")));
        assertThat(updates).allSatisfy(r -> assertThat(KafkaIo.text(r.key())).startsWith("+91"));
        com.fasterxml.jackson.databind.JsonNode v28 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                updates.stream().map(r -> KafkaIo.text(r.value())).filter(json -> json.contains("\"version\":28"))
                        .findFirst().orElseThrow());
        assertThat(v28.get("lineCount").asInt()).isEqualTo(7);
        assertThat(v28.get("totalPaisa").asLong()).isEqualTo(seven.total().paisa());
        assertThat(v28.get("changedLines")).as("the version added the in-epoch record's line")
                .anySatisfy(line -> assertThat(line.get("eventId").asText()).isEqualTo(inEpoch.id().toString()))
                .hasSizeLessThan(7);

        List<ConsumerRecord<byte[], byte[]>> dead = await().atMost(Duration.ofMinutes(1)).until(
                () -> KafkaIo.readAll(kafka.bootstrapServers(), KafkaTopics.DEAD_LETTERS), d -> !d.isEmpty());
        assertThat(KafkaIo.text(dead.get(0).headers().lastHeader(KafkaTopics.HEADER_DLQ_REASON).value()))
                .startsWith("malformed record");
    }

    private static Optional<Epoch> latestEpoch() {
        return KafkaIo.readAll(kafka.bootstrapServers(), KafkaTopics.EPOCHS).stream()
                .map(r -> CODEC.decodeEpoch(r.value())).max(Comparator.comparingLong(Epoch::number));
    }

    /** The bill once it has {@code lines} lines, all complete (a very slow machine may bill one incomplete first). */
    private static Bill awaitBill(Msisdn who, int lines) {
        return await().atMost(Duration.ofMinutes(2)).until(() -> store.find(who, BillingCycle.of(
                SeedRecords.JOURNEY_START)), b -> b.isPresent() && b.get().lines().size() == lines
                        && b.get().lines().stream().noneMatch(BillLine::releasedIncomplete)).orElseThrow();
    }
}
