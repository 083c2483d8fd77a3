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
import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import static org.awaitility.Awaitility.await;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing job's shaded jar submitted with Flink's own CLI to a real standalone session cluster (a JobManager and
 * a TaskManager in their own JVMs), reading real Kafka and writing the bill to PostgreSQL; stopped halfway with a
 * savepoint and restarted from it through the REST API, the job still bills every record once, and the epochs its
 * exactly-once sink committed have one content per number.
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
                List<String> args = List.of(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--jdbc-url", db.jdbcUrl(), "--db-user", db.user(),
                        "--checkpoint-interval", "PT2S", "--epoch-interval", "PT2S");
                String jobId = cluster.submit(jobJar, "dev.dabba.jobs.BillingJobMain", args, Duration.ofMinutes(2));
                assertThat(cluster.jobState(jobId)).isIn("CREATED", "INITIALIZING", "RUNNING");

                // The first four records, then stop with a savepoint and restart the job jar from it (REST API).
                BillStore store = new BillStore(db.dataSource());
                produce(kafka.bootstrapServers(), records.subList(0, 4));
                BillWatch.awaitBill(store, SeedScenario.SUBSCRIBER, BillingCycle.of(JOURNEY_START),
                        records.subList(0, 4).stream().map(UsageRecord::id).toList(), Duration.ofMinutes(2));
                // The session cluster's default state backend: RocksDB (config.yaml; incremental checkpoints).
                assertThat(get(cluster.restUrl() + "/jobs/" + jobId + "/checkpoints/config"))
                        .contains("\"state_backend\":\"EmbeddedRocksDBStateBackend\"");
                assertThat(Files.readString(work.resolve("flink").resolve("conf").resolve("config.yaml")))
                        .contains("state.backend.type: rocksdb", "execution.checkpointing.incremental: true");
                String savepoint = stopWithSavepoint(cluster, jobId, work.resolve("savepoints"));
                produce(kafka.bootstrapServers(), records.subList(4, records.size()));
                String restarted = runFromSavepoint(cluster, jobJar, args, savepoint);

                Bill bill = BillWatch.awaitBill(store, SeedScenario.SUBSCRIBER,
                        BillingCycle.of(JOURNEY_START), records.stream().map(UsageRecord::id).toList(),
                        Duration.ofMinutes(2));
                assertThat(bill.total().paisa()).isEqualTo(2190);
                assertThat(bill.calls().paisa()).isEqualTo(840);
                assertThat(bill.data().paisa()).isEqualTo(1350);
                // 4 x 6 records, none incomplete, open cycle (a record that waited across the restart may be billed
                // incomplete first, and complete a moment later).
                await().atMost(Duration.ofMinutes(1)).until(() -> store.find(SeedScenario.SUBSCRIBER,
                        BillingCycle.of(JOURNEY_START)).map(Bill::version).orElse(0L), v -> v == 24L);
                assertThat(cluster.jobState(restarted)).isEqualTo("RUNNING");

                // The job is the epoch authority: its exactly-once sink committed epochs, one content per number.
                List<Epoch> epochs = awaitEpochs(kafka.bootstrapServers());
                Map<Long, Epoch> byNumber = new TreeMap<>();
                for (Epoch e : epochs) {
                    assertThat(byNumber.putIfAbsent(e.number(), e)).as("epoch %d", e.number()).isIn(null, e);
                }
                assertThat(epochs.get(epochs.size() - 1).members().nodes()).extracting(NodeId::value)
                        .contains("MUMBAI_BKC", "MUMBAI_ANDHERI");
                Epoch opening = epochs.get(0);
                assertThat(opening.members().size()).as("submitted against an empty topic: a lineage's opening epoch")
                        .isZero();
                assertThat(epochs).allSatisfy(e -> assertThat(e.lineage()).isEqualTo(opening.number()));
                cluster.cancel(restarted);
            } finally {
                cluster.stop();
            }
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("process %d is gone", pid).isEmpty());
            assertThat(Files.exists(work.resolve("flink").resolve("cluster.properties"))).isFalse();
        }
    }

    private static final Pattern REQUEST_ID = Pattern.compile("\"request-id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern LOCATION = Pattern.compile("\"location\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern FILENAME = Pattern.compile("\"filename\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern JOB_ID = Pattern.compile("\"jobid\"\\s*:\\s*\"([0-9a-f]{32})\"");

    /** Stops the job with a savepoint through the REST API and returns the savepoint's location. */
    private static String stopWithSavepoint(FlinkSessionCluster cluster, String jobId, Path dir) throws Exception {
        String trigger = post(cluster.restUrl() + "/jobs/" + jobId + "/stop", HttpRequest.BodyPublishers.ofString(
                "{\"targetDirectory\":\"" + dir.toUri() + "\",\"drain\":false}"), "application/json");
        String requestId = group(REQUEST_ID, trigger);
        String status = await().atMost(Duration.ofMinutes(2)).until(() -> get(cluster.restUrl() + "/jobs/" + jobId
                + "/savepoints/" + requestId), body -> body.contains("COMPLETED"));
        assertThat(status).doesNotContain("failure-cause\":{\"class");
        await().atMost(Duration.ofMinutes(1)).until(() -> cluster.jobState(jobId), "FINISHED"::equals);
        return group(LOCATION, status);
    }

    /** Uploads the job jar and runs it from {@code savepoint} through the REST API; returns the new job id. */
    private static String runFromSavepoint(FlinkSessionCluster cluster, Path jar, List<String> args,
            String savepoint) throws Exception {
        String boundary = "dabba" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(head);
        body.write(Files.readAllBytes(jar));
        body.write(tail);
        // One array, so the request has a Content-Length: Flink's upload handler does not take a chunked body.
        String uploaded = post(cluster.restUrl() + "/jars/upload", HttpRequest.BodyPublishers.ofByteArray(
                body.toByteArray()), "multipart/form-data; boundary=" + boundary);
        String file = group(FILENAME, uploaded);
        String jarId = file.substring(file.lastIndexOf('/') + 1);
        StringBuilder json = new StringBuilder("{\"entryClass\":\"dev.dabba.jobs.BillingJobMain\",\"savepointPath\":\"")
                .append(savepoint).append("\",\"programArgsList\":[");
        for (int i = 0; i < args.size(); i++) {
            json.append(i == 0 ? "" : ",").append('"').append(args.get(i)).append('"');
        }
        json.append("]}");
        String run = post(cluster.restUrl() + "/jars/" + jarId + "/run",
                HttpRequest.BodyPublishers.ofString(json.toString()), "application/json");
        return group(JOB_ID, run);
    }

    private static List<Epoch> awaitEpochs(String bootstrap) {
        // The first is the lineage's opening epoch, written at submission with no members; wait for the authority's.
        return await().atMost(Duration.ofMinutes(1)).until(() -> readEpochs(bootstrap),
                e -> !e.isEmpty() && e.get(e.size() - 1).members().size() > 0);
    }

    private static List<Epoch> readEpochs(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Epoch> out = new ArrayList<>();
        RecordCodec codec = RecordCodec.standard();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(KafkaTopics.EPOCHS, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(codec.decodeEpoch(r.value())));
            }
        }
        return out;
    }

    /**
     * A client per request, HTTP/1.1: Flink's REST server closes idle keep-alive connections, and a POST (not
     * retried by the JDK client) on such a connection fails.
     */
    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static String post(String url, HttpRequest.BodyPublisher body, String contentType) throws Exception {
        HttpResponse<String> r = http().send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                contentType).POST(body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isBetween(200, 299);
        return r.body();
    }

    private static String get(String url) throws Exception {
        return http().send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertThat(m.find()).as("%s in %s", p, body).isTrue();
        return m.group(1);
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
