package dev.dabba.gateway;

import dev.dabba.record.MqttTopics;
import java.time.Duration;
import java.util.Objects;

/**
 * What the embedded gateway runner needs: where to read MQTT from, where to write Kafka to, and its limits.
 *
 * @param mqttUri the broker, {@code tcp://host:port}
 * @param mqttClientId this gateway instance's MQTT client id
 * @param subscription the MQTT subscription; a {@code $share/GROUP/...} filter spreads load over several gateways
 * @param kafkaBootstrapServers Kafka's bootstrap servers
 * @param kafkaAckTimeout how long to wait for Kafka to acknowledge a batch's records before giving up on it (the
 *     MQTT message is then not acknowledged, so the broker delivers it again)
 */
public record GatewayConfig(
        String mqttUri, String mqttClientId, String subscription, String kafkaBootstrapServers,
        Duration kafkaAckTimeout) {

    public GatewayConfig {
        Objects.requireNonNull(mqttUri, "mqttUri must not be null");
        if (mqttClientId == null || mqttClientId.isBlank()) {
            throw new IllegalArgumentException("mqttClientId must not be blank");
        }
        if (subscription == null || subscription.isBlank()) {
            throw new IllegalArgumentException("subscription must not be blank");
        }
        if (kafkaBootstrapServers == null || kafkaBootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafkaBootstrapServers must not be blank");
        }
        Objects.requireNonNull(kafkaAckTimeout, "kafkaAckTimeout must not be null");
    }

    /** Defaults: client id {@code dabba-gateway-1}, all record topics, 30 s Kafka timeout. */
    public static GatewayConfig of(String mqttUri, String kafkaBootstrapServers) {
        return new GatewayConfig(mqttUri, "dabba-gateway-1", MqttTopics.DEFAULT.recordsFilter(), kafkaBootstrapServers,
                Duration.ofSeconds(30));
    }
}
