package dev.dabba.billing;

/** A bill could not be written to or read from the store; the message names the operation, the bill and the schema. */
public class BillStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}, caused by {@code cause}. */
    public BillStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
