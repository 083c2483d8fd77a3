package dev.dabba.reliability.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.deploy.cluster.ClusterSettings;
import dev.dabba.deploy.cluster.internal.ConnectNode;
import dev.dabba.deploy.demo.BillWatch;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.gateway.EmbeddedGateway;
import dev.dabba.gateway.GatewayConfig;
import dev.dabba.jobs.BillSink;
import dev.dabba.jobs.BillingJob;
import dev.dabba.jobs.EpochBootstrap;
import dev.dabba.jobs.JobSettings;
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
import dev.dabba.reliability.oracle.ExpectedBill;
import dev.dabba.reliability.oracle.GeneratedRecord;
import dev.dabba.reliability.oracle.Oracle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A KRaft broker with a SASL_SSL listener (SASL/PLAIN and SASL/SCRAM-SHA-512 over TLS, a throwaway CA from
 * {@code openssl}; the SCRAM user created in the cluster metadata) beside its internal PLAINTEXT one, and every Dabba Kafka client pointed at the secure listener with nothing but client
 * properties: the gateway's source producer and epoch-relay consumer ({@code kafka.*} keys of its config file), and
 * the billing job's Kafka sources and sinks and its epoch bootstrap consumer ({@code --kafka-config FILE} of
 * {@code BillingJobMain}). Records published over MQTT are billed in PostgreSQL as the oracle says, the job announces
 * an epoch through its transactional sink, and the gateway relays it back to MQTT. The broker refuses a wrong
 * password and a plaintext client on the secure port. The CLI and the HTTP API read PostgreSQL only.
 */
class KafkaSecurityIT {

    private static final String PASSWORD = "dabba-secret";
    private static final String SCRAM = "SCRAM-SHA-512";
    private static final String SCRAM_USER = "dabba-scram";
    private static final Duration WAIT = Duration.ofMinutes(2);

