package dev.dabba.agent;

/** An agent operation failed: connecting, storing, publishing or receiving; the message says which node and what. */
public class AgentException extends RuntimeException {

    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
