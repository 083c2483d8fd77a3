package dev.dabba.agent;

import dev.dabba.clock.NodeId;
import dev.dabba.record.MqttTopics;
import java.time.Duration;
import java.util.Objects;

/**
 * What one tower or sensor agent needs to run: its identity, its broker, and its batching and timing limits.
 *
 * @param node the node id this agent stamps records as
 * @param brokerUri the MQTT broker, {@code tcp://host:port} or {@code ssl://host:port}
 * @param clientId the MQTT client id; the gateway checks it against the batch origin
 * @param username MQTT username, or null for none
 * @param password MQTT password, or null for none
 * @param maxBatchRecords most records in one published batch
 * @param publishTimeout how long to wait for the broker's PUBACK before failing a publish
 * @param maxClockOffset how far ahead of the local wall clock a peer's hybrid timestamp may be
 * @param topics the MQTT topic layout
 */
public record AgentConfig(
        NodeId node,
        String brokerUri,
        String clientId,
        String username,
        String password,
        int maxBatchRecords,
        Duration publishTimeout,
        Duration maxClockOffset,
        MqttTopics topics) {

    /** Default {@link #maxBatchRecords}. */
    public static final int DEFAULT_MAX_BATCH_RECORDS = 1_000;
    /** Default {@link #publishTimeout}. */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #maxClockOffset}. */
    public static final Duration DEFAULT_MAX_CLOCK_OFFSET = Duration.ofMinutes(1);

    public AgentConfig {
        Objects.requireNonNull(node, "node must not be null");
        Objects.requireNonNull(brokerUri, "brokerUri must not be null");
        if (!brokerUri.matches("(tcp|ssl|ws|wss)://.+")) {
            throw new IllegalArgumentException("brokerUri must look like tcp://host:port or ssl://host:port, was '"
                    + brokerUri + "'");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank");
        }
        if (maxBatchRecords <= 0) {
            throw new IllegalArgumentException("maxBatchRecords must be positive, was " + maxBatchRecords);
        }
        Objects.requireNonNull(publishTimeout, "publishTimeout must not be null");
        if (publishTimeout.isNegative() || publishTimeout.isZero()) {
            throw new IllegalArgumentException("publishTimeout must be positive, was " + publishTimeout);
        }
        Objects.requireNonNull(maxClockOffset, "maxClockOffset must not be null");
        Objects.requireNonNull(topics, "topics must not be null");
    }

    /** A config with defaults: client id {@code dabba-agent-NODE}, no credentials. */
    public static AgentConfig of(NodeId node, String brokerUri) {
        return new AgentConfig(node, brokerUri, clientIdFor(node), null, null, DEFAULT_MAX_BATCH_RECORDS,
                DEFAULT_PUBLISH_TIMEOUT, DEFAULT_MAX_CLOCK_OFFSET, MqttTopics.DEFAULT);
    }

    /** This config with the topic layout {@code topics}. */
    public AgentConfig withTopics(MqttTopics topics) {
        return new AgentConfig(node, brokerUri, clientId, username, password, maxBatchRecords, publishTimeout,
                maxClockOffset, topics);
    }

    /** The client id an agent for {@code node} uses by default. */
    public static String clientIdFor(NodeId node) {
        return "dabba-agent-" + node.value();
    }
}
