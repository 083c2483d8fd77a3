package dev.dabba.gateway;

/**
 * Why the gateway dead-lettered an MQTT message; the {@link #code()} starts the {@code dabba.dlq.reason} header and
 * names the counter in the gateway's metrics.
 */
public enum RejectReason {
    /** The message arrived on a topic that is not {@code ROOT/records/NODE}. */
    FOREIGN_TOPIC("foreign-topic"),
    /** The payload is larger than the configured limit; it is not decoded at all. */
    OVERSIZED("oversized"),
    /** The payload is not a record batch of a known wire-format version, or is damaged. */
    MALFORMED("malformed"),
    /**
     * The batch decodes but cannot be genuine: its sequences do not strictly increase (an agent stamps and batches
     * in sequence order), a start or hybrid timestamp lies further in the future than any skew allows, or a call
     * duration or data volume is beyond {@link PlausibilityLimits}, where it could overflow rating downstream.
     */
    IMPLAUSIBLE("implausible"),
    /** The batch's origin node is not the node named by the topic it was published on. */
    FORGED_ORIGIN("forged-origin"),
    /** The publishing client's identity, as the broker reported it, is not the batch origin's. */
    FORGED_CLIENT("forged-client"),
    /** The identity policy requires the publisher's identity and the message did not carry it. */
    MISSING_IDENTITY("missing-identity");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** The stable, lower-case code, e.g. {@code forged-origin}. */
    public String code() {
        return code;
    }
}
