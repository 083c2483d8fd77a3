package dev.dabba.agent;

/** What the agent does with a new record when its outbox has reached {@code outbox.maxBytes}. Never drops. */
public enum FullPolicy {
    /** Refuse the record at once with {@link OutboxFullException} (HTTP 503); the caller keeps it and retries. */
    REFUSE,
    /** Wait up to {@code outbox.blockTimeout} for the broker to acknowledge older records, then refuse. */
    BLOCK;

    /** The name used in config files. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
