package dev.dabba.billing;

import java.util.Objects;

/**
 * A rated line at its 1-based position in a bill's causal timeline, flagged when its record is causally concurrent
 * with a neighbouring line (two towers saw usage that neither knew about: a handover race, or a cloned SIM).
 */
public record BillLine(int position, RatedLine rated, boolean concurrent) {

    public BillLine {
        if (position < 1) {
            throw new IllegalArgumentException("bill line position must be at least 1, was " + position);
        }
        Objects.requireNonNull(rated, "bill line rated must not be null (position " + position + ")");
    }

    /** The line's rounded amount. */
    public Money amount() {
        return rated.amount();
    }
}
