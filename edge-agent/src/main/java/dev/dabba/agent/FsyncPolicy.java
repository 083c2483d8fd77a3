package dev.dabba.agent;

/**
 * When the outbox forces its appends to the storage device.
 *
 * <p>Whatever the policy, a record is written to the operating system before its caller is answered, so it
 * survives the agent process dying (kill -9, a crash, an out-of-memory kill). The policy decides what survives a
 * power cut.
 */
public enum FsyncPolicy {
    /** Force before answering the caller: an acknowledged record survives a power cut. Concurrent callers share one force. */
    RECORD,
    /** Force each batch before publishing it: a record survives a power cut once it is being published. */
    BATCH,
    /** Force on a timer ({@code outbox.fsyncInterval}): at most that much accepted work is lost to a power cut. */
    INTERVAL;

    /** The name used in config files. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
