package dev.dabba.clock;

import java.time.Duration;

/** Thrown when a remote hybrid timestamp lies further ahead of the local wall clock than the configured maximum. */
public final class ClockSkewException extends RuntimeException {

    private final HybridTimestamp remote;
    private final long localWallMillis;
    private final Duration maxOffset;

    public ClockSkewException(HybridTimestamp remote, long localWallMillis, Duration maxOffset) {
        super("remote hlc " + remote + " is " + (remote.wallMillis() - localWallMillis)
                + " ms ahead of the local wall clock " + localWallMillis + ", more than the maximum offset of "
                + maxOffset.toMillis() + " ms");
        this.remote = remote;
        this.localWallMillis = localWallMillis;
        this.maxOffset = maxOffset;
    }

    public HybridTimestamp remote() {
        return remote;
    }

    public long localWallMillis() {
        return localWallMillis;
    }

    public Duration maxOffset() {
        return maxOffset;
    }
}
