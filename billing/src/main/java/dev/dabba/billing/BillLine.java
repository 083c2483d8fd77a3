package dev.dabba.billing;

import java.util.Objects;

/**
 * A rated line at its 1-based position in a bill's causal timeline, with three flags:
 * <ul>
 *   <li>{@code concurrent}: its record is causally concurrent with a neighbouring line (two towers saw usage that
 *       neither knew about: a handover race, or a cloned SIM);</li>
 *   <li>{@code missingDependencies}: non-null when the stream job released the record to the bill before every
 *       record it causally depends on had arrived (it waited the job's maximum causal wait, or a dependency was
 *       given up as lost); the text names what was missing then, as {@code NODE:FROM-TO} ranges. Cleared when the
 *       dependencies arrive;</li>
 *   <li>{@code cloneSuspect}: the record is causally concurrent with another record of the same subscriber at a
 *       tower far away at an overlapping time: one SIM cannot be in two places at once.</li>
 * </ul>
 */
public record BillLine(int position, RatedLine rated, boolean concurrent, String missingDependencies,
        boolean cloneSuspect) {

    public BillLine {
        if (position < 1) {
            throw new IllegalArgumentException("bill line position must be at least 1, was " + position);
        }
        Objects.requireNonNull(rated, "bill line rated must not be null (position " + position + ")");
        if (missingDependencies != null && missingDependencies.isBlank()) {
            throw new IllegalArgumentException("bill line missingDependencies must be null or name what is missing, "
                    + "was blank (position " + position + ")");
        }
    }

    /** A line without the stream job's flags: complete and not a clone suspect. */
    public BillLine(int position, RatedLine rated, boolean concurrent) {
        this(position, rated, concurrent, null, false);
    }

    /** Whether the record was billed before all of its causal dependencies had arrived. */
    public boolean releasedIncomplete() {
        return missingDependencies != null;
    }

    /** The line's rounded amount. */
    public Money amount() {
        return rated.amount();
    }
}
