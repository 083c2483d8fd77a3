package dev.dabba.deploy.replay;

import dev.dabba.agent.internal.state.EpochStore;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.jobs.KafkaClients;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts records the billing job dead-lettered for an <b>unknown epoch</b> back on {@code dabba.records}, decoded with
 * epochs kept in towers' state directories and re-encoded with their full clocks (the genesis encoding every job
 * decodes).
 *
 * <p>What it is for: a Kafka cluster rebuilt without {@code dabba.epochs} makes the job open a new epoch lineage; the
 * towers move to it by themselves, but records the MQTT broker had already taken against the lost lineage reach the
 * new job encoded against epochs it never saw, and are dead-lettered. Towers keep the epochs of a lineage they left
 * ({@code STATE/epochs/}), so those records can be read again here. Replaying is idempotent for the bills: the job
 * bills each event id once, so running it twice, or replaying a record that was billed meanwhile, changes nothing.
 *
 * <p>Only the job's own "unknown epoch" dead letters are replayed; every other dead letter (malformed input,
 * forged origins, records too late for their cycle) stays where it is. A record whose epoch none of the given state
 * directories holds is reported and left.
 */
public final class DeadLetterReplay {

    /** Why a dead letter was not replayed, with the dead letter's coordinates. */
    public record Left(String deadLetter, String why) {
    }

    /**
     * What a run did.
     *
     * @param read dead letters read
     * @param replayed records written to the records topic (or that would be, in a dry run)
     * @param otherReasons dead letters of other reasons or stages, left alone
     * @param left unknown-epoch dead letters that could not be decoded with the given epochs
     */
    public record Result(int read, int replayed, int otherReasons, List<Left> left) {
    }

    private static final RecordCodec CODEC = RecordCodec.standard();
    private static final String CLIENT_ID = "dabba-dead-letter-replay";

    private DeadLetterReplay() {
    }

    /** Every epoch stored in the given agent state directories (each holding {@code epochs/}), lineages in order. */
    public static EpochRegistry epochsOf(Collection<Path> agentStateDirectories) throws IOException {
        List<Epoch> all = new ArrayList<>();
        for (Path dir : agentStateDirectories) {
            if (!java.nio.file.Files.isDirectory(dir.resolve("epochs"))) {
                throw new IOException(dir + " holds no epochs/ directory: is it an agent's state directory?");
            }
            all.addAll(new EpochStore(dir).loadAll());
        }
        all.sort((a, b) -> Long.compare(a.number(), b.number()));
        EpochRegistry registry = new EpochRegistry();
        for (Epoch e : all) {
            registry.acceptStored(e); // the same epoch from two towers is accepted once; a contradiction throws
        }
        return registry;
    }

    /**
     * Reads the dead-letter topic from its beginning to its end as of now and replays what it can.
     *
     * @param clientProperties Kafka client properties (security settings), given to the consumer and the producer
     * @param dryRun decode and count, write nothing
     */
    public static Result replay(String bootstrapServers, Map<String, String> clientProperties, EpochRegistry epochs,
            boolean dryRun, Duration timeout) throws InterruptedException {
        int read = 0;
        int other = 0;
        List<Left> left = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.reader(bootstrapServers,
                clientProperties, CLIENT_ID), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(KafkaTopics.DEAD_LETTERS, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + KafkaTopics.DEAD_LETTERS + " does not exist at "
                        + bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + KafkaTopics.DEAD_LETTERS + " to its end within "
                            + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // arrived after the run began
                    }
                    read++;
                    String where = r.topic() + "/" + r.partition() + "@" + r.offset();
                    if (!"stream-job".equals(header(r, KafkaTopics.HEADER_DLQ_STAGE))
                            || !String.valueOf(header(r, KafkaTopics.HEADER_DLQ_REASON)).startsWith("unknown epoch")) {
                        other++;
                        continue;
                    }
                    ProducerRecord<byte[], byte[]> replay = replayOf(r.value(), epochs, where, left);
                    if (replay != null) {
                        out.add(replay);
                    }
                }
            }
        }
        if (!dryRun && !out.isEmpty()) {
            send(bootstrapServers, clientProperties, out);
        }
        return new Result(read, out.size(), other, List.copyOf(left));
    }

    /** The record as the gateway would have written it, with its full clock; null (and noted) if undecodable. */
    private static ProducerRecord<byte[], byte[]> replayOf(byte[] payload, EpochRegistry epochs, String where,
            List<Left> left) {
        UsageRecord record;
        try {
            record = CODEC.decodeRecord(payload, epochs);
        } catch (UnknownEpochException e) {
            left.add(new Left(where, "epoch " + e.epoch() + " is in none of the given state directories"));
            return null;
        } catch (WireFormatException e) {
            left.add(new Left(where, "not a record: " + e.getMessage()));
            return null;
        }
        UsageRecord full = new UsageRecord(record.id(), record.subscriber(), record.start(), record.hlc(),
                record.clock().rebase(Epoch.GENESIS), record.usage());
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaTopics.HEADER_EVENT_ID, utf8(record.id().toString()));
        headers.add(KafkaTopics.HEADER_ORIGIN, utf8(record.origin().value()));
        headers.add(KafkaTopics.HEADER_REPLAYED_FROM, utf8(where));
        return new ProducerRecord<>(KafkaTopics.RECORDS, null, null, utf8(record.subscriber().value()),
                CODEC.encodeRecord(full), headers);
    }

    private static void send(String bootstrapServers, Map<String, String> clientProperties,
            List<ProducerRecord<byte[], byte[]>> records) throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.writer(bootstrapServers,
                clientProperties, CLIENT_ID), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(r));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("writing to " + KafkaTopics.RECORDS + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
