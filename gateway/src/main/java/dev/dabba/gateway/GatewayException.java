package dev.dabba.gateway;

/** The gateway could not start or run; the message says which side (MQTT or Kafka) and why. */
public final class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
