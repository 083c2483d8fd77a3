package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.EventId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection that stays up while the broker's PUBACKs stop: a proxy between agent and broker drops every PUBLISH
 * (the broker never sees them), while the keep-alive's pings pass. MQTT sends a publish again only on a new
 * connection, so the agent has to make one: without it, the publishes the MQTT client holds are never sent again
 * and stay held for ever, whatever the publisher sends after them.
 */
class StalledLinkIT {

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void pubacksThatStopOnALiveConnection_makeTheAgentReconnect_andTheClientSendsWhatItHolds() throws Exception {
        MqttTopics topics = Brokers.uniqueTopics();
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port());
             RecordListener listener = new RecordListener(broker.uri(), topics, false)) {
            AgentConfig config = AgentConfig.of(NodeId.of("STALL_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(topics)
                    .withMqtt(AgentConfig.MqttSettings.of(spy.uri()).withTopics(topics)
                            .withPublishTimeout(PUBLISH_TIMEOUT)
                            .withReconnect(new AgentConfig.ReconnectSettings(Duration.ofMillis(200),
                                    Duration.ofSeconds(1), 0.5)));
            try (EdgeAgent agent = EdgeAgent.start(config, Clock.systemUTC())) {
                assertThat(agent.awaitConnected(Duration.ofSeconds(30))).isTrue();
                spy.swallowPublishes(true);
                Set<EventId> stamped = new HashSet<>();
                for (int i = 0; i < 50; i++) {
                    stamped.add(agent.record(Msisdn.of("+919800000001"), Instant.parse("2026-12-07T10:00:00Z")
                            .plusSeconds(i), new Usage.Sms(Msisdn.of("+919800000002"))).id());
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> agent.metrics().get("dabba_agent_mqtt_held_publishes") >= 1);
                int connections = spy.connections();

                // Nothing acknowledged for the publish timeout: the agent drops the connection and makes a new one.
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> agent.metrics().get("dabba_agent_mqtt_stall_reconnects_total") >= 1
                                && spy.connections() > connections);
                spy.swallowPublishes(false);

                // The client sends what it holds on a new connection (the next one if this one's went missing too).
                agent.flush(Duration.ofSeconds(60));
                assertThat(agent.pendingCount()).as("records not yet acknowledged").isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().containsAll(stamped));
                assertThat(listener.conflicting()).isEmpty();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        agent.metrics().get("dabba_agent_mqtt_held_publishes"))
                        .as("publishes the MQTT client still holds").isZero());
                await().atMost(Duration.ofSeconds(10)).until(agent::isConnected);
            }
        }
    }
}
