package dev.dabba.gateway;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded runner (the connector's own tasks, no worker) over real Kafka (KRaft) and a real MQTT 5 broker
 * (HiveMQ CE): complete delivery over shared subscriptions, dead letters with reasons, the epoch return path, and a
 * crash in the middle of a stream.
 */
class EmbeddedGatewayIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final RecordCodec CODEC = RecordCodec.standard();
    private static EmbeddedMqttBroker broker;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startInfrastructure() {
        broker = EmbeddedMqttBroker.start();
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Fresh topic root, Kafka topics and client ids for one test. */
    private record Setup(String id, MqttTopics topics, String records, String deadLetters, String epochs) {
        static Setup fresh() {
            String id = UUID.randomUUID().toString().substring(0, 8);
            Setup s = new Setup(id, new MqttTopics("dabba-it/" + id), "records-" + id, "dead-" + id, "epochs-" + id);
            kafka.createTopics(TopicSpec.of(s.records, 3), TopicSpec.of(s.deadLetters, 1),
                    TopicSpec.compacted(s.epochs, 1));
            return s;
        }

        GatewayConfig.Builder config() {
            return GatewayConfig.builder(broker.uri(), kafka.bootstrapServers())
                    .topics(topics)
                    .clientIdPrefix("gw-" + id)
                    .sharedGroup("gw-" + id)
                    .set(MqttSourceConfig.RECORDS_TOPIC, records)
                    .set(MqttSourceConfig.DEAD_LETTER_TOPIC, deadLetters)
                    .set(GatewayConfig.EPOCHS_TOPIC, epochs)
                    .set(GatewayConfig.EPOCHS_GROUP, "epochs-" + id);
        }
    }

    private static Set<String> eventIds(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> header(r, KafkaTopics.HEADER_EVENT_ID)).collect(Collectors.toSet());
    }

    @Test
    void recordsArriveComplete_fromFourTowers_overTwoTasksSharingTheSubscription() throws Exception {
        Setup s = Setup.fresh();
        List<Batches.Encoded> batches = new ArrayList<>();
        for (String tower : List.of("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA", "MUMBAI_DADAR")) {
            batches.addAll(Batches.stream(NodeId.of(tower), 25, 40));
        }
        Set<String> expected = batches.stream().flatMap(b -> b.eventIds().stream()).collect(Collectors.toSet());
        try (EmbeddedGateway gateway = EmbeddedGateway.start(s.config().sourceTasks(2).epochRelay(false).build());
                MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "pub-" + s.id, 8)) {
            for (Batches.Encoded b : batches) {
                publisher.publishAsync(s.topics.records(b.origin()), b.payload());
            }
            publisher.awaitAcknowledged(WAIT);
            await().atMost(WAIT).untilAsserted(() -> {
                List<ConsumerRecord<byte[], byte[]>> inKafka = readAll(kafka.bootstrapServers(), s.records);
                assertThat(eventIds(inKafka)).containsExactlyInAnyOrderElementsOf(expected);
            });
            await().atMost(WAIT).untilAsserted(() -> {
                GatewayMetrics.Snapshot m = gateway.metrics();
                assertThat(m.recordsWritten()).isEqualTo(4_000);
                assertThat(m.messagesAcknowledged()).isEqualTo(100);
                assertThat(m.inFlightMessages()).isZero();
                assertThat(m.rejectedTotal()).isZero();
            });
        }
        List<ConsumerRecord<byte[], byte[]>> inKafka = readAll(kafka.bootstrapServers(), s.records);
        assertThat(inKafka).hasSize(4_000);
        ConsumerRecord<byte[], byte[]> one = inKafka.get(0);
        String eventId = header(one, KafkaTopics.HEADER_EVENT_ID);
        assertThat(header(one, KafkaTopics.HEADER_ORIGIN)).isEqualTo(eventId.substring(0, eventId.indexOf('#')));
        assertThat(new String(one.key(), StandardCharsets.UTF_8)).startsWith("+9198765");
        assertThat(readAll(kafka.bootstrapServers(), s.deadLetters)).isEmpty();
    }

    @Test
    void forgedMalformedAndOversizedMessages_landInTheDeadLetterTopic_withReasons_andAreCounted() throws Exception {
        Setup s = Setup.fresh();
        NodeId bkc = NodeId.of("MUMBAI_BKC");
        Batches.Encoded genuine = Batches.batch(bkc, 1, 10);
        byte[] garbage = "not a batch".getBytes(StandardCharsets.UTF_8);
        byte[] huge = Batches.batch(bkc, 100, 2_000).payload();
        try (EmbeddedGateway gateway = EmbeddedGateway.start(s.config().epochRelay(false)
                        .set(MqttSourceConfig.MAX_PAYLOAD_BYTES, Integer.toString(genuine.payload().length + 100))
                        .build());
                MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "pub-" + s.id, 8)) {
            // BKC's batch published on DADAR's topic: a device writing as another one.
            publisher.publish(s.topics.records(NodeId.of("MUMBAI_DADAR")), genuine.payload());
            publisher.publish(s.topics.records(bkc), garbage);
            publisher.publish(s.topics.records(bkc), huge);
            publisher.publish(s.topics.records(bkc), genuine.payload());

            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(readAll(kafka.bootstrapServers(), s.deadLetters)).hasSize(3));
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(eventIds(readAll(kafka.bootstrapServers(), s.records)))
                            .as("the genuine batch after the bad ones is not disturbed")
                            .containsExactlyInAnyOrderElementsOf(genuine.eventIds()));
            await().atMost(WAIT).untilAsserted(() -> {
                GatewayMetrics.Snapshot m = gateway.metrics();
                assertThat(m.rejected(RejectReason.FORGED_ORIGIN)).isEqualTo(1);
                assertThat(m.rejected(RejectReason.MALFORMED)).isEqualTo(1);
                assertThat(m.rejected(RejectReason.OVERSIZED)).isEqualTo(1);
                assertThat(m.deadLettersWritten()).isEqualTo(3);
                assertThat(m.messagesAcknowledged()).isEqualTo(4);
            });
        }
        Map<String, ConsumerRecord<byte[], byte[]>> byCode = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> d : readAll(kafka.bootstrapServers(), s.deadLetters)) {
            String reason = header(d, KafkaTopics.HEADER_DLQ_REASON);
            byCode.put(reason.substring(0, reason.indexOf(':')), d);
            assertThat(header(d, KafkaTopics.HEADER_DLQ_STAGE)).isEqualTo("gateway");
        }
        assertThat(byCode).containsOnlyKeys("forged-origin", "malformed", "oversized");
        ConsumerRecord<byte[], byte[]> forged = byCode.get("forged-origin");
        assertThat(forged.value()).isEqualTo(genuine.payload());
        assertThat(header(forged, KafkaTopics.HEADER_DLQ_REASON)).contains("MUMBAI_BKC").contains("MUMBAI_DADAR");
        assertThat(header(forged, KafkaTopics.HEADER_DLQ_SOURCE))
                .isEqualTo("mqtt:" + s.topics.records(NodeId.of("MUMBAI_DADAR")));
        assertThat(byCode.get("malformed").value()).isEqualTo(garbage);
        assertThat(byCode.get("oversized").value()).isEqualTo(huge);
    }

    @Test
    void epochAnnouncements_reachASubscribedAgent_asARetainedMessage_onlyEverMovingForward() throws Exception {
        Setup s = Setup.fresh();
        NodeTable members = NodeTable.of(List.of(NodeId.of("MUMBAI_BKC"), NodeId.of("MUMBAI_ANDHERI")));
        Epoch e1 = Epoch.of(1, members, new long[] {2, 1});
        Epoch e2 = Epoch.of(2, members, new long[] {5, 3});
        Epoch stale = Epoch.of(1, members, new long[] {1, 1});
        Epoch backwards = Epoch.of(3, members, new long[] {4, 9});
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(epochRecord(s.epochs, e1)).get();
            producer.send(epochRecord(s.epochs, e2)).get();
        }
        try (EmbeddedGateway gateway = EmbeddedGateway.start(s.config().build())) {
            await().atMost(WAIT).until(() -> gateway.metrics().lastEpochPublished() == 2);
            assertThat(retainedEpoch(s.topics)).isEqualTo(e2);

            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                producer.send(epochRecord(s.epochs, stale)).get();
                producer.send(new ProducerRecord<>(s.epochs, utf8("9"), new byte[] {1, 2, 3})).get();
                producer.send(epochRecord(s.epochs, backwards)).get();
            }
            await().atMost(WAIT).untilAsserted(() -> {
                GatewayMetrics.Snapshot m = gateway.metrics();
                assertThat(m.epochsStale()).isEqualTo(1);
                assertThat(m.epochsRejected()).isEqualTo(2);
            });
            assertThat(retainedEpoch(s.topics)).as("still the newest monotone epoch").isEqualTo(e2);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(kafka.bootstrapServers(), s.deadLetters);
        assertThat(dead).extracting(d -> header(d, KafkaTopics.HEADER_DLQ_REASON))
                .anySatisfy(r -> assertThat(r).startsWith("malformed epoch announcement"))
                .anySatisfy(r -> assertThat(r).contains("epoch 3 does not extend epoch 2"));
        assertThat(dead).extracting(d -> header(d, KafkaTopics.HEADER_DLQ_SOURCE))
                .allSatisfy(src -> assertThat(src).startsWith("kafka:" + s.epochs + "/0@"));

        // A broker with no retained announcement (new topic root, same Kafka topic and committed offsets): the
        // relay re-reads the compacted topic and announces the newest epoch again.
        MqttTopics wiped = new MqttTopics("dabba-it/" + s.id + "-wiped");
        try (EmbeddedGateway again = EmbeddedGateway.start(s.config().topics(wiped).build())) {
            await().atMost(WAIT).until(() -> again.metrics().lastEpochPublished() == 2);
            assertThat(retainedEpoch(wiped)).isEqualTo(e2);
        }
    }

    @Test
    void haltInTheMiddleOfAStream_thenRestart_everyRecordIsInKafka_andDuplicatesCarryTheSameEventId()
            throws Exception {
        Setup s = Setup.fresh();
        List<Batches.Encoded> batches = new ArrayList<>();
        batches.addAll(Batches.stream(NodeId.of("MUMBAI_BKC"), 120, 100));
        batches.addAll(Batches.stream(NodeId.of("MUMBAI_ANDHERI"), 120, 100));
        Set<String> expected = batches.stream().flatMap(b -> b.eventIds().stream()).collect(Collectors.toSet());
        GatewayConfig config = s.config().sourceTasks(2).epochRelay(false)
                .set(MqttSourceConfig.RECEIVE_MAXIMUM, "16").build();

        ExecutorService pool = Executors.newSingleThreadExecutor();
        EmbeddedGateway first = EmbeddedGateway.start(config);
        try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "pub-" + s.id, 8)) {
            // The first half streams in while the gateway runs, the second half after the halt: the halt always
            // falls in the middle of the stream, whatever the machine's speed.
            List<Batches.Encoded> firstHalf = batches.subList(0, batches.size() / 2);
            List<Batches.Encoded> secondHalf = batches.subList(batches.size() / 2, batches.size());
            Future<?> publishing = pool.submit(() -> {
                for (Batches.Encoded b : firstHalf) {
                    publisher.publishAsync(s.topics.records(b.origin()), b.payload());
                }
                return null;
            });
            await().atMost(WAIT).until(() -> first.metrics().recordsWritten() >= 3_000);
            first.halt();
            publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (Batches.Encoded b : secondHalf) {
                publisher.publishAsync(s.topics.records(b.origin()), b.payload());
            }
            publisher.awaitAcknowledged(WAIT);
            assertThat(readAll(kafka.bootstrapServers(), s.records).size()).as("halted in the middle")
                    .isLessThan(expected.size());

            try (EmbeddedGateway second = EmbeddedGateway.start(config)) {
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(eventIds(readAll(kafka.bootstrapServers(), s.records)))
                                .containsExactlyInAnyOrderElementsOf(expected));
                await().atMost(WAIT).until(() -> second.metrics().inFlightMessages() == 0);
            }
        } finally {
            pool.shutdownNow();
        }
        List<ConsumerRecord<byte[], byte[]>> inKafka = readAll(kafka.bootstrapServers(), s.records);
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = inKafka.stream()
                .collect(Collectors.groupingBy(r -> header(r, KafkaTopics.HEADER_EVENT_ID)));
        assertThat(byId.keySet()).isEqualTo(expected);
        for (List<ConsumerRecord<byte[], byte[]>> copies : byId.values()) {
            ConsumerRecord<byte[], byte[]> firstCopy = copies.get(0);
            for (ConsumerRecord<byte[], byte[]> copy : copies) {
                assertThat(copy.value()).as("a duplicate is the same record").isEqualTo(firstCopy.value());
                assertThat(copy.key()).isEqualTo(firstCopy.key());
            }
        }
        System.out.printf("halt/restart: %d records in Kafka for %d unique, %d duplicates%n", inKafka.size(),
                expected.size(), inKafka.size() - expected.size());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> epochRecord(String topic, Epoch e) {
        return new ProducerRecord<>(topic, utf8(Long.toString(e.number())), CODEC.encodeEpoch(e));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What an agent subscribing now receives on the epochs topic: the retained announcement. */
    static Epoch retainedEpoch(MqttTopics topics) throws Exception {
        LinkedBlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttAsyncClient agent = new MqttAsyncClient(broker.uri(), "agent-" + UUID.randomUUID(),
                new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        agent.setCallback(new MessageCollector(received));
        agent.connect(o).waitForCompletion(30_000);
        try {
            agent.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription(topics.epochs(), 1))
                    .waitForCompletion(30_000);
            MqttMessage m = received.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a retained announcement on " + topics.epochs()).isNotNull();
            assertThat(m.isRetained()).isTrue();
            return CODEC.decodeEpoch(m.getPayload());
        } finally {
            agent.disconnect().waitForCompletion(10_000);
            agent.close(true);
        }
    }
}
