package dev.dabba.billing;

import java.util.Objects;

/**
 * One difference between a bill version and the version it replaced: a record added or gone, or a line whose amount
 * changed (a late record earlier in causal order can move a bundle's end or a cycle tier, and so reprice later
 * lines). Positions and amounts are {@code null} where the line does not exist on that side.
 */
public record BillChange(String eventId, Kind kind, Integer oldPosition, Integer newPosition, Money oldAmount,
        Money newAmount) {

    /** What happened to the line. */
    public enum Kind {
        /** The record is new in this version. */
        ADDED,
        /** The record was on the previous version and is not on this one. */
        REMOVED,
        /** The record is on both, at a different amount. */
        REPRICED
    }

    public BillChange {
        Objects.requireNonNull(eventId, "bill change eventId must not be null");
        Objects.requireNonNull(kind, "bill change kind must not be null (" + eventId + ")");
    }
}
