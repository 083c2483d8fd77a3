package dev.dabba.billing.internal;

/** A request the HTTP API refuses: the status, a machine-readable code, the offending parameter and a message. */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String parameter;

    /** A refusal with {@code status} and {@code code}, naming {@code parameter} (or null) in {@code message}. */
    public ApiException(int status, String code, String parameter, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.parameter = parameter;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The machine-readable code, such as {@code invalid_parameter}. */
    public String code() {
        return code;
    }

    /** The parameter at fault, or null. */
    public String parameter() {
        return parameter;
    }
}
