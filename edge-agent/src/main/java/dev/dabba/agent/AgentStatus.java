package dev.dabba.agent;

/**
 * A snapshot of an agent's state, for {@code dabba agent status}, {@code GET /status} and tests.
 *
 * @param node the node id
 * @param profile tower or sensor
 * @param connected whether the MQTT link is up
 * @param lastError why it is not, or the last connection problem
 * @param outboxRecords records stored and not yet acknowledged by the broker
 * @param outboxBytes bytes the outbox uses on disk
 * @param outboxMaxBytes the limit
 * @param outboxFull whether new records are being refused
 * @param sequence the node's own clock entry: the last event id's sequence
 * @param epoch the clock's epoch number
 * @param clockEntries non-zero entries of the clock
 * @param clockDeltaEntries entries above the epoch base (what the wire carries)
 * @param recordsStamped records stamped since start
 * @param recordsPublished records acknowledged by the broker since start
 * @param reconnects successful reconnections since start
 * @param handoversHeld received handovers held for an unknown epoch
 */
public record AgentStatus(String node, String profile, boolean connected, String lastError, long outboxRecords,
        long outboxBytes, long outboxMaxBytes, boolean outboxFull, long sequence, long epoch, int clockEntries,
        int clockDeltaEntries, long recordsStamped, long recordsPublished, long reconnects, int handoversHeld) {

    /** Healthy: accepting records (the outbox is not full). A disconnected agent is still healthy: it buffers. */
    public boolean healthy() {
        return !outboxFull;
    }
}
