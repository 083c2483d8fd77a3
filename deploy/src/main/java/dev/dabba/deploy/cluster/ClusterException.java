package dev.dabba.deploy.cluster;

/** The local cluster could not do what was asked; the message names the component and where to look. */
public final class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
