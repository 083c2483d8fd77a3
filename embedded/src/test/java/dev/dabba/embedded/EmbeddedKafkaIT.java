package dev.dabba.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void createsPartitionedAndCompactedTopics_andRoundTrips100IdempotentRecordsThroughAConsumerGroup()
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = admin(kafka)) {
            kafka.createTopics(TopicSpec.of("usage", 3), TopicSpec.compacted("epochs", 1));

            assertThat(admin.describeTopics(List.of("usage")).allTopicNames().get().get("usage").partitions())
                    .hasSize(3);
            ConfigResource epochs = new ConfigResource(ConfigResource.Type.TOPIC, "epochs");
            Config epochsConfig = admin.describeConfigs(List.of(epochs)).all().get().get(epochs);
            assertThat(epochsConfig.get("cleanup.policy").value()).isEqualTo("compact");

            Set<Integer> partitionsWritten = new HashSet<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(idempotentProducerConfig(kafka))) {
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    sends.add(producer.send(new ProducerRecord<>("usage", "user-" + i, "record-" + i)));
                }
                for (Future<RecordMetadata> send : sends) {
                    partitionsWritten.add(send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).partition());
                }
            }
            assertThat(partitionsWritten).as("records spread over the 3 partitions").containsExactlyInAnyOrder(0, 1, 2);

            Map<String, String> received = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(kafka, "it-group"))) {
                consumer.subscribe(List.of("usage"));
                await().atMost(TIMEOUT).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        received.put(r.key(), r.value());
                    }
                    return received.size() >= 100;
                });
                consumer.commitSync(TIMEOUT);
            }
            assertThat(received).hasSize(100).containsEntry("user-0", "record-0").containsEntry("user-99", "record-99");

            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("it-group")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .as("offsets committed by the consumer group").isEqualTo(100);
        }
    }

    @Test
    void commitsTransactions_andReadCommittedConsumersSkipAbortedOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(Map.of("bills", 2));

            Map<String, Object> config = idempotentProducerConfig(kafka);
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-it");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("bills", "committed-" + i, "v"));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("bills", "aborted-" + i, "v"));
                }
                producer.flush();
                producer.abortTransaction();
            }

            Map<String, Object> consumerConfig = consumerConfig(kafka, "tx-group");
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<String> keys = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                consumer.subscribe(List.of("bills"));
                List<TopicPartition> partitions = List.of(new TopicPartition("bills", 0),
                        new TopicPartition("bills", 1));
                await().atMost(TIMEOUT).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                    return !consumer.assignment().isEmpty() && consumedToEnd(consumer, partitions);
                });
            }
            assertThat(keys).containsExactlyInAnyOrder(
                    "committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
        }
    }

    @Test
    void startsAgainInTheSameJvm_withFreshState_andClosesWithoutLeavingThreadsOrFiles() throws Exception {
        Set<Thread> before = Threads.nonDaemon();
        Path firstDirectory;
        String firstCluster;
        try (EmbeddedKafka first = EmbeddedKafka.start()) {
            firstDirectory = first.dataDirectory();
            firstCluster = first.clusterId();
            first.createTopics(Map.of("usage", 1));
            assertThat(roundTrip(first, "usage")).isEqualTo("hello");
        }
        assertThat(firstDirectory).doesNotExist();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Threads.startedSince(before)).isEmpty());

        try (EmbeddedKafka second = EmbeddedKafka.start()) {
            assertThat(second.clusterId()).isNotEqualTo(firstCluster);
            assertThat(Files.exists(second.dataDirectory())).isTrue();
            second.createTopics(Map.of("usage", 1)); // would fail with "already exists" if state had leaked
            assertThat(roundTrip(second, "usage")).isEqualTo("hello");
            assertThatThrownBy(() -> second.createTopics(Map.of("usage", 1)))
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageContaining("already exists");
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Threads.startedSince(before)).isEmpty());
    }

    @Test
    void keepsTopicsAndRecords_whenRestartedOnTheSameDirectoryAndPorts(@TempDir Path directory) throws Exception {
        int brokerPort;
        int controllerPort;
        String clusterId;
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDirectory(directory).start()) {
            brokerPort = first.brokerPort();
            controllerPort = first.controllerPort();
            clusterId = first.clusterId();
            first.createTopics(Map.of("usage", 1));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(idempotentProducerConfig(first))) {
                producer.send(new ProducerRecord<>("usage", "k", "before restart")).get();
            }
        }
        assertThat(directory.resolve("meta.properties")).as("caller's directory is kept").exists();

        try (EmbeddedKafka second = EmbeddedKafka.builder()
                .brokerPort(brokerPort).controllerPort(controllerPort).dataDirectory(directory).start()) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(roundTripValues(second, "usage", 1)).containsExactly("before restart");
        }
    }

    @Test
    void failsWithAClearMessage_whenTheConfiguredPortIsTaken() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertThatThrownBy(() -> EmbeddedKafka.builder().brokerPort(kafka.brokerPort()).start())
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageContaining("port " + kafka.brokerPort())
                    .hasMessageContaining("already in use");
        }
    }

    private static String roundTrip(EmbeddedKafka kafka, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(idempotentProducerConfig(kafka))) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return roundTripValues(kafka, topic, 1).get(0);
    }

    private static List<String> roundTripValues(EmbeddedKafka kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(kafka, "round-trip"))) {
            consumer.subscribe(List.of(topic));
            await().atMost(TIMEOUT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static boolean consumedToEnd(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static Map<String, Object> idempotentProducerConfig(EmbeddedKafka kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static Map<String, Object> consumerConfig(EmbeddedKafka kafka, String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }
}
