package dev.dabba.gateway;

import static dev.dabba.gateway.testing.KafkaTopicReader.header;
import static dev.dabba.gateway.testing.KafkaTopicReader.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.MessageCollector;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded gateway against the machine's Mosquitto 2 on 127.0.0.1:1883 (shared by other test runs, hence a
 * topic root of its own): shared subscriptions over two tasks, dead letters, and the retained epoch.
 */
class MosquittoGatewayIT {

    private static final String MOSQUITTO = "tcp://127.0.0.1:1883";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        assumeTrue(MosquittoProbe.isReachable("127.0.0.1", 1883),
                "no MQTT broker answers on 127.0.0.1:1883 (Mosquitto runs there on CI machines)");
        kafka = EmbeddedKafka.start();
        kafka.createTopics(TopicSpec.of(KafkaTopics.RECORDS, 3), TopicSpec.of(KafkaTopics.DEAD_LETTERS, 1),
                TopicSpec.compacted(KafkaTopics.EPOCHS, 1));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void recordsArriveComplete_forgedBatchIsDeadLettered_andTheEpochIsRetained() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        MqttTopics topics = new MqttTopics("dabba-it/" + id);
        List<Batches.Encoded> batches = new ArrayList<>();
        for (String tower : List.of("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA")) {
            batches.addAll(Batches.stream(NodeId.of(tower), 30, 50));
        }
        Set<String> expected = batches.stream().flatMap(b -> b.eventIds().stream()).collect(Collectors.toSet());
        Epoch epoch = Epoch.of(1, NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"))), new long[] {30});
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(KafkaTopics.EPOCHS, "1".getBytes(StandardCharsets.UTF_8),
                    RecordCodec.standard().encodeEpoch(epoch))).get();
        }
        GatewayConfig config = GatewayConfig.builder(MOSQUITTO, kafka.bootstrapServers()).topics(topics)
                .clientIdPrefix("gw-" + id).sharedGroup("gw-" + id).sourceTasks(2)
                .set(GatewayConfig.EPOCHS_GROUP, "epochs-" + id)
                .set(MqttSourceConfig.SESSION_EXPIRY_SECONDS, "60").build();
        try (EmbeddedGateway gateway = EmbeddedGateway.start(config);
                MqttPublisher publisher = MqttPublisher.connect(MOSQUITTO, "pub-" + id, 16)) {
            for (Batches.Encoded b : batches) {
                publisher.publishAsync(topics.records(b.origin()), b.payload());
            }
            publisher.publish(topics.records(NodeId.of("MUMBAI_DADAR")), batches.get(0).payload());
            publisher.awaitAcknowledged(WAIT);
            await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(),
                    KafkaTopics.RECORDS).stream().map(r -> header(r, KafkaTopics.HEADER_EVENT_ID))
                    .filter(expected::contains).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrderElementsOf(expected));
            await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.metrics().rejected(
                    RejectReason.FORGED_ORIGIN)).isEqualTo(1));
            await().atMost(WAIT).until(() -> gateway.metrics().lastEpochPublished() == 1);
        }
        assertThat(readAll(kafka.bootstrapServers(), KafkaTopics.DEAD_LETTERS))
                .anySatisfy(d -> assertThat(header(d, KafkaTopics.HEADER_DLQ_SOURCE))
                        .isEqualTo("mqtt:" + topics.records(NodeId.of("MUMBAI_DADAR"))));

        LinkedBlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttAsyncClient agent = new MqttAsyncClient(MOSQUITTO, "agent-" + id, new MemoryPersistence());
        agent.setCallback(new MessageCollector(received));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        agent.connect(o).waitForCompletion(30_000);
        try {
            agent.subscribe(new MqttSubscription(topics.epochs(), 1)).waitForCompletion(30_000);
            MqttMessage m = received.poll(30, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.isRetained()).isTrue();
            assertThat(RecordCodec.standard().decodeEpoch(m.getPayload())).isEqualTo(epoch);
            // Clear the retained message: the broker is shared.
            agent.publish(topics.epochs(), new byte[0], 1, true).waitForCompletion(30_000);
        } finally {
            agent.disconnect().waitForCompletion(10_000);
            agent.close(true);
        }
    }
}
