package dev.dabba.gateway;

import dev.dabba.clock.NodeId;
import java.util.Locale;
import java.util.Objects;

/**
 * How the gateway decides that a batch really comes from the node it claims.
 *
 * <p>MQTT does not tell subscribers who published a message, so identity has to reach the gateway another way. The
 * batch origin must always equal the node in the topic {@code ROOT/records/NODE}; what makes that topic segment
 * trustworthy is the broker: an ACL that lets a device's credentials write only its own topic (Mosquitto:
 * {@code pattern write dabba/v1/records/%u}). With {@link Mode#TOPIC_AND_USER_PROPERTY} the gateway also demands an
 * MQTT 5 user property carrying the publisher's client id, which a broker plugin stamps on every publish (replacing
 * any value the client sent), and checks it against {@link #expectedClientId(NodeId)}.
 *
 * @param mode what must agree
 * @param userProperty the MQTT 5 user property that carries the publisher's client id
 * @param clientIdPrefix agents' client ids are this prefix followed by their node id
 */
public record IdentityPolicy(Mode mode, String userProperty, String clientIdPrefix) {

    /** The user property the policy reads by default. */
    public static final String DEFAULT_USER_PROPERTY = "dabba-client-id";
    /** Agents' client-id prefix by default ({@code dabba-agent-MUMBAI_BKC}). */
    public static final String DEFAULT_CLIENT_ID_PREFIX = "dabba-agent-";
    /** Topic and origin must agree; the broker's topic ACL authenticates the topic. */
    public static final IdentityPolicy TOPIC_ACL = new IdentityPolicy(Mode.TOPIC, DEFAULT_USER_PROPERTY,
            DEFAULT_CLIENT_ID_PREFIX);

    /** What must agree for a batch to be accepted. */
    public enum Mode {
        /**
         * Topic node and batch origin; a client id in the user property, when present, must agree too (an
         * unauthenticated property can only make the check stricter).
         */
        TOPIC,
        /** Topic node, batch origin and a broker-stamped client id in the user property, which must be present. */
        TOPIC_AND_USER_PROPERTY;

        /** The configuration spelling: {@code topic} or {@code topic-and-user-property}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@link #configName()}. */
        public static Mode fromConfigName(String name) {
            for (Mode m : values()) {
                if (m.configName().equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("identity mode must be 'topic' or 'topic-and-user-property', was '"
                    + name + "'");
        }
    }

    public IdentityPolicy {
        Objects.requireNonNull(mode, "mode must not be null");
        if (userProperty == null || userProperty.isBlank()) {
            throw new IllegalArgumentException("userProperty must not be blank");
        }
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix must not be null");
    }

    /** The client id an agent for {@code node} connects with. */
    public String expectedClientId(NodeId node) {
        return clientIdPrefix + node.value();
    }

    /** Whether a message without a publisher identity must be rejected. */
    public boolean requiresPublisherIdentity() {
        return mode == Mode.TOPIC_AND_USER_PROPERTY;
    }
}
