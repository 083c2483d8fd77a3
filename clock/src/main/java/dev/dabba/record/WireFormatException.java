package dev.dabba.record;

/** Thrown when bytes do not decode as a Dabba record or batch; the message says which field and why. */
public final class WireFormatException extends RuntimeException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
