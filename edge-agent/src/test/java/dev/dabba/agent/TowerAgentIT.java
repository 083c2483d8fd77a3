package dev.dabba.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/** Tower agents over a real MQTT broker: the seed journey's batches and handovers. */
class TowerAgentIT {

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");

    @Test
    void seedJourney_overTheEmbeddedBroker_publishesTheOfflineRecords() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start()) {
            assertJourney(broker.uri(), MqttTopics.DEFAULT);
        }
    }

    @Test
    void seedJourney_overTheMachinesMosquitto_publishesTheOfflineRecords() throws Exception {
        assumeTrue(MosquittoProbe.isReachable("127.0.0.1", 1883),
                "no MQTT broker answers on 127.0.0.1:1883 (Mosquitto); the embedded-broker test covers this path");
        // A topic root of its own: the machine's broker is shared with other runs.
        assertJourney("tcp://127.0.0.1:1883", new MqttTopics("dabba-it/" + UUID.randomUUID()));
    }

    private static void assertJourney(String brokerUri, MqttTopics topics) throws Exception {
        BlockingQueue<RecordBatch> batches = new LinkedBlockingQueue<>();
        MqttAsyncClient listener = subscribe(brokerUri, topics, batches);
        Map<NodeId, TowerAgent> agents = new LinkedHashMap<>();
        try {
            Clock wall = Clock.fixed(JOURNEY_START, ZoneOffset.UTC);
            for (NodeId tower : SeedScenario.TOWERS) {
                agents.put(tower, TowerAgent.start(AgentConfig.of(tower, brokerUri).withTopics(topics), wall));
            }
            List<UsageRecord> published = SeedScenario.run(agents, JOURNEY_START, Duration.ofSeconds(10), l -> { });

            assertThat(published).as("the same clocks and ids as the offline stamping")
                    .isEqualTo(SeedScenario.records(JOURNEY_START, wall));
            List<UsageRecord> received = new ArrayList<>();
            while (received.size() < published.size()) {
                RecordBatch batch = batches.poll(10, TimeUnit.SECONDS);
                assertThat(batch).as("a batch within 10 s; so far %s", received).isNotNull();
                received.addAll(batch.records());
            }
            assertThat(received).containsExactlyElementsOf(published);
            assertThat(agents.values()).allSatisfy(a -> assertThat(a.pendingCount()).isZero());
        } finally {
            agents.values().forEach(TowerAgent::close);
            listener.disconnect().waitForCompletion(5_000);
            listener.close();
        }
    }

    private static MqttAsyncClient subscribe(String brokerUri, MqttTopics topics,
            BlockingQueue<RecordBatch> batches)
            throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(brokerUri, "it-listener-" + UUID.randomUUID(),
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                batches.add(RecordCodec.standard().decodeBatch(message.getPayload(), EpochResolver.GENESIS_ONLY));
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
        client.subscribe(topics.recordsFilter(), 1).waitForCompletion(10_000);
        return client;
    }
}
