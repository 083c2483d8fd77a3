package dev.dabba.agent;

/**
 * A record was refused because the outbox holds {@code outbox.maxBytes} of records the broker has not acknowledged
 * yet. Nothing was stamped: the record has no event id and the caller still owns it; retry later.
 */
public final class OutboxFullException extends AgentException {

    private final long usedBytes;
    private final long maxBytes;

    public OutboxFullException(String message, long usedBytes, long maxBytes) {
        super(message);
        this.usedBytes = usedBytes;
        this.maxBytes = maxBytes;
    }

    /** Bytes the outbox held when the record was refused. */
    public long usedBytes() {
        return usedBytes;
    }

    /** The configured limit, {@code outbox.maxBytes}. */
    public long maxBytes() {
        return maxBytes;
    }
}
