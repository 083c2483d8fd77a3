package dev.dabba.record;

import dev.dabba.clock.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT topic layout shared by agents and the gateway (see {@code docs/architecture.md}), under a root that
 * defaults to {@code dabba/v1}.
 *
 * <p>The root lets several deployments (or test runs) share one broker without hearing each other, and lets a
 * future layout live beside this one.
 *
 * @param root the prefix of every topic, without a trailing slash and without wildcards
 */
public record MqttTopics(String root) {

    /** The standard layout under {@code dabba/v1}. */
    public static final MqttTopics DEFAULT = new MqttTopics("dabba/v1");

    public MqttTopics {
        Objects.requireNonNull(root, "mqtt topic root must not be null");
        if (root.isEmpty() || root.startsWith("/") || root.endsWith("/") || root.contains("+")
                || root.contains("#") || root.contains("//") || root.startsWith("$")) {
            throw new IllegalArgumentException("mqtt topic root must be a plain topic path like dabba/v1 (no "
                    + "wildcards, no leading or trailing '/', not starting with '$'), was '" + root + "'");
        }
    }

    /** Record batches of {@code node}: {@code ROOT/records/NODE}. */
    public String records(NodeId node) {
        return root + "/records/" + node.value();
    }

    /** Subscription filter for every node's record batches. */
    public String recordsFilter() {
        return root + "/records/+";
    }

    /** Handovers addressed to {@code node}: {@code ROOT/handover/NODE}. */
    public String handover(NodeId node) {
        return root + "/handover/" + node.value();
    }

    /** Retained online/offline status of {@code node} (its last will): {@code ROOT/status/NODE}. */
    public String status(NodeId node) {
        return root + "/status/" + node.value();
    }

    /** Retained epoch announcements from the stream job. */
    public String epochs() {
        return root + "/epochs";
    }

    /** The node a record topic belongs to, or empty when {@code topic} is not a record topic of this layout. */
    public Optional<NodeId> recordsOrigin(String topic) {
        String prefix = root + "/records/";
        if (topic == null || !topic.startsWith(prefix)) {
            return Optional.empty();
        }
        String node = topic.substring(prefix.length());
        return NodeId.isValid(node) ? Optional.of(NodeId.of(node)) : Optional.empty();
    }
}
