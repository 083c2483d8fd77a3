package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfig.MqttSettings;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.agent.internal.mqtt.MqttLink;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link's retained status, as an operator's dashboard reads it from {@code ROOT/status/{node}}: {@code online}
 * once connected (the link does not wait for its acknowledgement), {@code offline} after a clean close, and
 * {@code offline} from the last will when the close cannot get its own status through.
 */
class StatusIT {

    @TempDir
    Path dir;

    @Test
    void theStatusIsOnlineWhileConnected_andOfflineAfterClose() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             Watcher watcher = new Watcher(broker.uri())) {
            AgentConfig config = AgentConfig.of(NodeId.of("STATUS_TOWER"), broker.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            MqttLink link = startOnline(config, watcher);
            link.close();
            watcher.awaitOffline(config);
        }
    }

    @Test
    void aCloseWhoseOfflineStatusIsNotAcknowledged_leavesTheWillsOffline() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port());
             Watcher watcher = new Watcher(broker.uri())) {
            AgentConfig base = AgentConfig.of(NodeId.of("WILL_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            MqttSettings m = base.mqtt();
            // how long close() waits for the offline status
            AgentConfig config = base.withMqtt(new MqttSettings(m.brokerUri(), m.clientId(), m.username(),
                    m.password(), m.topics(), m.keepAlive(), m.connectTimeout(), m.sessionExpiry(),
                    m.inflightWindow(), Duration.ofSeconds(1), m.reconnect(), m.tls()));
            MqttLink link = startOnline(config, watcher);
            spy.swallowPublishes(true); // the offline status never reaches the broker
            link.close();
            watcher.awaitOffline(config);
        }
    }

    /**
     * With publishes the broker has not acknowledged, the offline status would queue behind them: the close
     * disconnects with the will at once, and waits for them at most {@code MqttLink.CLOSE_WAIT}, not twice the
     * publish timeout (a minute by default, twice what the agent's systemd unit allows for a stop).
     */
    @Test
    void aCloseWithPublishesUnacknowledged_endsInSeconds_andTheWillSaysOffline() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().port(FreePorts.pick())
                .directory(dir.resolve("broker")).start();
             PublishSpy spy = new PublishSpy(broker.port());
             Watcher watcher = new Watcher(broker.uri())) {
            AgentConfig config = AgentConfig.of(NodeId.of("BUSY_TOWER"), spy.uri(), dir.resolve("agent"))
                    .withTopics(Brokers.uniqueTopics());
            MqttLink link = startOnline(config, watcher);
            spy.swallowPublishes(true);
            link.publish(config.mqtt().topics().records(config.node()), new byte[] {1}, 1, false, null, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> link.heldPublishes() == 1);
            long start = System.nanoTime();
            link.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close with the default 30 s publish timeout")
                    .isLessThan(Duration.ofSeconds(20));
            watcher.awaitOffline(config);
        }
    }

    /** Starts a link for {@code config} once {@code watcher} follows its status, and waits until it says online. */
    private static MqttLink startOnline(AgentConfig config, Watcher watcher) throws MqttException {
        watcher.watch(config.mqtt().topics().status(config.node()));
        MqttLink link = new MqttLink(config, List.of(), new NoListener(), new Metrics(), () -> 0.5);
        link.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "online".equals(watcher.last()));
        return link;
    }

    /** A second client that follows the status topic, as a dashboard would. */
    private static final class Watcher implements AutoCloseable {
        private final MqttClient client;
        private final AtomicReference<String> last = new AtomicReference<>();

        Watcher(String uri) throws MqttException {
            client = new MqttClient(uri, "status-watcher-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            client.connect(o);
        }

        void watch(String topic) throws MqttException {
            // (Paho 1.2.5's subscribe(String, int, listener) calls itself until the stack overflows)
            client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, new IMqttMessageListener[] {
                (t, message) -> last.set(new String(message.getPayload(), StandardCharsets.UTF_8))});
        }

        String last() {
            return last.get();
        }

        /** Waits until the status says offline, and checks that a client subscribing now is given it, retained. */
        void awaitOffline(AgentConfig config) throws MqttException {
            await().atMost(Duration.ofSeconds(30)).until(() -> "offline".equals(last()));
            assertRetained(config.mqtt().topics().status(config.node()), "offline");
        }

        /** A client subscribing now is given {@code expected} as the retained status. */
        void assertRetained(String topic, String expected) throws MqttException {
            try (Watcher late = new Watcher(client.getServerURI())) {
                late.watch(topic);
                await().atMost(Duration.ofSeconds(10)).until(() -> expected.equals(late.last()));
            }
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
