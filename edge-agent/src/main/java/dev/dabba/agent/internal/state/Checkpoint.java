package dev.dabba.agent.internal.state;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import java.util.Objects;

/**
 * What an agent must remember across restarts besides its outbox: its vector clock (stored as its epoch's number
 * plus the entries above the epoch base), its hybrid clock's last timestamp, and the outbox index below which the
 * broker acknowledged everything.
 *
 * @param node the node the state belongs to (a state directory never moves between nodes)
 * @param epoch the clock's epoch number
 * @param deltaIds node ids of the clock's entries above the epoch base, ascending
 * @param deltaCounters their counters
 * @param hlc the hybrid clock's last timestamp
 * @param acknowledged the outbox index below which every entry is acknowledged
 */
public record Checkpoint(NodeId node, long epoch, String[] deltaIds, long[] deltaCounters, HybridTimestamp hlc,
        long acknowledged) {

    public Checkpoint {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(hlc, "hlc");
        if (deltaIds.length != deltaCounters.length) {
            throw new IllegalArgumentException("checkpoint clock has " + deltaIds.length + " ids but "
                    + deltaCounters.length + " counters");
        }
        deltaIds = deltaIds.clone();
        deltaCounters = deltaCounters.clone();
    }

    @Override
    public String[] deltaIds() {
        return deltaIds.clone();
    }

    @Override
    public long[] deltaCounters() {
        return deltaCounters.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.node.equals(node) && c.epoch == epoch
                && java.util.Arrays.equals(c.deltaIds, deltaIds) && java.util.Arrays.equals(c.deltaCounters,
                deltaCounters) && c.hlc.equals(hlc) && c.acknowledged == acknowledged;
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, epoch, java.util.Arrays.hashCode(deltaIds), java.util.Arrays.hashCode(deltaCounters),
                hlc, acknowledged);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Checkpoint[").append(node).append(", epoch ").append(epoch)
                .append(", delta {");
        for (int i = 0; i < deltaIds.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(deltaIds[i]).append(':').append(deltaCounters[i]);
        }
        return sb.append("}, hlc ").append(hlc).append(", acknowledged ").append(acknowledged).append(']')
                .toString();
    }
}
