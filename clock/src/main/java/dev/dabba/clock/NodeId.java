package dev.dabba.clock;

import java.util.Objects;

/**
 * The identity of a node that stamps events: a tower, a sensor, or a job component.
 *
 * <p>Node ids are short, stable strings from configuration ({@code MUMBAI_BKC}); they are case-sensitive and use
 * only letters, digits, {@code _}, {@code -} and {@code .} so that they are safe as MQTT topic segments.
 */
public record NodeId(String value) implements Comparable<NodeId> {

    /** Longest node id accepted, in characters. */
    public static final int MAX_LENGTH = 64;

    public NodeId {
        Objects.requireNonNull(value, "node id must not be null");
        if (!isValid(value)) {
            throw new IllegalArgumentException("node id must be 1-" + MAX_LENGTH
                    + " characters of [A-Za-z0-9_.-], was '" + value + "'");
        }
    }

    /** Returns the node id for {@code value}, validating it. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    /** Whether {@code value} would be accepted by {@link #of(String)}. */
    public static boolean isValid(String value) {
        // A loop, not a regex: decoders check every node id of every record, and a regex match cost most of a decode.
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
