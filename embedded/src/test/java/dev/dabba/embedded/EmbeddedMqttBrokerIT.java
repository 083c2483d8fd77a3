package dev.dabba.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedMqttBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String MOSQUITTO_HOST = "127.0.0.1";
    private static final int MOSQUITTO_PORT = 1883;

    @Test
    void deliversQos1Messages_andRetainedMessagesToLateSubscribers_overMqtt5() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start()) {
            assertThat(broker.uri()).isEqualTo("tcp://127.0.0.1:" + broker.port());
            publishAndSubscribeWithQos1(broker.uri());
            retainedMessageReachesLateSubscriber(broker.uri());
        }
    }

    @Test
    void servesMqtt5OverWebSocket_whenAsked_besideItsTcpListener() throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder().webSocket(true).start()) {
            assertThat(broker.webSocketUri()).startsWith("ws://127.0.0.1:").endsWith("/mqtt")
                    .isNotEqualTo("ws://127.0.0.1:" + broker.port() + "/mqtt");
            publishAndSubscribeWithQos1(broker.webSocketUri());
            publishAndSubscribeWithQos1(broker.uri());
        }
        try (EmbeddedMqttBroker plain = EmbeddedMqttBroker.start()) {
            assertThatThrownBy(plain::webSocketUri).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("webSocket(true)");
        }
    }

    @Test
    void acceptsMqtt311Connections_andFreesPortDirectoryAndThreadsOnClose() {
        Set<Thread> before = Threads.nonDaemon();
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.start();
        int port = broker.port();
        Path directory = broker.directory();
        assertThat(directory.resolve("conf/config.xml")).content().contains("<port>" + port + "</port>")
                .contains("<enabled>false</enabled>");
        assertThat(MosquittoProbe.isReachable("127.0.0.1", port)).as("MQTT 3.1.1 CONNECT accepted").isTrue();

        broker.close();

        assertThat(MosquittoProbe.isReachable("127.0.0.1", port)).isFalse();
        assertThat(FreePorts.isFree(port)).isTrue();
        assertThat(directory).doesNotExist();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Threads.startedSince(before)).isEmpty());
    }

    @Test
    void keepsRetainedMessages_whenRestartedWithFilePersistenceOnTheSameDirectoryAndPort(@TempDir Path directory)
            throws Exception {
        String topic = "dabba/it/epoch";
        int port;
        try (EmbeddedMqttBroker first = EmbeddedMqttBroker.builder().directory(directory).filePersistence(true).start();
             Client publisher = Client.connect(first.uri())) {
            port = first.port();
            publisher.publish(topic, "epoch 8", 1, true);
        }
        try (EmbeddedMqttBroker second = EmbeddedMqttBroker.builder()
                .port(port).directory(directory).filePersistence(true).start();
             Client late = Client.connect(second.uri())) {
            late.subscribe(topic, 1);
            MqttMessage received = late.next();
            assertThat(received).as("retained message after restart").isNotNull();
            assertThat(new String(received.getPayload(), StandardCharsets.UTF_8)).isEqualTo("epoch 8");
        }
    }

    @Test
    void failsWithAClearMessage_whenTheConfiguredPortIsTaken() {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start()) {
            assertThatThrownBy(() -> EmbeddedMqttBroker.builder().port(broker.port()).start())
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageContaining("port " + broker.port())
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void deliversQos1AndRetainedMessages_onTheMachinesMosquitto() throws Exception {
        assumeTrue(MosquittoProbe.isReachable(MOSQUITTO_HOST, MOSQUITTO_PORT),
                "no MQTT broker accepting anonymous clients at " + MOSQUITTO_HOST + ":" + MOSQUITTO_PORT);
        String uri = "tcp://" + MOSQUITTO_HOST + ":" + MOSQUITTO_PORT;
        publishAndSubscribeWithQos1(uri);
        retainedMessageReachesLateSubscriber(uri);
    }

    private static void publishAndSubscribeWithQos1(String uri) throws Exception {
        String topic = "dabba/it/" + UUID.randomUUID() + "/usage";
        try (Client subscriber = Client.connect(uri); Client publisher = Client.connect(uri)) {
            subscriber.subscribe(topic, 1);
            publisher.publish(topic, "call BKC 180s", 1, false);

            MqttMessage received = subscriber.next();
            assertThat(received).as("message on " + topic).isNotNull();
            assertThat(new String(received.getPayload(), StandardCharsets.UTF_8)).isEqualTo("call BKC 180s");
            assertThat(received.getQos()).isEqualTo(1);
            assertThat(received.isRetained()).isFalse();
        }
    }

    private static void retainedMessageReachesLateSubscriber(String uri) throws Exception {
        String topic = "dabba/it/" + UUID.randomUUID() + "/epoch";
        try (Client publisher = Client.connect(uri)) {
            publisher.publish(topic, "epoch 7", 1, true);
            try (Client late = Client.connect(uri)) {
                late.subscribe(topic, 1);
                MqttMessage received = late.next();
                assertThat(received).as("retained message on " + topic).isNotNull();
                assertThat(new String(received.getPayload(), StandardCharsets.UTF_8)).isEqualTo("epoch 7");
                assertThat(received.isRetained()).isTrue();
            } finally {
                publisher.publish(topic, "", 1, true); // clears the retained message (matters on Mosquitto)
            }
        }
    }

    /** A connected Paho MQTT v5 client that queues what it receives. */
    private static final class Client implements AutoCloseable {
        private final MqttClient client;
        private final BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();

        private Client(MqttClient client) {
            this.client = client;
        }

        static Client connect(String uri) throws MqttException {
            MqttClient client = new MqttClient(uri, "dabba-it-" + UUID.randomUUID(), new MemoryPersistence());
            Client wrapper = new Client(client);
            client.setCallback(wrapper.callback());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setConnectionTimeout((int) TIMEOUT.toSeconds());
            client.setTimeToWait(TIMEOUT.toMillis());
            client.connect(options);
            return wrapper;
        }

        void subscribe(String topic, int qos) throws MqttException {
            IMqttToken token = client.subscribe(topic, qos);
            assertThat(token.getGrantedQos()).containsExactly(qos);
        }

        void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained); // blocks until PUBACK
        }

        MqttMessage next() throws InterruptedException {
            return received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws MqttException {
            try {
                if (client.isConnected()) {
                    client.disconnect(TIMEOUT.toMillis());
                }
            } finally {
                client.close(true);
            }
        }

        private MqttCallback callback() {
            return new MqttCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(message);
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
            };
        }
    }
}
