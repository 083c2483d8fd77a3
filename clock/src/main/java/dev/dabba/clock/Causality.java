package dev.dabba.clock;

/** How two events are related by happens-before, as seen from the first one. */
public enum Causality {
    /** The first event happened before the second. */
    BEFORE,
    /** The first event happened after the second. */
    AFTER,
    /** Both clocks are the same: the same event, or a duplicate of it. */
    EQUAL,
    /** Neither happened before the other. */
    CONCURRENT;

    /** The relation seen from the other event. */
    public Causality reversed() {
        return switch (this) {
            case BEFORE -> AFTER;
            case AFTER -> BEFORE;
            case EQUAL, CONCURRENT -> this;
        };
    }
}
