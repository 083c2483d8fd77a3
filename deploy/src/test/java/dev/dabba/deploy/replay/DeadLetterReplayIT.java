package dev.dabba.deploy.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.agent.internal.state.EpochStore;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import dev.dabba.deploy.DabbaCli;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.jobs.DeadLetter;
import dev.dabba.jobs.DeadLetterSerializer;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dabba replay-dead-letters} against a real Kafka, with epochs from a tower's state directory. */
class DeadLetterReplayIT {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    private static final long LOST = 1_780_000_000_000L;
    private static final long NEW = LOST + 86_400_000L;
    private static final Epoch LOST_EPOCH = Epoch.of(LOST + 3, LOST, NodeTable.of(List.of(BKC, ANDHERI)),
            new long[] {5, 7});
    private static final Epoch NEW_OPENING = Epoch.of(NEW, NEW, NodeTable.EMPTY, new long[0]);
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path tower;

    private static UsageRecord record(NodeId origin, long sequence, Epoch epoch, Map<String, Long> entries) {
        return new UsageRecord(new EventId(origin, sequence), Msisdn.of("+919800000021"), T.plusSeconds(sequence),
                new HybridTimestamp(T.plusSeconds(sequence).toEpochMilli(), 0), VectorClock.of(epoch, entries),
                new Usage.Data(RadioType.G5, 0, 1024L * 1024));
    }

    @Test
    void unknownEpochDeadLetters_goBackWithFullClocks_andEverythingElseStays() throws Exception {
        EpochStore store = new EpochStore(tower);
        store.store(LOST_EPOCH);
        store.store(NEW_OPENING);
        UsageRecord atBkc = record(BKC, 6, LOST_EPOCH, Map.of("MUMBAI_BKC", 6L));
        UsageRecord atAndheri = record(ANDHERI, 8, LOST_EPOCH, Map.of("MUMBAI_BKC", 6L, "MUMBAI_ANDHERI", 8L));
        Epoch neverStored = Epoch.of(LOST + 9, LOST, LOST_EPOCH.members(), new long[] {9, 9});
        UsageRecord unreadable = record(BKC, 10, neverStored, Map.of("MUMBAI_BKC", 10L));
        RecordCodec codec = RecordCodec.standard();

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(EmbeddedStack.topics());
            DeadLetterSerializer job = new DeadLetterSerializer(KafkaTopics.DEAD_LETTERS);
            List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
            letters.add(job.serialize(new DeadLetter("unknown epoch: epoch " + (LOST + 3) + " is not known; the job "
                    + "keeps epochs from " + NEW + " on", "dabba.records-0@11", codec.encodeRecord(atBkc)), null, null));
            letters.add(job.serialize(new DeadLetter("malformed record: batch magic", "dabba.records-1@3",
                    new byte[] {1, 2, 3}), null, null));
            letters.add(job.serialize(new DeadLetter("unknown epoch: no announcement of its epoch arrived within "
                    + "PT5M", "dabba.records-2@40", codec.encodeRecord(atAndheri)), null, null));
            letters.add(job.serialize(new DeadLetter("unknown epoch: epoch " + (LOST + 9) + " is not known",
                    "dabba.records-0@12", codec.encodeRecord(unreadable)), null, null));
            produce(kafka.bootstrapServers(), letters);

            EpochRegistry epochs = DeadLetterReplay.epochsOf(List.of(tower));
            DeadLetterReplay.Result dry = DeadLetterReplay.replay(kafka.bootstrapServers(), Map.of(), epochs, true,
                    Duration.ofSeconds(30));
            assertThat(dry.read()).isEqualTo(4);
            assertThat(dry.replayed()).isEqualTo(2);
            assertThat(dry.otherReasons()).isEqualTo(1);
            assertThat(dry.left()).singleElement().satisfies(l -> assertThat(l.why()).contains("epoch " + (LOST + 9)));
            assertThat(readAll(kafka.bootstrapServers(), KafkaTopics.RECORDS)).as("a dry run writes nothing").isEmpty();

            StringWriter out = new StringWriter();
            int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).execute("replay-dead-letters",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--agent-state", tower.toString());
            assertThat(exit).as("one dead letter could not be decoded").isEqualTo(3);
            assertThat(out.toString()).contains("replayed 2 unknown-epoch records").contains("left 1 of other reasons")
                    .contains("1 undecodable").contains("epoch " + (LOST + 9));

            List<ConsumerRecord<byte[], byte[]>> replayed = readAll(kafka.bootstrapServers(), KafkaTopics.RECORDS);
            EpochRegistry newJob = new EpochRegistry();
            newJob.accept(NEW_OPENING);
            List<UsageRecord> decoded = replayed.stream().map(r -> codec.decodeRecord(r.value(), newJob)).toList();
            assertThat(decoded).as("decoded by a job that knows only the new lineage, same clocks")
                    .containsExactlyInAnyOrder(atBkc, atAndheri);
            assertThat(decoded).allSatisfy(r -> assertThat(r.clock().epoch()).isEqualTo(Epoch.GENESIS));
            assertThat(replayed).allSatisfy(r -> {
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("+919800000021");
                assertThat(r.headers().lastHeader(KafkaTopics.HEADER_EVENT_ID)).isNotNull();
                assertThat(new String(r.headers().lastHeader(KafkaTopics.HEADER_REPLAYED_FROM).value(),
                        StandardCharsets.UTF_8)).startsWith(KafkaTopics.DEAD_LETTERS + "/");
            });
        }
    }

    @Test
    void aDirectoryThatIsNoAgentState_isRefusedByName() throws IOException {
        Path empty = Files.createDirectories(tower.resolve("not-an-agent"));
        assertThatThrownBy(() -> DeadLetterReplay.epochsOf(List.of(empty))).isInstanceOf(IOException.class)
                .hasMessageContaining("not-an-agent").hasMessageContaining("epochs/");
    }

    private static void produce(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get();
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
