package dev.dabba.gateway;

import static dev.dabba.gateway.testing.KafkaTopicReader.header;
import static dev.dabba.gateway.testing.KafkaTopicReader.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.gateway.testing.PrivateMosquitto;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Device identity end to end on a Mosquitto 2 broker of the test's own with a password file and the ACL the gateway
 * README documents ({@code pattern write ROOT/records/%u}): the broker stops a device from writing another
 * device's topic, and the gateway dead-letters a batch whose origin is not the node of the topic it came on.
 */
class MosquittoIdentityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final MqttTopics TOPICS = new MqttTopics("dabba/v1");
    private static EmbeddedKafka kafka;
    private static PrivateMosquitto mosquitto;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(PrivateMosquitto.available(), "needs the mosquitto and mosquitto_passwd binaries ("
                + PrivateMosquitto.PASSWD + "); install the Debian package mosquitto");
        Path dir = Files.createTempDirectory("dabba-mosquitto-acl-");
        Map<String, String> users = new LinkedHashMap<>();
        users.put("gateway", "gateway-secret");
        users.put("MUMBAI_BKC", "bkc-secret");
        users.put("MUMBAI_DADAR", "dadar-secret");
        mosquitto = PrivateMosquitto.start(dir, users, List.of(
                "# the gateway reads every record topic and owns the epoch announcements",
                "user gateway",
                "topic read " + TOPICS.root() + "/records/#",
                "topic readwrite " + TOPICS.epochs(),
                "",
                "# a device (user name = node id) writes only its own record topic",
                "pattern write " + TOPICS.root() + "/records/%u",
                "pattern read " + TOPICS.epochs()));
        kafka = EmbeddedKafka.start();
        kafka.createTopics(TopicSpec.of(KafkaTopics.RECORDS, 1), TopicSpec.of(KafkaTopics.DEAD_LETTERS, 1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Test
    void brokerRefusesAnotherDevicesTopic_andGatewayDeadLettersAForgedOriginOnTheDevicesOwnTopic()
            throws Exception {
        NodeId bkc = NodeId.of("MUMBAI_BKC");
        NodeId dadar = NodeId.of("MUMBAI_DADAR");
        Batches.Encoded genuine = Batches.batch(bkc, 1, 10);
        Batches.Encoded forgedByBkc = Batches.batch(dadar, 500, 10); // BKC's device claiming to be DADAR
        GatewayConfig config = GatewayConfig.builder(mosquitto.uri(), kafka.bootstrapServers())
                .credentials("gateway", "gateway-secret").epochRelay(false).build();
        try (EmbeddedGateway gateway = EmbeddedGateway.start(config);
                MqttPublisher device = MqttPublisher.connect(mosquitto.uri(), "dabba-agent-MUMBAI_BKC", 4,
                        "MUMBAI_BKC", "bkc-secret")) {
            int[] refused = device.publish(TOPICS.records(dadar), forgedByBkc.payload());
            assertThat(refused).as("PUBACK reason code: 0x87 not authorized").containsExactly(0x87);

            assertThat(device.publish(TOPICS.records(bkc), forgedByBkc.payload())).containsExactly(0);
            assertThat(device.publish(TOPICS.records(bkc), genuine.payload())).containsExactly(0);

            await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(),
                    KafkaTopics.RECORDS).stream().map(r -> header(r, KafkaTopics.HEADER_EVENT_ID))
                    .collect(Collectors.toList())).containsExactlyInAnyOrderElementsOf(genuine.eventIds()));
            await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(kafka.bootstrapServers(),
                    KafkaTopics.DEAD_LETTERS)).singleElement().satisfies(d -> {
                        assertThat(header(d, KafkaTopics.HEADER_DLQ_REASON)).startsWith("forged-origin:")
                                .contains("MUMBAI_DADAR published on the topic of MUMBAI_BKC");
                        assertThat(d.value()).isEqualTo(forgedByBkc.payload());
                    }));
            assertThat(gateway.metrics().rejected(RejectReason.FORGED_ORIGIN)).isEqualTo(1);
        }
    }

    @Test
    void brokerRefusesDevicesWithoutCredentials() {
        assertThatThrownBy(() -> MqttPublisher.connect(mosquitto.uri(), "anonymous-device", 1))
                .isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> MqttPublisher.connect(mosquitto.uri(), "dabba-agent-MUMBAI_BKC", 1, "MUMBAI_BKC",
                "wrong")).isInstanceOf(MqttException.class);
    }

    @Test
    void gatewayWithWrongCredentials_failsToStart_namingTheBroker() {
        GatewayConfig config = GatewayConfig.builder(mosquitto.uri(), kafka.bootstrapServers())
                .credentials("gateway", "wrong").clientIdPrefix("gw-bad").epochRelay(false)
                .set(dev.dabba.gateway.connect.MqttClientSettings.CONNECTION_TIMEOUT_SECONDS, "5").build();
        assertThatThrownBy(() -> EmbeddedGateway.start(config)).isInstanceOf(GatewayException.class)
                .hasMessageContaining(mosquitto.uri());
    }
}