    @TempDir
    static Path dir;
    private static Pki pki;
    private static EmbeddedKafka kafka;
    private static String secureBootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        Assumptions.assumeTrue(Pki.available(), "skipped: " + Pki.OPENSSL + " is not installed");
        pki = Pki.create(dir);
        pki.issue("kafka-broker", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        int[] ports = FreePorts.pick(3);
        secureBootstrap = "127.0.0.1:" + ports[2];
        String sasl = "listener.name.sasl_ssl.";
        kafka = EmbeddedKafka.builder().brokerPort(ports[0]).controllerPort(ports[1])
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:"
                        + ports[1] + ",SASL_SSL://" + secureBootstrap)
                .brokerProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",SASL_SSL://"
                        + secureBootstrap)
                .brokerProperty("listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL")
                .brokerProperty(sasl + "sasl.enabled.mechanisms", "PLAIN," + SCRAM)
                .brokerProperty(sasl + "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain."
                        + "PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
                        + "user_admin=\"admin-secret\" user_dabba=\"" + PASSWORD + "\";")
                .brokerProperty(sasl + SCRAM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .brokerProperty(sasl + "ssl.keystore.location", pki.file("kafka-broker.p12").toString())
                .brokerProperty(sasl + "ssl.keystore.type", "PKCS12")
                .brokerProperty(sasl + "ssl.keystore.password", Pki.STORE_PASSWORD)
                .brokerProperty(sasl + "ssl.key.password", Pki.STORE_PASSWORD)
                .start();
        kafka.createTopics(EmbeddedStack.topics());
        // SCRAM users live in the cluster metadata (KRaft): created through the internal listener, as an operator
        // would with kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users.
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> admin.describeUserScramCredentials(List.of(SCRAM_USER)).all()
                    .get(30, TimeUnit.SECONDS).containsKey(SCRAM_USER));
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** What a Dabba deployment puts in its Kafka client settings for the secure listener (SASL/PLAIN). */
    private static Map<String, String> clientSecurity(String password) throws Exception {
        return clientSecurity("PLAIN", password);
    }

    /** The same with {@code mechanism} PLAIN (user dabba) or SCRAM-SHA-512 (user {@link #SCRAM_USER}). */
    private static Map<String, String> clientSecurity(String mechanism, String password) throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", mechanism);
        m.put("sasl.jaas.config", mechanism.equals(SCRAM)
                ? "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + SCRAM_USER
                        + "\" password=\"" + password + "\";"
                : "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"dabba\" password=\""
                        + password + "\";");
        m.put("ssl.truststore.location", pki.trustStore().toString());
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.password", Pki.STORE_PASSWORD);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PLAIN", SCRAM})
    void theSecureListener_refusesAWrongPassword_andPlaintextClients(String mechanism) throws Exception {
        Map<String, Object> wrong = new HashMap<>(clientSecurity(mechanism, "not-the-password"));
        wrong.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secureBootstrap);
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }
        Map<String, Object> plain = new HashMap<>();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secureBootstrap);
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(plain)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
        Map<String, Object> right = new HashMap<>(clientSecurity(mechanism, PASSWORD));
        right.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secureBootstrap);
        try (Admin admin = Admin.create(right)) {
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(kafka.clusterId());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PLAIN", SCRAM})
    void gatewayAndBillingJob_runOverSaslSsl_withOnlyClientProperties(String mechanism) throws Exception {
        Map<String, String> security = clientSecurity(mechanism, PASSWORD);
        boolean scram = mechanism.equals(SCRAM);
        NodeId tower = NodeId.of(scram ? "SECURE_SCRAM_T1" : "SECURE_T1");
        Msisdn subscriber = Msisdn.of(scram ? "+919811100021" : "+919811100001");
        Instant start = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
        List<UsageRecord> records = new ArrayList<>();
        List<GeneratedRecord> generated = new ArrayList<>();
        Usage[] usages = {new Usage.Call(Msisdn.of("+919811100002"), CallType.VOLTE, 121),
            new Usage.Data(RadioType.G5, 3_000_000, 9_000_000), new Usage.Sms(Msisdn.of("+919811100003"))};
        for (int i = 0; i < usages.length; i++) {
            long seq = i + 1;
            Instant at = start.plusSeconds(60L * i);
            UsageRecord r = new UsageRecord(new EventId(tower, seq), subscriber, at,
                    new HybridTimestamp(at.toEpochMilli(), 0), VectorClock.of(Map.of(tower.value(), seq)), usages[i]);
            records.add(r);
            generated.add(new GeneratedRecord(r.id(), subscriber, at, usages[i], r.hlc(), Map.of(tower.value(), seq)));
        }
        ExpectedBill expected = Oracle.bills(generated).values().iterator().next();

        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start();
                EmbeddedDatabase database = EmbeddedDatabase.start();
                EmbeddedGateway gateway = EmbeddedGateway.start(GatewayConfig.builder(broker.uri(), secureBootstrap)
                        .set(GatewayConfig.KAFKA_PREFIX + "security.protocol", "SASL_SSL")
                        .set(GatewayConfig.KAFKA_PREFIX + "sasl.mechanism", mechanism)
                        .set(GatewayConfig.KAFKA_PREFIX + "sasl.jaas.config", security.get("sasl.jaas.config"))
                        .set(GatewayConfig.KAFKA_PREFIX + "ssl.truststore.location",
                                security.get("ssl.truststore.location"))
                        .set(GatewayConfig.KAFKA_PREFIX + "ssl.truststore.type", "PKCS12")
                        .set(GatewayConfig.KAFKA_PREFIX + "ssl.truststore.password", Pki.STORE_PASSWORD)
                        .build())) {
            new BillStore(database.dataSource(), BillStore.DEFAULT_SCHEMA).migrate();
            // The job, as BillingJobMain wires it with --kafka-config: epoch bootstrap, sources and sinks.
            Epoch bootstrap = EpochBootstrap.latestOrOpen(secureBootstrap, security, KafkaTopics.EPOCHS,
                    Duration.ofSeconds(60), System.currentTimeMillis());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
            BillingJob.kafka(secureBootstrap, security, "secure-billing-" + mechanism,
                    new BillSink(database.jdbcUrl(), database.user(), null, BillStore.DEFAULT_SCHEMA), bootstrap,
                    JobSettings.builder().checkpointInterval(Duration.ofSeconds(2)).epochInterval(Duration.ofSeconds(2))
                            .build()).build(env);
            JobClient job = env.executeAsync(BillingJob.NAME);
            try {
                MqttClient agent = new MqttClient(broker.uri(), "secure-agent", new MemoryPersistence());
                agent.connect(new MqttConnectionOptions());
                MqttMessage m = new MqttMessage(RecordCodec.standard().encodeBatch(new RecordBatch(tower, records)));
                m.setQos(1);
                agent.publish(MqttTopics.DEFAULT.records(tower), m);

                // The gateway's producer wrote them over SASL_SSL.
                await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(security, KafkaTopics.RECORDS).stream()
                        .map(r -> new String(r.headers().lastHeader(KafkaTopics.HEADER_EVENT_ID).value(),
                                StandardCharsets.UTF_8)).collect(Collectors.toSet()))
                        .containsAll(records.stream().map(r -> r.id().toString()).toList())); // (other tests' too)
                // The job's sources read them and its store sink billed them as the oracle says.
                Bill bill = BillWatch.awaitBill(new BillStore(database.dataSource(), BillStore.DEFAULT_SCHEMA),
                        subscriber, expected.key().cycle(), records.stream().map(UsageRecord::id).toList(), WAIT);
                assertThat(bill.total().paisa()).isEqualTo(expected.totalPaisa());
                assertThat(bill.calls().paisa()).isEqualTo(expected.callsPaisa());
                assertThat(bill.data().paisa()).isEqualTo(expected.dataPaisa());
                // Its Kafka sinks wrote over SASL_SSL: bill updates (at least once) and epochs (transactional) ...
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(readAll(security, KafkaTopics.BILL_UPDATES)).isNotEmpty());
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(readAll(security, KafkaTopics.EPOCHS)).isNotEmpty());
                // ... and the gateway's epoch relay consumed the announcement over SASL_SSL and retained it on MQTT.
                AtomicReference<byte[]> retained = new AtomicReference<>();
                // (Paho 1.2.5's subscribe(String, int, listener) recurses forever; the array form works.)
                agent.subscribe(new MqttSubscription[] {new MqttSubscription(MqttTopics.DEFAULT.epochs(), 1)},
                        new IMqttMessageListener[] {(topic, msg) -> retained.set(msg.getPayload())});
                await().atMost(WAIT).until(() -> retained.get() != null);
                assertThat(RecordCodec.standard().decodeEpoch(retained.get()).number()).isPositive();
                agent.disconnect();
                agent.close();
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void connectWorker_runsTheGatewayConnectorsOverSaslSsl_withOnlyWorkerProperties() throws Exception {
        // The production path: the gateway as Kafka Connect connectors in a worker of its own (a process), its
        // Kafka clients configured by worker.properties alone (deploy/connect/worker.properties shows the keys).
        Map<String, String> security = clientSecurity(PASSWORD);
        ClusterSettings s = ClusterSettings.builder().workDir(dir.resolve("connect-cluster")).freePorts().build();
        MqttTopics topics = new MqttTopics("dabba-sasl/v1");
        NodeId tower = NodeId.of("SECURE_CONNECT_T1");
        Msisdn subscriber = Msisdn.of("+919811100011");
        Instant at = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);
        List<UsageRecord> records = List.of(new UsageRecord(new EventId(tower, 1), subscriber, at,
                        new HybridTimestamp(at.toEpochMilli(), 0), VectorClock.of(Map.of(tower.value(), 1L)),
                        new Usage.Sms(Msisdn.of("+919811100012"))),
                new UsageRecord(new EventId(tower, 2), subscriber, at.plusSeconds(5),
                        new HybridTimestamp(at.toEpochMilli() + 5_000, 0), VectorClock.of(Map.of(tower.value(), 2L)),
                        new Usage.Data(RadioType.G4, 1_000, 2_000)));
        ConnectNode connect = new ConnectNode(dir.resolve("connect"), s.connectPort(), s.connectMetricsPort());
        connect.prepare(s.pluginJar(), secureBootstrap, security);
        Path log = dir.resolve("connect.log");
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start()) {
            Process worker = connect.start(s.classpath(), java.util.Optional.empty(), log);
            try {
                await().atMost(WAIT).until(() -> connect.restUp() || !worker.isAlive());
                assertThat(worker.isAlive()).as("the Connect worker runs (log %s)", log).isTrue();
                connect.createConnectors(broker.uri(), topics.root(), 1, "sasl");
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(connect.connectorState(ConnectNode.SOURCE)).isEqualTo("RUNNING [RUNNING]");
                    assertThat(connect.connectorState(ConnectNode.SINK)).isEqualTo("RUNNING [RUNNING]");
                });
                MqttClient agent = new MqttClient(broker.uri(), "secure-connect-agent", new MemoryPersistence());
                agent.connect(new MqttConnectionOptions());
                MqttMessage m = new MqttMessage(RecordCodec.standard().encodeBatch(new RecordBatch(tower, records)));
                m.setQos(1);
                agent.publish(topics.records(tower), m);

                // The source task's producer wrote them over SASL_SSL ...
                await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(security, KafkaTopics.RECORDS).stream()
                        .map(r -> new String(r.headers().lastHeader(KafkaTopics.HEADER_EVENT_ID).value(),
                                StandardCharsets.UTF_8)).collect(Collectors.toSet()))
                        .containsAll(records.stream().map(r -> r.id().toString()).toList()));
                // ... and the epoch sink's consumer read an announcement over SASL_SSL and retained it on MQTT.
                // (the next epoch after the topic's newest, which the relay only ever moves forward from)
                Epoch latest = EpochBootstrap.latest(secureBootstrap, security, KafkaTopics.EPOCHS, WAIT);
                dev.dabba.clock.NodeTable members = latest.members().with(List.of(tower));
                long[] base = new long[members.size()];
                for (int i = 0; i < latest.members().size(); i++) {
                    base[i] = latest.baseAt(i);
                }
                Epoch epoch = Epoch.of(latest.number() + 1, latest.lineage(), members, base);
                Map<String, Object> producer = new HashMap<>(security);
                producer.put("bootstrap.servers", secureBootstrap);
                try (var p = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(producer,
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                    p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(KafkaTopics.EPOCHS,
                            Long.toString(epoch.number()).getBytes(StandardCharsets.UTF_8),
                            RecordCodec.standard().encodeEpoch(epoch))).get(30, TimeUnit.SECONDS);
                }
                AtomicReference<byte[]> retained = new AtomicReference<>();
                agent.subscribe(new MqttSubscription[] {new MqttSubscription(topics.epochs(), 1)},
                        new IMqttMessageListener[] {(topic, msg) -> retained.set(msg.getPayload())});
                await().atMost(WAIT).until(() -> retained.get() != null
                        && RecordCodec.standard().decodeEpoch(retained.get()).number() == epoch.number());
                agent.disconnect();
                agent.close();
            } finally {
                worker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, String> security, String topic) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, secureBootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
