package dev.dabba.reliability.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.deploy.demo.BillWatch;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.deploy.demo.Progress;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.LocalMosquitto;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.BatchTranslator;
import dev.dabba.gateway.EmbeddedGateway;
import dev.dabba.gateway.GatewayConfig;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.reliability.corpus.HostileCorpus;
import dev.dabba.reliability.corpus.HostilePayload;
import dev.dabba.reliability.oracle.BillKey;
import dev.dabba.reliability.oracle.ExpectedBill;
import dev.dabba.reliability.oracle.ExpectedLine;
import dev.dabba.reliability.oracle.GeneratedRecord;
import dev.dabba.reliability.oracle.Oracle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus ({@link HostileCorpus}, over a thousand malformed or hostile payloads) interleaved with
 * genuine batches, published through a real MQTT broker (HiveMQ CE) into the gateway's embedded runner, real Kafka
 * (KRaft) and the billing job on a Flink MiniCluster writing to PostgreSQL ({@link EmbeddedStack}).
 *
 * <p>The same corpus also goes through a Mosquitto of the test's own (the machine's binary, when installed), with the
 * queue settings of {@code deploy/mosquitto/mosquitto-tls.conf}, into a gateway of its own and separate Kafka topics,
 * without the job. The machine's shared Mosquitto on port 1883 runs with the defaults, which queue at most 1,000
 * messages for the gateway and drop newer ones after acknowledging them: a corpus published faster than a loaded
 * machine's gateway drains it lost about a hundred payloads there.
 *
 * <p>Asserts: every hostile payload is in the dead-letter topic exactly once, matched by content, with the
 * {@code dabba.dlq.reason} the corpus expects; the number of dead letters equals the number of hostile payloads;
 * every genuine record is in the records topic; the job still runs; and every genuine subscriber's bill equals the
 * independent oracle's to the paisa, line by line. Prints a report by category.
 */
class HostileInputIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** The lines of the shipped broker config that set Mosquitto's in-flight and queue limits. */
    private static final Path MOSQUITTO_CONF = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("deploy/mosquitto/mosquitto-tls.conf");
    private static final List<NodeId> TOWERS = List.of(NodeId.of("HOSTILE_IT_T1"), NodeId.of("HOSTILE_IT_T2"),
            NodeId.of("HOSTILE_IT_T3"), NodeId.of("HOSTILE_IT_T4"));
    private static final int GOOD_BATCHES_PER_TOWER = 20;
    private static final int RECORDS_PER_BATCH = 10;
    private static final int SUBSCRIBERS = 25;
    private static EmbeddedStack stack;

    @BeforeAll
    static void start() {
        stack = EmbeddedStack.start(List.of(), Progress.silent());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** One MQTT message to publish: hostile (with its corpus entry) or genuine. */
    private record Message(String topic, byte[] payload, HostilePayload hostile) {
    }

    /** What a run of the corpus left behind, for the bill checks. */
    private record Outcome(List<HostilePayload> corpus, List<GeneratedRecord> genuine) {
    }

    @Test
    void everyHostilePayload_isDeadLetteredWithItsReason_andTheGenuineRecordsAroundThem_areBilledAsTheOracleSays()
            throws Exception {
        Outcome o = runCorpus("HiveMQ CE (embedded)", stack.broker().uri(), MqttTopics.DEFAULT, KafkaTopics.RECORDS,
                KafkaTopics.DEAD_LETTERS);

        // The job kept running and billed the genuine records exactly as the oracle does.
        BillStore store = new BillStore(stack.database().dataSource(), EmbeddedStack.SCHEMA);
        Map<BillKey, ExpectedBill> expected = Oracle.bills(o.genuine());
        for (ExpectedBill e : expected.values()) {
            Bill bill = BillWatch.awaitBill(store, e.key().subscriber(), e.key().cycle(),
                    e.lines().stream().map(ExpectedLine::id).toList(), WAIT);
            assertThat(bill.lines()).as("lines of %s", e.key()).extracting(l -> l.rated().eventId())
                    .containsExactlyElementsOf(e.lines().stream().map(ExpectedLine::id).toList());
            assertThat(bill.calls().paisa()).as("calls of %s", e.key()).isEqualTo(e.callsPaisa());
            assertThat(bill.sms().paisa()).as("sms of %s", e.key()).isEqualTo(e.smsPaisa());
            assertThat(bill.data().paisa()).as("data of %s", e.key()).isEqualTo(e.dataPaisa());
            assertThat(bill.total().paisa()).as("total of %s", e.key()).isEqualTo(e.totalPaisa());
        }
        assertThat(stack.job().getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        assertThat(stack.gateway().acceptedRecords()).isEqualTo(o.genuine().size());
        assertThat(stack.gateway().rejectedMessages()).isEqualTo(o.corpus().size());
        System.out.printf("HostileInputIT: %d genuine records in %d bills equal the oracle's to the paisa; the job is "
                + "RUNNING%n", o.genuine().size(), expected.size());
    }

    @Test
    void theCorpusThroughMosquitto_isDeadLetteredTheSameWay_andTheGenuineRecordsReachKafka(@TempDir Path dir)
            throws Exception {
        Assumptions.assumeTrue(LocalMosquitto.binary().isPresent(),
                "skipped: no mosquitto binary in " + LocalMosquitto.BINARIES + " (apt-get install mosquitto)");
        List<String> limits = Files.readAllLines(MOSQUITTO_CONF).stream()
                .filter(l -> l.startsWith("max_inflight_messages") || l.startsWith("max_queued_")).toList();
        assertThat(limits).as("queue settings in %s", MOSQUITTO_CONF).hasSize(3);
        int port = FreePorts.pick();
        String id = Long.toHexString(System.nanoTime());
        MqttTopics topics = new MqttTopics("dabba-hostile/" + id);
        String records = "hostile-records-" + id;
        String dead = "hostile-dead-" + id;
        stack.kafka().createTopics(TopicSpec.of(records, 3), TopicSpec.of(dead, 1));
        try (LocalMosquitto mosquitto = LocalMosquitto.start(dir, port, String.join("\n",
                "listener " + port + " 127.0.0.1", "allow_anonymous true", "persistence false",
                String.join("\n", limits)))) {
            GatewayConfig config = GatewayConfig.builder(mosquitto.uri(), stack.kafka().bootstrapServers())
                    .topics(topics)
                    .clientIdPrefix("hostile-gw-" + id)
                    .sharedGroup("hostile-" + id)
                    .set(MqttSourceConfig.RECORDS_TOPIC, records)
                    .set(MqttSourceConfig.DEAD_LETTER_TOPIC, dead)
                    .epochRelay(false)
                    .build();
            try (EmbeddedGateway gateway = EmbeddedGateway.start(config)) {
                Outcome o = runCorpus("Mosquitto (" + mosquitto.uri() + ")", mosquitto.uri(), topics, records, dead);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(gateway.acceptedRecords()).isEqualTo(o.genuine().size());
                    assertThat(gateway.rejectedMessages()).isEqualTo(o.corpus().size());
                });
            } finally {
                // A broker that drops messages explains any missing dead letters: say so first.
                assertThat(mosquitto.log()).as("Mosquitto's log").doesNotContain("are being dropped");
            }
        }
    }

    /**
     * Publishes the corpus interleaved with genuine batches to {@code brokerUri} under {@code topics}, and checks
     * that the gateway in front of it dead-lettered every hostile payload once with its reason into
     * {@code deadLetterTopic}, and wrote exactly the genuine records to {@code recordsTopic}.
     */
    private static Outcome runCorpus(String brokerName, String brokerUri, MqttTopics topics, String recordsTopic,
            String deadLetterTopic) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<HostilePayload> corpus = HostileCorpus.generate(TOWERS, 20261127L, now);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(1_000);

        List<GeneratedRecord> genuine = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        Random random = new Random(7);
        for (NodeId tower : TOWERS) {
            long sequence = 0;
            for (int b = 0; b < GOOD_BATCHES_PER_TOWER; b++) {
                List<UsageRecord> batch = new ArrayList<>();
                for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                    sequence++;
                    UsageRecord r = goodRecord(tower, sequence, now, random);
                    batch.add(r);
                    genuine.add(new GeneratedRecord(r.id(), r.subscriber(), r.start(), r.usage(), r.hlc(),
                            Map.of(tower.value(), sequence)));
                }
                messages.add(new Message(topics.records(tower),
                        RecordCodec.standard().encodeBatch(new RecordBatch(tower, batch)), null));
            }
        }
        for (HostilePayload h : corpus) {
            messages.add(new Message(topics.root() + "/records/" + h.topicLevel(), h.payload(), h));
        }
        Collections.shuffle(messages, random);

        try (Publisher publisher = new Publisher(brokerUri)) {
            for (Message m : messages) {
                publisher.publish(m.topic(), m.payload());
            }
        }

        // Every hostile payload dead-lettered once, with the expected reason.
        Map<String, HostilePayload> byFingerprint = new HashMap<>();
        for (HostilePayload h : corpus) {
            byFingerprint.put(HostileCorpus.fingerprint(h.topicLevel(), h.payload(), h.payload().length), h);
        }
        assertThat(byFingerprint).as("every corpus payload is distinguishable").hasSize(corpus.size());
        // Wait for as many dead letters as payloads (or the deadline), then say exactly which ones are missing.
        List<List<ConsumerRecord<byte[], byte[]>>> read = new ArrayList<>(List.of(readAll(deadLetterTopic)));
        try {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        read.set(0, readAll(deadLetterTopic));
                        return read.get(0).size() >= corpus.size();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Not all arrived: the checks below name exactly which payloads are missing.
        }
        List<ConsumerRecord<byte[], byte[]>> deadLetters = read.get(0);
        Map<HostilePayload.Category, int[]> report = new EnumMap<>(HostilePayload.Category.class);
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Set<HostilePayload> matched = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        String recordsPrefix = topics.root() + "/records/";
        for (ConsumerRecord<byte[], byte[]> d : deadLetters) {
            String topic = new String(d.key(), StandardCharsets.UTF_8);
            String level = topic.startsWith(recordsPrefix) ? topic.substring(recordsPrefix.length()) : topic;
            String reason = header(d, KafkaTopics.HEADER_DLQ_REASON);
            long length = Long.parseLong(header(d, BatchTranslator.HEADER_DLQ_PAYLOAD_BYTES));
            HostilePayload h = byFingerprint.get(HostileCorpus.fingerprint(level, d.value(), length));
            if (h == null) {
                problems.add("a dead letter that is no corpus payload: " + reason);
                continue;
            }
            if (!matched.add(h)) {
                problems.add("dead-lettered twice: " + h.category() + " " + h.description());
            }
            String code = reason.substring(0, Math.max(0, reason.indexOf(':')));
            reasons.merge(code, 1, Integer::sum);
            int[] counts = report.computeIfAbsent(h.category(), c -> new int[2]);
            counts[0]++;
            if (!code.equals(h.expectedReason())) {
                problems.add(h.category() + " '" + h.description() + "': expected " + h.expectedReason()
                        + ", the gateway said " + reason);
            } else {
                counts[1]++;
            }
            assertThat(header(d, KafkaTopics.HEADER_DLQ_STAGE)).isEqualTo("gateway");
            assertThat(header(d, KafkaTopics.HEADER_DLQ_SOURCE)).isEqualTo("mqtt:" + topic);
        }
        for (HostilePayload h : corpus) {
            if (!matched.contains(h)) {
                problems.add("not dead-lettered: " + h.category() + " '" + h.description() + "'");
            }
        }
        printReport(brokerName, corpus, report, reasons, genuine.size(), deadLetters.size());
        assertThat(problems).as("dead-letter problems").isEmpty();
        assertThat(deadLetters).as("one dead letter per hostile payload, nothing else").hasSize(corpus.size());

        // Every genuine record reached the records topic, and nothing else did.
        Set<String> expectedIds = genuine.stream().map(g -> g.id().toString()).collect(Collectors.toSet());
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(readAll(recordsTopic).stream().map(r -> header(r, KafkaTopics.HEADER_EVENT_ID))
                        .collect(Collectors.toSet())).isEqualTo(expectedIds));
        return new Outcome(corpus, genuine);
    }

    private static UsageRecord goodRecord(NodeId tower, long sequence, Instant now, Random random) {
        Msisdn subscriber = Msisdn.of("+91981" + String.format("%07d", random.nextInt(SUBSCRIBERS)));
        Msisdn other = Msisdn.of("+91982" + String.format("%07d", random.nextInt(1000)));
        // Within the last few hours, so never ahead of the gateway and (almost always) in this cycle.
        Instant start = now.minus(Duration.ofMinutes(10)).minusMillis(random.nextInt(3_600_000));
        Usage usage = switch (random.nextInt(3)) {
            case 0 -> new Usage.Call(other, CallType.values()[random.nextInt(3)], random.nextInt(3_000));
            case 1 -> new Usage.Sms(other);
            default -> new Usage.Data(RadioType.values()[random.nextInt(3)], random.nextInt(50_000_000),
                    random.nextInt(500_000_000));
        };
        return new UsageRecord(new EventId(tower, sequence), subscriber, start,
                new HybridTimestamp(start.toEpochMilli(), (int) sequence), VectorClock.of(Map.of(tower.value(),
                        sequence)), usage);
    }

    private static void printReport(String brokerName, List<HostilePayload> corpus,
            Map<HostilePayload.Category, int[]> report, Map<String, Integer> reasons, int genuine, int deadLetters) {
        Map<HostilePayload.Category, Long> sent = corpus.stream()
                .collect(Collectors.groupingBy(HostilePayload::category, () -> new EnumMap<>(
                        HostilePayload.Category.class), Collectors.counting()));
        StringBuilder b = new StringBuilder("\n=== Hostile input report: " + brokerName + " ===\n");
        b.append(String.format("%-18s %6s %6s %6s  %s%n", "category", "sent", "dlq", "reason", "what"));
        for (HostilePayload.Category c : HostilePayload.Category.values()) {
            int[] r = report.getOrDefault(c, new int[2]);
            b.append(String.format("%-18s %6d %6d %6d  %s%n", c, sent.getOrDefault(c, 0L), r[0], r[1], c.what()));
        }
        b.append(String.format("%-18s %6d %6d%n", "total", corpus.size(), deadLetters));
        b.append("dead letters by reason: ").append(reasons).append('\n');
        b.append("genuine records interleaved: ").append(genuine).append('\n');
        System.out.println(b);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * A plain Paho MQTT 5 client publishing QoS 1 with at most {@link #WINDOW} publishes unresolved, never more than
     * the broker's receive maximum.
     *
     * <p>It must never be refused with "too many publishes in progress" (32202): Paho 1.2.5 gives a publish to a new
     * topic a topic alias <em>before</em> it checks the in-flight count, and keeps that alias when it refuses the
     * publish, so every later publish to that topic goes out with the alias alone, which the broker never learned:
     * Mosquitto then disconnects with reason 0x82 (protocol error). A publisher that waits only for each PUBACK does
     * get refused, because Paho reports a PUBACK to the waiting thread before its callback thread takes the publish
     * out of the in-flight count; under load that thread can fall behind by the broker's whole receive maximum
     * (seen in CI). Paho's callback thread lowers the count before it calls an action listener, so a window released
     * by the listener bounds what Paho counts.
     */
    private static final class Publisher implements AutoCloseable {
        private static final int WINDOW = 16;

        private final MqttAsyncClient client;
        private final int window;
        private final Semaphore unresolved;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                unresolved.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failure.compareAndSet(null, e);
                unresolved.release();
            }
        };

        Publisher(String uri) throws Exception {
            client = new MqttAsyncClient(uri, "hostile-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            IMqttToken connected = client.connect(o);
            connected.waitForCompletion(30_000);
            Integer receiveMaximum = connected.getResponseProperties() == null ? null
                    : connected.getResponseProperties().getReceiveMaximum();
            window = Math.min(WINDOW, receiveMaximum == null ? 65_535 : receiveMaximum);
            unresolved = new Semaphore(window);
        }

        void publish(String topic, byte[] payload) throws Exception {
            throwIfFailed();
            if (!unresolved.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(window + " publishes still unacknowledged after 60 s");
            }
            MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            try {
                client.publish(topic, m, null, listener);
            } catch (org.eclipse.paho.mqttv5.common.MqttException | RuntimeException e) {
                unresolved.release();
                throw e;
            }
        }

        private void throwIfFailed() {
            Throwable f = failure.get();
            if (f != null) {
                throw new IllegalStateException("a publish failed: " + f, f);
            }
        }

        /** Waits for every publish to be acknowledged, then disconnects. */
        @Override
        public void close() throws Exception {
            try {
                if (!unresolved.tryAcquire(window, 60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("publishes still unacknowledged 60 s after the last one");
                }
                throwIfFailed();
            } finally {
                client.disconnect().waitForCompletion(10_000);
                client.close();
            }
        }
    }
}
