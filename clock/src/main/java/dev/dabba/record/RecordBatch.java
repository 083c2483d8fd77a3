package dev.dabba.record;

import dev.dabba.clock.NodeId;
import java.util.List;
import java.util.Objects;

/** Records stamped by one node, published together as one MQTT message. */
public record RecordBatch(NodeId origin, List<UsageRecord> records) {

    public RecordBatch {
        Objects.requireNonNull(origin, "batch origin must not be null");
        records = List.copyOf(records);
        for (UsageRecord r : records) {
            if (!r.origin().equals(origin)) {
                throw new IllegalArgumentException("batch of " + origin + " holds record " + r.id()
                        + " stamped by another node");
            }
        }
    }
}
