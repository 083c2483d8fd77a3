package dev.dabba.reliability.oracle;

import dev.dabba.record.EventId;

/**
 * One line of an expected bill.
 *
 * @param id the record
 * @param paisa what it costs under the seed plan, rounded as the plan says
 * @param concurrent whether it is causally concurrent with a neighbouring line
 */
public record ExpectedLine(EventId id, long paisa, boolean concurrent) {
}
