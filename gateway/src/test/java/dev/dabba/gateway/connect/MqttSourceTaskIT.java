package dev.dabba.gateway.connect;

import static dev.dabba.gateway.testing.KafkaTopicReader.header;
import static dev.dabba.gateway.testing.KafkaTopicReader.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The source task driven by hand against HiveMQ CE and Kafka, to place a crash exactly where at-least-once shows:
 * after Kafka acknowledged the records, before the PUBACK; and, on Mosquitto, Kafka acknowledging a later message
 * before an earlier one; and the task subscribed over WebSocket.
 */
class MqttSourceTaskIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedMqttBroker broker;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startInfrastructure() {
        broker = EmbeddedMqttBroker.builder().webSocket(true).start();
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

    private record Run(String id, MqttTopics topics, String records, Map<String, String> props) {
        static Run fresh() {
            return fresh(broker.uri());
        }

        static Run fresh(String brokerUri) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            MqttTopics topics = new MqttTopics("dabba-task-it/" + id);
            String records = "task-records-" + id;
            kafka.createTopics(TopicSpec.of(records, 2), TopicSpec.of("task-dead-" + id, 1));
            Map<String, String> props = new HashMap<>();
            props.put(MqttClientSettings.SERVER_URIS, brokerUri);
            props.put(MqttClientSettings.TOPIC_ROOT, topics.root());
            props.put(MqttClientSettings.CLIENT_ID, "task-it-" + id);
            props.put(MqttSourceConfig.RECORDS_TOPIC, records);
            props.put(MqttSourceConfig.DEAD_LETTER_TOPIC, "task-dead-" + id);
            props.put(MqttSourceConfig.POLL_TIMEOUT_MS, "100");
            props.put(MqttSourceConfig.SHARED_GROUP, "");
            return new Run(id, topics, records, props);
        }

