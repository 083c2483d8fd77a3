package dev.dabba.deploy.flink;

/** The Flink session cluster could not start, accept a job, or answer; the message says what and where to look. */
public final class FlinkClusterException extends RuntimeException {

    public FlinkClusterException(String message) {
        super(message);
    }

    public FlinkClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
