package dev.dabba.deploy.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.deploy.demo.BillWatch;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing job's shaded jar submitted with Flink's own CLI to a real standalone session cluster (a JobManager and
 * a TaskManager in their own JVMs), reading real Kafka and writing the bill to PostgreSQL.
 */
class FlinkSessionClusterIT {

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");

    @TempDir
    Path work;

    @Test
    void jobJar_onASessionCluster_billsTheSeedScenario() throws Exception {
        Path lib = Path.of(System.getProperty("dabba.flink.lib", "../flink-session/target/lib"));
        Path jobJar = Path.of(System.getProperty("dabba.job.jar"));
        assertThat(jobJar).as("the shaded job jar (built by stream-jobs' package phase)").exists();
        List<UsageRecord> records = SeedScenario.records(JOURNEY_START, Clock.fixed(JOURNEY_START, ZoneOffset.UTC));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedDatabase db = EmbeddedDatabase.start()) {
            kafka.createTopics(EmbeddedStack.topics());
            new BillStore(db.dataSource()).migrate();
            FlinkSessionCluster cluster = FlinkSessionCluster.start(new FlinkSessionCluster.Settings(lib,
                    work.resolve("flink"), FreePorts.pick(), FreePorts.pick(), 2, Duration.ofSeconds(90)));
            List<Long> pids = cluster.pids();
            try {
                assertThat(cluster.overview()).contains("\"taskmanagers\":1");
                String jobId = cluster.submit(jobJar, "dev.dabba.jobs.BillingJobMain", List.of(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--jdbc-url", db.jdbcUrl(), "--db-user", db.user(),
                        "--checkpoint-interval", "PT2S"), Duration.ofMinutes(2));
                assertThat(cluster.jobState(jobId)).isIn("CREATED", "INITIALIZING", "RUNNING");

                produce(kafka.bootstrapServers(), records);
                Bill bill = BillWatch.awaitBill(new BillStore(db.dataSource()), SeedScenario.SUBSCRIBER,
                        BillingCycle.of(JOURNEY_START), records.stream().map(UsageRecord::id).toList(),
                        Duration.ofMinutes(2));
                assertThat(bill.total().paisa()).isEqualTo(2190);
                assertThat(bill.calls().paisa()).isEqualTo(840);
                assertThat(bill.data().paisa()).isEqualTo(1350);
                assertThat(cluster.jobState(jobId)).isEqualTo("RUNNING");
                cluster.cancel(jobId);
            } finally {
                cluster.stop();
            }
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("process %d is gone", pid).isEmpty());
            assertThat(Files.exists(work.resolve("flink").resolve("cluster.properties"))).isFalse();
        }
    }

    private static void produce(String bootstrap, List<UsageRecord> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        RecordCodec codec = RecordCodec.standard();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (UsageRecord r : records) {
                producer.send(new ProducerRecord<>(KafkaTopics.RECORDS,
                        r.subscriber().value().getBytes(StandardCharsets.UTF_8), codec.encodeRecord(r))).get();
            }
        }
    }
}
