package dev.dabba.clock;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a node that stamps events: a tower, a sensor, or a job component.
 *
 * <p>Node ids are short, stable strings from configuration ({@code MUMBAI_BKC}); they are case-sensitive and use
 * only letters, digits, {@code _}, {@code -} and {@code .} so that they are safe as MQTT topic segments.
 */
public record NodeId(String value) implements Comparable<NodeId> {

    /** Longest node id accepted, in characters. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.\\-]{1," + MAX_LENGTH + "}");

    public NodeId {
        Objects.requireNonNull(value, "node id must not be null");
        if (!VALID.matcher(value).matches()) {
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
        return value != null && VALID.matcher(value).matches();
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
