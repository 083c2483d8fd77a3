package dev.dabba.record;

import dev.dabba.clock.NodeId;
import java.util.Optional;

/** The MQTT topic layout shared by agents and the gateway (see {@code docs/architecture.md}). */
public final class MqttTopics {

    /** Prefix of every Dabba topic; the version lets a future layout live beside this one. */
    public static final String ROOT = "dabba/v1";
    /** Record batches, one topic per stamping node: {@code dabba/v1/records/{node}}. */
    public static final String RECORDS_PREFIX = ROOT + "/records/";
    /** Subscription filter for every node's record batches. */
    public static final String RECORDS_FILTER = RECORDS_PREFIX + "+";
    /** Handovers addressed to a node: {@code dabba/v1/handover/{node}}. */
    public static final String HANDOVER_PREFIX = ROOT + "/handover/";
    /** Retained online/offline status of a node (its last will): {@code dabba/v1/status/{node}}. */
    public static final String STATUS_PREFIX = ROOT + "/status/";
    /** Retained epoch announcements from the stream job. */
    public static final String EPOCHS = ROOT + "/epochs";

    private MqttTopics() {
    }

    public static String records(NodeId node) {
        return RECORDS_PREFIX + node.value();
    }

    public static String handover(NodeId node) {
        return HANDOVER_PREFIX + node.value();
    }

    public static String status(NodeId node) {
        return STATUS_PREFIX + node.value();
    }

    /** The node a record topic belongs to, or empty when {@code topic} is not a valid record topic. */
    public static Optional<NodeId> recordsOrigin(String topic) {
        if (topic == null || !topic.startsWith(RECORDS_PREFIX)) {
            return Optional.empty();
        }
        String node = topic.substring(RECORDS_PREFIX.length());
        return NodeId.isValid(node) ? Optional.of(NodeId.of(node)) : Optional.empty();
    }
}
