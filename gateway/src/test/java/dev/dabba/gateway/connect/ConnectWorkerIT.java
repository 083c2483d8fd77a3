package dev.dabba.gateway.connect;

import static dev.dabba.gateway.testing.KafkaTopicReader.header;
import static dev.dabba.gateway.testing.KafkaTopicReader.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.ConnectRest;
import dev.dabba.gateway.testing.ConnectWorkers;
import dev.dabba.gateway.testing.MessageCollector;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both connectors on a real Kafka Connect worker (distributed herder, REST API, plugin discovery through the
 * service manifests) started in this JVM from connect-runtime, with exactly-once source support enabled on the
 * worker, against embedded Kafka (KRaft) and HiveMQ CE.
 */
class ConnectWorkerIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String ROOT = "dabba-connect-it";
    private static final String SOURCE = "dabba-mqtt-source";
    private static final String EPOCHS = "dabba-epoch-sink";
    private static final String RECORDS_TOPIC = "connect-it-records";
    private static final String DLQ_TOPIC = "connect-it-dead-letters";
    private static final String EPOCHS_TOPIC = "connect-it-epochs";
    private static final String EPOCHS_DLQ_TOPIC = "connect-it-epochs-dead-letters";
    private static final RecordCodec CODEC = RecordCodec.standard();

    private static EmbeddedMqttBroker broker;
    private static EmbeddedKafka kafka;
    private static Connect<DistributedHerder> worker;
    private static ConnectRest rest;

    @BeforeAll
    static void start() throws Exception {
        // A Connect worker that fails to start calls Exit: fail the test instead of ending the JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Connect tried to exit with " + code + ": " + message);
        });
        broker = EmbeddedMqttBroker.start();
        kafka = EmbeddedKafka.start();
        kafka.createTopics(TopicSpec.of(RECORDS_TOPIC, 3), TopicSpec.of(DLQ_TOPIC, 1),
                TopicSpec.compacted(EPOCHS_TOPIC, 1), TopicSpec.of(EPOCHS_DLQ_TOPIC, 1));
        Map<String, String> w = ConnectWorkers.worker(kafka.bootstrapServers(), "dabba-connect-it",
                "http://127.0.0.1:0", "", true);
        // A task restarted gets its new instance at once, while the old one still stops (the worker waits this long
        // for it; after a rebalance under load the old one can take seconds, draining to Kafka).
        w.put("task.shutdown.graceful.timeout.ms", "1");
        worker = new ConnectDistributed().startConnect(w);
        rest = new ConnectRest(worker.rest().serverUrl());
        await().atMost(WAIT).until(rest::isUp);
        assertThat(rest.putConnector(SOURCE, ConnectWorkers.source(broker.uri(), ROOT, "connect-it", 2,
                RECORDS_TOPIC, DLQ_TOPIC)).status()).isIn(200, 201);
        assertThat(rest.putConnector(EPOCHS, ConnectWorkers.epochSink(broker.uri(), ROOT, "connect-it-epochs",
                EPOCHS_TOPIC, EPOCHS_DLQ_TOPIC)).status()).isIn(200, 201);
        await().atMost(WAIT).until(() -> rest.status(SOURCE), s -> s.equals("RUNNING [RUNNING, RUNNING]"));
        await().atMost(WAIT).until(() -> rest.status(EPOCHS), s -> s.equals("RUNNING [RUNNING]"));
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.stop();
            worker.awaitStop();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
        Exit.resetExitProcedure();
    }

    @Test
    void recordsArriveComplete_andBadMessagesAreDeadLettered_andCountedInPluginMetrics() throws Exception {
        MqttTopics topics = new MqttTopics(ROOT);
        List<Batches.Encoded> batches = new ArrayList<>();
        for (String tower : List.of("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA")) {
            batches.addAll(Batches.stream(NodeId.of(tower), 20, 50));
        }
        Set<String> expected = batches.stream().flatMap(b -> b.eventIds().stream()).collect(Collectors.toSet());
        try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "connect-it-publisher", 8)) {
            for (Batches.Encoded b : batches) {
                publisher.publishAsync(topics.records(b.origin()), b.payload());
            }
            publisher.publish(topics.records(NodeId.of("MUMBAI_DADAR")), batches.get(0).payload());
            publisher.publish(topics.records(NodeId.of("MUMBAI_BKC")), new byte[] {0x44, 0x42, 0x09});
            publisher.awaitAcknowledged(WAIT);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(), RECORDS_TOPIC)
                .stream().map(r -> header(r, KafkaTopics.HEADER_EVENT_ID)).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(expected));
        await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(), DLQ_TOPIC))
                .extracting(r -> header(r, KafkaTopics.HEADER_DLQ_REASON))
                .hasSize(2)
                .anySatisfy(r -> assertThat(r).startsWith("forged-origin:").contains("MUMBAI_DADAR"))
                .anySatisfy(r -> assertThat(r).startsWith("malformed:")));
        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka.bootstrapServers(), RECORDS_TOPIC);
        assertThat(records).as("values are the wire-format bytes, unchanged by the worker's converters")
                .allSatisfy(r -> assertThat(r.value()[0]).isEqualTo((byte) 0x44));

        // Plugin metrics (KIP-877) of the two source tasks, through the worker's JMX reporter.
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        await().atMost(WAIT).untilAsserted(() -> {
            long written = 0;
            long forged = 0;
            for (ObjectName n : jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector=" + SOURCE
                    + ",*"), null)) {
                written += ((Number) jmx.getAttribute(n, "records-written-total")).longValue();
                forged += ((Number) jmx.getAttribute(n, "messages-rejected-forged-origin-total")).longValue();
            }
            assertThat(written).isEqualTo(expected.size());
            assertThat(forged).isEqualTo(1);
        });
    }

    @Test
    void aTaskRestartedWhileItsOldInstanceStillStops_keepsRunning_andRegistersItsMetricsOnceTheOldOneIsGone()
            throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName task0 = new ObjectName("kafka.connect:type=plugins,connector=" + SOURCE + ",task=0");
        assertThat(rest.post("/connectors/" + SOURCE + "/tasks/0/restart").status()).isIn(200, 202, 204);
        // The new instance started while the old one held the metric names. Before ConnectMetrics waited for them,
        // its start() failed on "A metric named ... already exists" and the task stayed FAILED.
        await().atMost(WAIT).during(Duration.ofSeconds(3))
                .until(() -> rest.status(SOURCE), s -> s.equals("RUNNING [RUNNING, RUNNING]"));
        // By now (3 s on) the old instance has stopped and its metrics went with it: these are the new one's.
        await().atMost(WAIT).during(Duration.ofSeconds(3)).until(() -> jmx.isRegistered(task0)
                && ((Number) jmx.getAttribute(task0, "mqtt-connects-total")).longValue() == 1);
    }

    @Test
    void epochAnnouncementFromKafka_reachesASubscribedAgent_asARetainedMessage() throws Exception {
        NodeTable members = NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"), NodeId.of("MUMBAI_ANDHERI")));
        Epoch e4 = Epoch.of(4, members, new long[] {7, 2});
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(EPOCHS_TOPIC, "4".getBytes(StandardCharsets.UTF_8),
                    CODEC.encodeEpoch(e4))).get();
            producer.send(new ProducerRecord<>(EPOCHS_TOPIC, "x".getBytes(StandardCharsets.UTF_8),
                    new byte[] {7})).get();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(retained(new MqttTopics(ROOT))).isEqualTo(e4));
        await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(), EPOCHS_DLQ_TOPIC))
                .as("the undecodable announcement, through Connect's dead-letter queue").hasSize(1));
    }

    @Test
    void validation_rejectsConvertersThatWouldChangeTheBytes_andToleranceThatWouldAckUnwrittenRecords()
            throws Exception {
        Map<String, String> bad = new HashMap<>(ConnectWorkers.source(broker.uri(), ROOT, "bad", 1, RECORDS_TOPIC,
                DLQ_TOPIC));
        bad.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        bad.put("errors.tolerance", "all");
        ConnectRest.Response r = rest.put("/connector-plugins/MqttSourceConnector/config/validate", bad);
        assertThat(r.status()).isEqualTo(200);
        Map<String, String> errors = new HashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode c : r.body().path("configs")) {
            if (!c.path("value").path("errors").isEmpty()) {
                errors.put(c.path("value").path("name").asText(), c.path("value").path("errors").toString());
            }
        }
        assertThat(errors).containsKeys("value.converter", "errors.tolerance");
        assertThat(errors.get("value.converter")).contains("must be " + ConnectWorkers.BYTES);
        assertThat(errors.get("errors.tolerance")).contains("must be 'none'");
        bad.put("name", "bad-source");
        assertThat(rest.putConnector("bad-source", bad).status()).isEqualTo(400);
    }

    private static Epoch retained(MqttTopics topics) throws Exception {
        LinkedBlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttAsyncClient agent = new MqttAsyncClient(broker.uri(), "connect-it-agent", new MemoryPersistence());
        agent.setCallback(new MessageCollector(received));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        agent.connect(o).waitForCompletion(30_000);
        try {
            agent.subscribe(new MqttSubscription(topics.epochs(), 1)).waitForCompletion(30_000);
            MqttMessage m = received.poll(5, TimeUnit.SECONDS);
            assertThat(m).as("a retained announcement").isNotNull();
            assertThat(m.isRetained()).isTrue();
            return CODEC.decodeEpoch(m.getPayload());
        } finally {
            agent.disconnect().waitForCompletion(10_000);
            agent.close(true);
        }
    }
}
