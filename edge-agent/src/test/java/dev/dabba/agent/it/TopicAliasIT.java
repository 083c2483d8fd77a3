package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent never sends a PUBLISH that names its topic by alias only. Paho uses every topic alias the broker allows
 * and, after a reconnect, resends an in-flight alias-only PUBLISH that the new connection cannot map: the broker
 * disconnects with reason 0x94 and the agent would loop on reconnects for ever (found by the fault suite's broker
 * restart). A proxy reads the client's MQTT packets off the wire; a plain Paho client through the same proxy shows
 * the broker does allow aliases, so the check can fail.
 */
class TopicAliasIT {

    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");

    @TempDir
    Path dir;

    @Test
    void agentPublishes_alwaysWithTheTopicName_thoughTheBrokerAllowsAliases() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port())) {
            // A plain Paho client: the broker grants aliases, and Paho uses them from the second PUBLISH on.
            MqttClient plain = new MqttClient(spy.uri(), "alias-probe", new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            plain.connect(o);
            for (int i = 0; i < 3; i++) {
                plain.publish("alias/probe", new byte[] {1}, 1, false);
            }
            plain.disconnect();
            plain.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> spy.publishes().size() >= 3);
            assertThat(spy.aliasOnly()).as("alias-only PUBLISHes of a plain Paho client").isGreaterThanOrEqualTo(1);

            spy.reset();
            MqttTopics topics = Brokers.uniqueTopics();
            AgentConfig config = AgentConfig.of(NodeId.of("ALIAS_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(topics);
            try (EdgeAgent agent = EdgeAgent.start(config, Clock.systemUTC())) {
                assertThat(agent.awaitConnected(Duration.ofSeconds(30))).isTrue();
                for (int round = 0; round < 5; round++) {
                    agent.record(Msisdn.of("+919800000001"), T0.plusSeconds(round),
                            new Usage.Data(RadioType.G5, round, 1000L + round));
                    agent.flush(Duration.ofSeconds(30));
                }
            }
            List<Integer> topicLengths = spy.publishes();
            assertThat(topicLengths).as("the agent's PUBLISH packets (status and 5 record batches)")
                    .hasSizeGreaterThanOrEqualTo(6);
            assertThat(spy.aliasOnly()).as("alias-only PUBLISHes of the agent").isZero();
        }
    }
}
