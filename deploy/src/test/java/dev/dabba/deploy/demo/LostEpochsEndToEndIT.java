package dev.dabba.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.deploy.replay.DeadLetterReplay;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.CallType;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend is rebuilt under running towers: Kafka comes back empty, epochs topic included, behind an MQTT broker
 * that still holds the lost lineage's retained announcement, while the towers kept stamping against that lineage
 * with nowhere to send. The new job opens a new lineage at submission, the relay announces it over the stale retained
 * message, the towers move to it by themselves and send their backlog with full clocks: every record is billed by
 * the new job. Before agents moved by themselves, every one of these records ended in {@code dabba.dead-letters}
 * until an operator reset the towers' state. The one record the broker had taken against the lost lineage (a tower
 * that stayed online) is dead-lettered by the new job and put back by {@link DeadLetterReplay} with the epochs that
 * tower kept.
 */
class LostEpochsEndToEndIT {

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");
    private static final Msisdn CALLER = Msisdn.of("+919800000011");
    private static final Msisdn TEXTER = Msisdn.of("+919800000012");
    private static final Msisdn LATE = Msisdn.of("+919800000014");

    @TempDir
    Path agentState;

    @Test
    void towersMoveToTheRebuiltBackendsNewLineage_andTheirBacklogIsBilled() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start()) {
            EmbeddedStack.Options shared = new EmbeddedStack.Options(broker, agentState);
            long lostLineage;
            try (EmbeddedStack first = EmbeddedStack.start(SeedScenario.TOWERS, Progress.silent(), shared)) {
                List<UsageRecord> seed = SeedScenario.run(first.agents(), JOURNEY_START, Duration.ofSeconds(30),
                        l -> { });
                Bill bill = BillWatch.awaitBill(new BillStore(first.database().dataSource(), EmbeddedStack.SCHEMA),
                        SeedScenario.SUBSCRIBER, BillingCycle.of(JOURNEY_START),
                        seed.stream().map(UsageRecord::id).toList(), Duration.ofMinutes(2));
                assertThat(bill.total().paisa()).isEqualTo(2190);
                EdgeAgent bkc = first.agents().get(SeedScenario.BKC);
                await().atMost(Duration.ofMinutes(1)).until(() -> first.agents().values().stream()
                        .allMatch(a -> a.clock().epoch().lineage() > 0));
                lostLineage = bkc.clock().epoch().lineage();
                assertThat(first.agents().values()).as("a first lineage is adopted, not moved to").allSatisfy(a ->
                        assertThat(a.metrics().get("dabba_agent_epoch_lineage_switches_total")).isZero());
            }

            // Kafka, the job and the gateway are gone; the towers stamp on, their broker unreachable.
            String nowhere = "tcp://127.0.0.1:" + FreePorts.pick();
            List<UsageRecord> backlog = new ArrayList<>();
            Instant later = JOURNEY_START.plus(Duration.ofHours(3));
            try (EdgeAgent bkc = EdgeAgent.start(agent(SeedScenario.BKC, nowhere), Clock.systemUTC());
                    EdgeAgent andheri = EdgeAgent.start(agent(SeedScenario.ANDHERI, nowhere), Clock.systemUTC());
                    EdgeAgent bandra = EdgeAgent.start(agent(SeedScenario.BANDRA, nowhere), Clock.systemUTC())) {
                backlog.add(bkc.record(CALLER, later, new Usage.Call(Msisdn.of("+919800000013"), CallType.VOICE, 60,
                        null)));
                backlog.add(andheri.record(CALLER, later.plusSeconds(120),
                        new Usage.Data(RadioType.G4, 0, 10L * 1024 * 1024)));
                backlog.add(bandra.record(TEXTER, later.plusSeconds(180), new Usage.Sms(CALLER)));
                assertThat(List.of(bkc, andheri, bandra)).allSatisfy(a -> assertThat(a.pendingCount()).isEqualTo(1));
            }
            assertThat(backlog).allSatisfy(r -> assertThat(r.clock().epoch().lineage()).isEqualTo(lostLineage));
            // Dadar stayed online: the broker took its record for the gateway's session, against the lost lineage.
            EdgeAgent dadar = EdgeAgent.start(agent(SeedScenario.DADAR, broker.uri()), Clock.systemUTC());
            UsageRecord queued;
            try {
                queued = dadar.record(LATE, later.plusSeconds(240), new Usage.Sms(CALLER));
                dadar.flush(Duration.ofSeconds(30));
                assertThat(queued.clock().epoch().lineage()).isEqualTo(lostLineage);
            } catch (Exception | AssertionError e) {
                dadar.close();
                throw e;
            }

            try (EmbeddedStack rebuilt = EmbeddedStack.start(List.of(), Progress.silent(),
                    new EmbeddedStack.Options(broker, null))) {
                String epochsTopic = rebuilt.gateway().config().source(0).mqtt().topics().epochs();
                Epoch announced = awaitRetainedEpoch(broker.uri(), epochsTopic, lostLineage);
                assertThat(announced.lineage()).as("the relay announced the new lineage over the stale retained one")
                        .isGreaterThan(lostLineage);

                List<EdgeAgent> towers = new ArrayList<>();
                for (NodeId tower : List.of(SeedScenario.BKC, SeedScenario.ANDHERI, SeedScenario.BANDRA)) {
                    towers.add(EdgeAgent.start(agent(tower, broker.uri()), Clock.systemUTC()));
                }
                try {
                    BillStore store = new BillStore(rebuilt.database().dataSource(), EmbeddedStack.SCHEMA);
                    Bill caller = BillWatch.awaitBill(store, CALLER, BillingCycle.of(later),
                            List.of(backlog.get(0).id(), backlog.get(1).id()), Duration.ofMinutes(2));
                    assertThat(caller.calls().paisa()).as("VOICE, 60 s at 1 paisa a second").isEqualTo(60);
                    assertThat(caller.data().paisa()).as("10 MiB of 4G at 5 paisa a MiB").isEqualTo(50);
                    Bill texter = BillWatch.awaitBill(store, TEXTER, BillingCycle.of(later),
                            List.of(backlog.get(2).id()), Duration.ofMinutes(2));
                    assertThat(texter.total().paisa()).isEqualTo(100);
                    assertThat(towers).allSatisfy(a -> {
                        assertThat(a.metrics().get("dabba_agent_epoch_lineage_switches_total")).isEqualTo(1);
                        assertThat(a.clock().epoch().lineage()).isEqualTo(announced.lineage());
                    });
                    // What the broker took against the lost lineage reached the new job before anyone could
                    // re-encode it: dead-lettered, and put back with the epochs Dadar kept.
                    List<String> letters = await().atMost(Duration.ofMinutes(1))
                            .until(() -> deadLetters(rebuilt.kafka().bootstrapServers()), l -> !l.isEmpty());
                    assertThat(letters).singleElement().satisfies(l -> assertThat(l).startsWith("unknown epoch"));
                    DeadLetterReplay.Result replay = DeadLetterReplay.replay(rebuilt.kafka().bootstrapServers(),
                            Map.of(), DeadLetterReplay.epochsOf(List.of(agentState.resolve(SeedScenario.DADAR.value()))),
                            false, Duration.ofSeconds(30));
                    assertThat(replay.replayed()).isEqualTo(1);
                    assertThat(replay.left()).isEmpty();
                    Bill late = BillWatch.awaitBill(store, LATE, BillingCycle.of(later), List.of(queued.id()),
                            Duration.ofMinutes(2));
                    assertThat(late.total().paisa()).isEqualTo(100);
                    assertThat(deadLetters(rebuilt.kafka().bootstrapServers())).as("nothing else").hasSize(1);
                } finally {
                    for (EdgeAgent a : towers) {
                        a.close();
                    }
                    dadar.close();
                }
            }
        }
    }

    private AgentConfig agent(NodeId tower, String brokerUri) {
        return AgentConfig.of(tower, brokerUri, agentState.resolve(tower.value()));
    }

    /** The retained announcement, once it is of a lineage newer than {@code than}. */
    private static Epoch awaitRetainedEpoch(String uri, String topic, long than) throws Exception {
        AtomicReference<Epoch> latest = new AtomicReference<>();
        MqttAsyncClient client = new MqttAsyncClient(uri, "it-epochs-" + UUID.randomUUID(), new MemoryPersistence());
        try {
            client.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String t, MqttMessage m) {
                    latest.set(RecordCodec.standard().decodeEpoch(m.getPayload()));
                }

                @Override
                public void disconnected(MqttDisconnectResponse response) {
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverUri) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            client.connect().waitForCompletion(10_000);
            client.subscribe(topic, 1).waitForCompletion(10_000);
            return await().atMost(Duration.ofMinutes(1)).until(latest::get, e -> e != null && e.lineage() > than);
        } finally {
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
    }

    private static List<String> deadLetters(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(KafkaTopics.DEAD_LETTERS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.headers().lastHeader(KafkaTopics.HEADER_DLQ_REASON).value(),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
