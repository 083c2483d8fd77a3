package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Epoch;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint halfway through, restart from it, and the bills equal those of an uninterrupted run of the
 * same records, and the oracle computed from the record set; the epochs the restarted job announces continue the
 * numbering, each number with one content. On both state backends a deployment may choose: the heap (hashmap,
 * canonical savepoint) and RocksDB with incremental checkpoints (native savepoint, RocksDB's own files), the session
 * cluster's default. RocksDB serializes state on every access, so a function that changed a state object without
 * writing it back would lose the change there and not on the heap.
 */
class BillingJobRestoreIT {

    private static EmbeddedKafka kafka;
    private static EmbeddedDatabase db;

    @TempDir
    Path savepoints;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        db = EmbeddedDatabase.start();
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void stopWithSavepoint_andRestart_givesTheBillsOfAnUninterruptedRun(String backend) throws Exception {
        List<UsageRecord> records = Worlds.generate(new Random(2026), 120, 1, Duration.ofMinutes(20), false);
        Map<String, Bill> expected = BillOracle.bills(records, false);
        assertThat(expected).hasSizeGreaterThan(1);

        SavepointFormatType format = backend.equals("rocksdb") ? SavepointFormatType.NATIVE
                : SavepointFormatType.CANONICAL;
        Run uninterrupted = new Run("a_" + backend, backend);
        KafkaIo.produce(kafka.bootstrapServers(), uninterrupted.recordsTopic(), records);
        JobClient a = uninterrupted.start(null);
        Map<String, Bill> billsA = await().atMost(Duration.ofMinutes(3)).until(uninterrupted::bills,
                expected::equals);
        a.cancel().get(1, TimeUnit.MINUTES);

        Run restarted = new Run("b_" + backend, backend);
        int half = records.size() / 2;
        KafkaIo.produce(kafka.bootstrapServers(), restarted.recordsTopic(), records.subList(0, half));
        JobClient first = restarted.start(null);
        await().atMost(Duration.ofMinutes(3)).until(() -> lineCount(restarted.bills()) == half);
        long beforeStop = await().atMost(Duration.ofMinutes(1)).until(() -> restarted.epochs().stream()
                .mapToLong(Epoch::number).max().orElse(0), n -> n > 0);
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(),
                format).get(2, TimeUnit.MINUTES);
        KafkaIo.produce(kafka.bootstrapServers(), restarted.recordsTopic(), records.subList(half, records.size()));
        JobClient second = restarted.start(savepoint);
        Map<String, Bill> billsB = await().atMost(Duration.ofMinutes(3)).until(restarted::bills, expected::equals);
        List<Epoch> epochs = await().atMost(Duration.ofMinutes(1)).until(restarted::epochs,
                e -> e.stream().anyMatch(x -> x.number() > beforeStop));
        second.cancel().get(1, TimeUnit.MINUTES);

        assertThat(billsB).isEqualTo(billsA);
        Map<Long, Epoch> byNumber = new TreeMap<>();
        for (Epoch e : epochs) {
            Epoch other = byNumber.putIfAbsent(e.number(), e);
            assertThat(other == null || other.equals(e)).as("epoch %d has one content", e.number()).isTrue();
        }
        List<Epoch> ordered = new ArrayList<>(byNumber.values());
        for (int i = 1; i < ordered.size(); i++) {
            assertThat(ordered.get(i - 1).precedes(ordered.get(i))).isTrue();
        }
    }

    private static int lineCount(Map<String, Bill> bills) {
        return bills.values().stream().mapToInt(b -> b.lines().size()).sum();
    }

    /** One job run with its own topics, consumer group and report-store schema. */
    private static final class Run {
        private final String name;
        private final String backend;
        private final BillStore store;

        Run(String name, String backend) {
            this.name = name;
            this.backend = backend;
            kafka.createTopics(List.of(new TopicSpec(recordsTopic(), 3, Map.of()),
                    TopicSpec.compacted(epochsTopic(), 1)));
            store = new BillStore(db.dataSource(), "restore_" + name);
            store.migrate();
        }

        String recordsTopic() {
            return name + ".records";
        }

        String epochsTopic() {
            return name + ".epochs";
        }

        JobClient start(String savepoint) throws Exception {
            Configuration conf = StreamJobBenchmark.checkpointsOnDisk("dabba-restore-");
            conf.set(StateBackendOptions.STATE_BACKEND, backend);
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend.equals("rocksdb"));
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
            String bootstrap = kafka.bootstrapServers();
            BillingJob.builder(BillingJob.kafkaSource(bootstrap, recordsTopic(), name),
                            BillingJob.epochSource(bootstrap, epochsTopic(), name + "-epochs"))
                    .billStore(new BillSink(db.jdbcUrl(), db.user(), null, store.schema()))
                    .deadLetters(BillingJob.deadLetterSink(bootstrap))
                    .epochSink(BillingJob.epochSink(bootstrap, epochsTopic(), name))
                    .settings(JobSettings.builder().checkpointInterval(Duration.ofMillis(500))
                            .epochInterval(Duration.ofMillis(500)).maxCausalWait(Duration.ofSeconds(5)).build())
                    .build()
                    .build(env);
            return env.executeAsync("restore-" + name);
        }

        Map<String, Bill> bills() {
            Map<String, Bill> out = new TreeMap<>();
            for (Msisdn who : Worlds.SUBSCRIBERS) {
                for (int d = 0; d < 2; d++) {
                    var cycle = BillingCycle.of(Worlds.T0.plus(Duration.ofDays(31L * d)));
                    store.find(who, cycle).ifPresent(b -> out.put(who.value() + "|" + cycle, b));
                }
            }
            return out;
        }

        List<Epoch> epochs() {
            return KafkaIo.readAll(kafka.bootstrapServers(), epochsTopic()).stream()
                    .map(r -> dev.dabba.record.RecordCodec.standard().decodeEpoch(r.value())).toList();
        }
    }
}
