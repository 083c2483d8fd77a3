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
 * of publishes when the connection drops, a broker that never answers a CONNECT, and one that does not acknowledge
 * the link's {@code online} status in time.
 *
 * <p>The race: a handover publish made between a CONNACK and the moment the link turned Paho's outgoing topic aliases
 * off got an alias; the connection dropped with it in flight, Paho resent it without its topic name on every later
 * connection, the broker refused each (reason 0x94) and the tower never came back. Here a thread keeps a window of
 * publishes unresolved at all times, so it is publishing at each CONNACK and fills every in-flight slot; a proxy reads
 * the PUBLISH packets off the wire and cuts the connection once some of the thread's publishes are on it. With every
 * slot taken by resent publishes, the link's own {@code online} status used to fail each new connection before their
 * acknowledgements came ("Too many publishes in progress"), so the next one found the window full again.
 */
class ConnectRaceIT {

    private static final int CONNECTIONS = 12;
    /**
     * Publishes the test keeps unresolved, as the agent's publisher keeps a window: more than the broker's receive
     * maximum (10 on the embedded broker), so every drop finds Paho's in-flight slots full. Not unbounded: Paho 1.2.5
     * refuses a publish only while the publishes it has written and not seen acknowledged fill the receive maximum,
     * and queues the rest, so a publisher without a window of its own piles up tens of thousands behind them.
     */
    private static final int WINDOW = 16;

    @TempDir
    Path dir;

    @Test
    void publishesRacingEachConnect_keepTheirTopicName_andAreAllDeliveredAcrossTheDrops() throws Exception {
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
            AtomicInteger unresolved = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            QuietListener listener = new QuietListener();
            try (MqttLink link = new MqttLink(config, List.of(), listener, new Metrics(), () -> 0.5)) {
                Thread publisher = new Thread(() -> {
                    long next = 0;
                    while (!stop.get()) {
                        if (unresolved.get() >= WINDOW) {
                            Thread.onSpinWait();
                            continue;
                        }
                        long n = next;
                        AtomicBoolean resolved = new AtomicBoolean();
                        Runnable resolve = () -> {
                            if (resolved.compareAndSet(false, true)) {
                                unresolved.decrementAndGet();
                            }
                        };
                        unresolved.incrementAndGet();
                        try {
                            link.publish(topic, Long.toString(n).getBytes(StandardCharsets.US_ASCII), 1, false, null,
                                    new MqttActionListener() {
                                        @Override
                                        public void onSuccess(IMqttToken token) {
                                            acknowledged.add(n);
                                            resolve.run();
                                        }

                                        @Override
                                        public void onFailure(IMqttToken token, Throwable e) {
                                            resolve.run(); // the connection dropped: Paho keeps it and sends it again
                                        }
                                    });
                            accepted.add(n);
                            next++;
                        } catch (MqttException e) {
                            resolve.run();
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
                await().atMost(Duration.ofSeconds(30)).until(() -> listener.connections.get() > CONNECTIONS);
                long mark = accepted.stream().mapToLong(Long::longValue).max().orElse(-1);
                await().atMost(Duration.ofSeconds(30)).until(() -> accepted.stream().filter(id -> id > mark).count() >= 3);
                stop.set(true);
                publisher.join();
                // Nothing Paho accepted is lost to the drops: what was in flight at each one is sent again.
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.containsAll(accepted));
                assertThat(listener.connections.get()).as("connections: one more than the drops, none failed")
                        .isEqualTo(CONNECTIONS + 1);
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

    /**
     * Paho queues the {@code online} status behind every publish it resends from the last connection; on a slow link
     * its PUBACK can take longer than the connect timeout. The link used to wait for it and fail the connection, which
     * requeued the same publishes ahead of the next status, for ever. Here the broker never sees the status at all.
     */
    @Test
    void aStatusTheBrokerDoesNotAcknowledgeInTime_doesNotFailTheConnection() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port())) {
            spy.swallowPublishes(true);
            AgentConfig base = AgentConfig.of(NodeId.of("SLOW_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            MqttSettings m = base.mqtt();
            AgentConfig config = base.withMqtt(new MqttSettings(m.brokerUri(), m.clientId(), m.username(),
                    m.password(), m.topics(), m.keepAlive(), Duration.ofSeconds(1), m.sessionExpiry(),
                    m.inflightWindow(), Duration.ofSeconds(1), // and close() waits at most this long
                    new ReconnectSettings(Duration.ofMillis(50), Duration.ofMillis(200), 0), m.tls()));
            Metrics metrics = new Metrics();
            QuietListener listener = new QuietListener();
            try (MqttLink link = new MqttLink(config, List.of(), listener, metrics, () -> 0.5)) {
                link.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> !spy.publishes().isEmpty());
                await().atMost(Duration.ofSeconds(30)).until(link::isConnected);
                // for three connect timeouts: time enough for a link that waits for the status to give it up
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(link::isConnected);
                assertThat(metrics.value("dabba_agent_mqtt_connect_failures_total")).as("connect failures").isZero();
                assertThat(listener.connections.get()).as("connections").isEqualTo(1);
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
