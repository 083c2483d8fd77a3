package dev.dabba.record;

import dev.dabba.clock.NodeId;
import java.util.List;

/**
 * A batch checked for structure and split into standalone records, without resolving epochs: what the gateway needs
 * to forward records to Kafka one by one. The stream job, which knows the epochs, decodes each record fully.
 *
 * @param origin the node that stamped every record
 * @param records the records in batch order
 */
public record SplitBatch(NodeId origin, List<RawRecord> records) {

    public SplitBatch {
        records = List.copyOf(records);
    }

    /**
     * One record of a split batch.
     *
     * @param id the record's event id
     * @param subscriber who pays for it
     * @param epoch the epoch its clock is encoded in
     * @param startMillis the usage's start, epoch milliseconds (non-negative)
     * @param hlcWallMillis the wall part of its hybrid timestamp, epoch milliseconds (non-negative)
     * @param usage what was used, already validated by the record model
     * @param encoded the record on its own, in the record wire format (kind {@code R}), clock still epoch-relative
     */
    public record RawRecord(EventId id, Msisdn subscriber, long epoch, long startMillis, long hlcWallMillis,
            Usage usage, byte[] encoded) {
    }
}
