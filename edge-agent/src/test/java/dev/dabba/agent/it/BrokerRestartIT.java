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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker goes down for a while and comes back on the same port with its data: nothing is lost. */
class BrokerRestartIT {

    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00Z");

    @TempDir
    Path dir;

    @Test
    void whileTheBrokerIsDown_recordsAreAcceptedIntoTheOutbox_andDrainWhenItIsBack() throws Exception {
        int port = FreePorts.pick();
        Path brokerDir = dir.resolve("broker");
        MqttTopics topics = Brokers.uniqueTopics();
        EmbeddedMqttBroker broker = startBroker(port, brokerDir);
        AgentConfig config = AgentConfig.of(NodeId.of("RESTART_TOWER"), broker.uri(), dir.resolve("agent"))
                .withTopics(topics).withMqtt(AgentConfig.MqttSettings.of(broker.uri()).withTopics(topics)
                        .withReconnect(new AgentConfig.ReconnectSettings(Duration.ofMillis(200), Duration.ofSeconds(2),
                                0.5)));
        RecordListener listener = new RecordListener(broker.uri(), topics, true);
        try (EdgeAgent agent = EdgeAgent.start(config, Clock.systemUTC())) {
            assertThat(agent.awaitConnected(Duration.ofSeconds(30))).isTrue();
            record(agent, 500);
            agent.flush(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == 500);

            broker.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> !agent.isConnected()
                    && agent.metrics().get("dabba_agent_mqtt_connection_losses_total") == 1);
            record(agent, 500);
            assertThat(agent.pendingCount()).as("accepted while the broker is down").isEqualTo(500);
            assertThat(agent.metrics().get("dabba_agent_mqtt_connected")).isZero();
            assertThat(agent.metrics().get("dabba_agent_mqtt_connection_losses_total")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> agent.metrics().get("dabba_agent_mqtt_connect_failures_total") >= 1);
            assertThat(agent.status().healthy()).as("buffering is healthy").isTrue();

            broker = startBroker(port, brokerDir);
            await().atMost(Duration.ofSeconds(60)).until(() -> agent.pendingCount() == 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> listener.ids().size() == 1_000);
            assertThat(listener.conflicting()).isEmpty();
            assertThat(agent.metrics().get("dabba_agent_mqtt_reconnects_total")).isEqualTo(1);
            assertThat(agent.metrics().get("dabba_agent_mqtt_connected")).isEqualTo(1);
            assertThat(agent.metrics().get("dabba_agent_records_published_total")).isEqualTo(1_000);
            assertThat(agent.metrics().get("dabba_agent_outbox_records")).isZero();
        } finally {
            listener.close();
            broker.close();
        }
    }

    private static EmbeddedMqttBroker startBroker(int port, Path directory) {
        return EmbeddedMqttBroker.builder().port(port).directory(directory).filePersistence(true).start();
    }

    private static void record(EdgeAgent agent, int n) {
        for (int i = 0; i < n; i++) {
            agent.record(Msisdn.of("+919800000001"), T0.plusSeconds(i), new Usage.Data(RadioType.G5, i, 1000L + i));
        }
    }
}
