package dev.dabba.embedded;

/** An infrastructure component (Kafka, an MQTT broker, PostgreSQL) failed to start, stop or answer. */
public final class InfrastructureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String component;

    /** Creates the exception; the message reads "{component}: {detail}". */
    public InfrastructureException(String component, String detail, Throwable cause) {
        super(component + ": " + detail + (cause == null ? "" : " (" + rootMessage(cause) + ")"), cause);
        this.component = component;
    }

    /** The component that failed, e.g. "embedded Kafka". */
    public String component() {
        return component;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
