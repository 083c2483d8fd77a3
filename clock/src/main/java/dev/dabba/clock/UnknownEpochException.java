package dev.dabba.clock;

/**
 * A clock refers to an epoch the reader does not know (yet). Not malformed input: a tower that has not received an
 * epoch announcement, or a job restoring its epoch history, may see this and retry once the epoch is known.
 */
public final class UnknownEpochException extends RuntimeException {

    private final long epoch;

    public UnknownEpochException(long epoch, String context) {
        super(context + ": epoch " + epoch + " is not known here");
        this.epoch = epoch;
    }

    /** The unknown epoch's number. */
    public long epoch() {
        return epoch;
    }
}
