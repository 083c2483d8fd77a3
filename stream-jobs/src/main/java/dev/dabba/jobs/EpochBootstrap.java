package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the latest committed epoch announcement from the epochs topic, so a job started without state continues
 * the numbering, member table and base of the epochs already announced instead of announcing epoch 1 again.
 */
public final class EpochBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(EpochBootstrap.class);
    private static final String CLIENT_ID = "dabba-billing-epoch-bootstrap";

    private EpochBootstrap() {
    }

    /**
     * As {@link #latest(String, Map, String, Duration)}, but when the topic exists and holds no epoch, first opens a
     * new lineage: writes its opening epoch (numbered and named by the wall clock {@code nowMillis}, no members, an
     * empty base) and returns it. The job continues from it like from any announced epoch.
     *
     * <p>Why announce an epoch that says nothing: agents that still hold the epochs of a lost lineage encode their
     * records against them, and the job can decode none of those, so its frontier, and with it its first real
     * announcement, would never come. The opening epoch reaches them through the relay at once; they move to the new
     * lineage and re-send what they have not had acknowledged with full clocks. Adopting it costs nothing: its base is
     * empty, so it adds no knowledge and no false causality.
     */
    public static Epoch latestOrOpen(String bootstrapServers, Map<String, String> clientProperties, String topic,
            Duration timeout, long nowMillis) {
        Epoch latest = latest(bootstrapServers, clientProperties, topic, timeout);
        if (latest.number() != Epoch.GENESIS.number() || !topicExists(bootstrapServers, clientProperties, topic,
                timeout)) {
            return latest;
        }
        Epoch opening = Epoch.of(nowMillis, nowMillis, NodeTable.EMPTY, new long[0]);
        Properties p = KafkaClients.writer(bootstrapServers, clientProperties, CLIENT_ID);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(120_000, timeout.toMillis()));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(JsonSerializers.Epochs.record(topic, opening)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the opening epoch to " + topic, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not write the opening epoch to " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        LOG.warn("{} holds no epoch: opened lineage {} (a new installation, or the topic's epochs were lost; agents "
                + "that hold an earlier lineage move to this one)", topic, opening.lineage());
        return opening;
    }

    private static boolean topicExists(String bootstrapServers, Map<String, String> clientProperties, String topic,
            Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers,
                clientProperties), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            return infos != null && !infos.isEmpty();
        }
    }

    private static Properties consumerProperties(String bootstrapServers, Map<String, String> clientProperties) {
        return KafkaClients.reader(bootstrapServers, clientProperties, CLIENT_ID);
    }

    /** The highest-numbered well-formed epoch in {@code topic}, or genesis when there is none. */
    public static Epoch latest(String bootstrapServers, String topic, Duration timeout) {
        return latest(bootstrapServers, Map.of(), topic, timeout);
    }

    /** As {@link #latest(String, String, Duration)}, with Kafka client properties such as security settings. */
    public static Epoch latest(String bootstrapServers, Map<String, String> clientProperties, String topic,
            Duration timeout) {
        Properties p = consumerProperties(bootstrapServers, clientProperties);
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
