package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfig.MqttSettings;
import dev.dabba.agent.AgentConfig.ReconnectSettings;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.agent.internal.mqtt.MqttLink;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link's connection set-up under the conditions the fault suite met: publishes racing each connect, a window full
 * of publishes when the connection drops, and a broker that never answers a CONNECT.
 *
 * <p>The race: a handover publish made between a CONNACK and the moment the link turned Paho's outgoing topic aliases
 * off got an alias; the connection dropped with it in flight, Paho resent it without its topic name on every later
 * connection, the broker refused each (reason 0x94) and the tower never came back. Here a thread publishes without
 * pause, so it is publishing at each CONNACK and fills every in-flight slot; a proxy reads the PUBLISH packets off
 * the wire and cuts the connection once some of the thread's publishes are on it. With every slot taken by resent
 * publishes, the link's own {@code online} status used to fail each new connection before their acknowledgements
 * came ("Too many publishes in progress"), so the next one found the window full again.
 */
class ConnectRaceIT {

    private static final int CONNECTIONS = 12;

    @TempDir
    Path dir;

    @Test
    void publishesRacingEachConnect_keepTheirTopicName_andTheLinkDeliversAfterEveryDrop() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port())) {
            AgentConfig base = AgentConfig.of(NodeId.of("RACE_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            AgentConfig config = base.withMqtt(base.mqtt().withReconnect(
                    new ReconnectSettings(Duration.ofMillis(20), Duration.ofMillis(100), 0)));
            String topic = config.mqtt().topics().records(config.node());
            Set<Long> accepted = ConcurrentHashMap.newKeySet();
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            QuietListener listener = new QuietListener();
            try (MqttLink link = new MqttLink(config, List.of(), listener, new Metrics(), () -> 0.5)) {
                Thread publisher = new Thread(() -> {
                    long next = 0;
                    while (!stop.get()) {
                        long n = next;
                        try {
                            link.publish(topic, Long.toString(n).getBytes(StandardCharsets.US_ASCII), 1, false, null,
                                    new MqttActionListener() {
                                        @Override
                                        public void onSuccess(IMqttToken token) {
                                            acknowledged.add(n);
                                        }

                                        @Override
                                        public void onFailure(IMqttToken token, Throwable e) {
                                        }
                                    });
                            accepted.add(n);
                            next++;
                        } catch (MqttException e) {
                            Thread.onSpinWait(); // not connected, or too many in flight: try again at once
                        }
                    }
                }, "race-publisher");
                publisher.start();
                link.start();
                for (int i = 1; i <= CONNECTIONS; i++) {
                    int n = i;
                    await().atMost(Duration.ofSeconds(30)).until(() -> listener.connections.get() >= n);
                    int before = accepted.size();
                    await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= before + 3);
                    spy.dropConnections();
                    // counted, not polled: the link may be connected again before a poll would see it down
                    await().atMost(Duration.ofSeconds(30)).until(() -> listener.losses.get() >= n);
                }
                // After the last drop the link connects again and delivers what is published on it. Not asserted:
                // that every publish accepted before a drop is acknowledged. Paho acknowledges some of those late,
                // usually within a second or two but in runs 36-63 s and in one CI run not within 2 minutes, on
                // HiveMQ and on Mosquitto alike (cause not known); the agent does not rely on it, its publisher
                // rewinds on every reconnect and after mqtt.publishTimeout and resends from its outbox.
                await().atMost(Duration.ofSeconds(60)).until(() -> listener.connections.get() > CONNECTIONS);
                long mark = accepted.stream().mapToLong(Long::longValue).max().orElse(-1);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> acknowledged.stream().filter(id -> id > mark).count() >= 3);
                stop.set(true);
                publisher.join();
            }
            assertThat(spy.publishes()).as("PUBLISH packets on the wire").hasSizeGreaterThan(CONNECTIONS * 3);
            assertThat(spy.aliasOnly()).as("PUBLISHes that name their topic by alias only").isZero();
        }
    }

    @Test
    void aConnectTheBrokerNeverAnswers_isGivenUp_andALaterAttemptConnects() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port())) {
            spy.silent(true);
            AgentConfig base = AgentConfig.of(NodeId.of("HUNG_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            MqttSettings m = base.mqtt();
            AgentConfig config = base.withMqtt(new MqttSettings(m.brokerUri(), m.clientId(), m.username(),
                    m.password(), m.topics(), m.keepAlive(), Duration.ofSeconds(1), m.sessionExpiry(),
                    m.inflightWindow(), m.publishTimeout(),
                    new ReconnectSettings(Duration.ofMillis(50), Duration.ofMillis(200), 0), m.tls()));
            try (MqttLink link = new MqttLink(config, List.of(), new QuietListener(), new Metrics(), () -> 0.5)) {
                link.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> link.lastError().contains("Timed out"));
                spy.silent(false); // the hung connection stays open: only the link can give it up
                await().atMost(Duration.ofSeconds(30)).until(link::isConnected);
                assertThat(spy.connections()).as("connections made: the hung one and at least one more")
                        .isGreaterThanOrEqualTo(2);
            }
        }
    }

    /** A listener that counts connections made and lost and acknowledges what arrives. */
    private static final class QuietListener implements MqttLink.Listener {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger losses = new AtomicInteger();

        @Override
        public void connected(boolean sessionPresent, int window) {
            connections.incrementAndGet();
        }

        @Override
        public void disconnected(String reason) {
            losses.incrementAndGet();
        }

        @Override
        public void messageArrived(String t, MqttMessage message, Runnable complete) {
            complete.run();
        }
    }
}