        MqttSourceTask start() {
            MqttSourceTask task = new MqttSourceTask();
            task.initialize(new NoContext(props));
            task.start(props);
            return task;
        }
    }

    /** Polls until {@code count} records came out of the task. */
    private static List<SourceRecord> pollRecords(MqttSourceTask task, int count) {
        List<SourceRecord> out = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            List<SourceRecord> polled = task.poll();
            if (polled != null) {
                out.addAll(polled);
            }
            return out.size() >= count;
        });
        assertThat(out).hasSize(count);
        return out;
    }

    private static RecordMetadata write(KafkaProducer<byte[], byte[]> producer, SourceRecord r) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h.key(), (byte[]) h.value());
        }
        return producer.send(new ProducerRecord<>(r.topic(), null, r.timestamp(), (byte[]) r.key(),
                (byte[]) r.value(), headers)).get();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void crashAfterKafkaAcknowledgedBeforeThePuback_redeliversTheMessage_andTheDuplicatesAreIdentical()
            throws Exception {
        Run run = Run.fresh();
        List<Batches.Encoded> batches = Batches.stream(NodeId.of("MUMBAI_BKC"), 3, 20);
        try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "pub-" + run.id, 8);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            run.start().stop(); // the session exists; the batches queue in it while the task is away
            for (Batches.Encoded b : batches) {
                publisher.publish(run.topics.records(b.origin()), b.payload());
            }
            MqttSourceTask first = run.start();
            for (SourceRecord r : pollRecords(first, 60)) {
                write(producer, r); // in Kafka, acknowledged, but commitRecord never reached the task
            }
            first.kill();
            assertThat(first.metrics().snapshot().messagesAcknowledged()).isZero();

            MqttSourceTask second = run.start();
            for (SourceRecord r : pollRecords(second, 60)) {
                second.commitRecord(r, write(producer, r));
            }
            await().atMost(WAIT).until(() -> second.metrics().snapshot().messagesAcknowledged() == 3);
            second.stop();

            MqttSourceTask third = run.start();
            await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> third.poll() == null);
            third.stop();
        }
        List<ConsumerRecord<byte[], byte[]>> inKafka = readAll(kafka.bootstrapServers(), run.records);
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = inKafka.stream()
                .collect(Collectors.groupingBy(r -> header(r, KafkaTopics.HEADER_EVENT_ID)));
        assertThat(byId).hasSize(60);
        assertThat(byId.values()).allSatisfy(copies -> {
            assertThat(copies).as("written before the crash and again after the redelivery").hasSize(2);
            assertThat(copies.get(1).value()).isEqualTo(copies.get(0).value());
            assertThat(copies.get(1).key()).isEqualTo(copies.get(0).key());
        });
    }

    @Test
    void laterMessageFullyWritten_isNotAcknowledgedBeforeAnEarlierOne_onMosquitto() throws Exception {
        assumeTrue(MosquittoProbe.isReachable("127.0.0.1", 1883),
                "needs Mosquitto on 127.0.0.1:1883, which sends several unacknowledged messages at once (HiveMQ "
                        + "CE sends a session's next messages only once those in flight are acknowledged)");
        Run run = Run.fresh("tcp://127.0.0.1:1883");
        Batches.Encoded a = Batches.batch(NodeId.of("MUMBAI_BKC"), 1, 5);
        Batches.Encoded b = Batches.batch(NodeId.of("MUMBAI_BKC"), 6, 5);
        try (MqttPublisher publisher = MqttPublisher.connect("tcp://127.0.0.1:1883", "pub-" + run.id, 8);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            MqttSourceTask first = run.start();
            publisher.publish(run.topics.records(a.origin()), a.payload());
            publisher.publish(run.topics.records(b.origin()), b.payload());
            List<SourceRecord> records = pollRecords(first, 10);
            // Kafka acknowledges all of B, and A only partly: B's PUBACK must wait for A.
            for (SourceRecord r : records.subList(5, 10)) {
                first.commitRecord(r, write(producer, r));
            }
            for (SourceRecord r : records.subList(0, 4)) {
                first.commitRecord(r, write(producer, r));
            }
            assertThat(first.metrics().snapshot().messagesAcknowledged()).isZero();
            assertThat(first.metrics().snapshot().inFlightMessages()).isEqualTo(2);
            first.kill();

            MqttSourceTask second = run.start();
            List<SourceRecord> again = pollRecords(second, 10);
            assertThat(again.stream().map(r -> new String((byte[]) r.headers().lastWithName(
                    KafkaTopics.HEADER_EVENT_ID).value(), java.nio.charset.StandardCharsets.UTF_8)))
                    .as("both messages come back, in their order")
                    .containsExactlyElementsOf(concat(a.eventIds(), b.eventIds()));
            for (int i = again.size() - 1; i >= 0; i--) {
                second.commitRecord(again.get(i), write(producer, again.get(i)));
            }
            assertThat(second.metrics().snapshot().messagesAcknowledged()).isEqualTo(2);
            second.stop();
        }
    }

    @Test
    void taskSubscribedOverWebSocket_receivesTheBatches_andAcknowledgesThemOnceInKafka() throws Exception {
        Run run = Run.fresh(broker.webSocketUri());
        List<Batches.Encoded> batches = Batches.stream(NodeId.of("MUMBAI_BKC"), 3, 4);
        try (MqttPublisher publisher = MqttPublisher.connect(broker.uri(), "pub-" + run.id, 8);
                KafkaProducer<byte[], byte[]> producer = producer()) {
            MqttSourceTask task = run.start();
            for (Batches.Encoded b : batches) {
                publisher.publish(run.topics.records(b.origin()), b.payload());
            }
            // As a Connect worker would: each record written and committed, which acknowledges its message (HiveMQ
            // CE sends a session's next message once the one in flight is acknowledged)
            List<SourceRecord> records = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                List<SourceRecord> polled = task.poll();
                for (SourceRecord r : polled == null ? List.<SourceRecord>of() : polled) {
                    task.commitRecord(r, write(producer, r));
                    records.add(r);
                }
                return records.size() >= 12;
            });
            assertThat(records).extracting(SourceRecord::topic).containsOnly(run.records);
            assertThat(records.stream().map(r -> new String((byte[]) r.headers().lastWithName(
                    KafkaTopics.HEADER_EVENT_ID).value(), java.nio.charset.StandardCharsets.UTF_8)))
                    .containsExactlyElementsOf(batches.stream().flatMap(b -> b.eventIds().stream()).toList());
            await().atMost(WAIT).until(() -> task.metrics().snapshot().messagesAcknowledged() == 3);
            task.stop();
        }
    }

    private static List<String> concat(List<String> x, List<String> y) {
        List<String> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    private static final class NoContext implements SourceTaskContext {
        private final Map<String, String> configs;

        NoContext(Map<String, String> configs) {
            this.configs = configs;
        }

        @Override
        public Map<String, String> configs() {
            return configs;
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return null;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }
}
