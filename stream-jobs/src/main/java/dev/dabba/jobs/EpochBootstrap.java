package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the latest committed epoch announcement from the epochs topic, so a job started without state continues
 * the numbering, member table and base of the epochs already announced instead of announcing epoch 1 again.
 */
public final class EpochBootstrap {

    private EpochBootstrap() {
    }

    /** The highest-numbered well-formed epoch in {@code topic}, or genesis when there is none. */
    public static Epoch latest(String bootstrapServers, String topic, Duration timeout) {
        return latest(bootstrapServers, Map.of(), topic, timeout);
    }

    /** As {@link #latest(String, String, Duration)}, with Kafka client properties such as security settings. */
    public static Epoch latest(String bootstrapServers, Map<String, String> clientProperties, String topic,
            Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dabba-billing-epoch-bootstrap");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        RecordCodec codec = RecordCodec.standard();
        Epoch latest = Epoch.GENESIS;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return latest; // no epochs topic yet: nothing was ever announced
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        Epoch e = codec.decodeEpoch(r.value());
                        if (e.number() > latest.number()) {
                            latest = e;
                        }
                    } catch (WireFormatException e) {
                        // Not an epoch the authority wrote; the decode operator ignores it too.
                    }
                }
            }
        }
        return latest;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
