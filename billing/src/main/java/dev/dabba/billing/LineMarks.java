package dev.dabba.billing;

import dev.dabba.record.EventId;

/**
 * What the stream job knows about a record beyond the record itself, marked on its bill line: whether it was
 * released before its causal dependencies arrived (and which were missing), and whether it is a cloned-SIM suspect.
 */
public interface LineMarks {

    /** No marks: every record complete, none suspect. */
    LineMarks NONE = new LineMarks() {
        @Override
        public String missingDependencies(EventId record) {
            return null;
        }

        @Override
        public boolean cloneSuspect(EventId record) {
            return false;
        }
    };

    /** What was missing when {@code record} was released, or {@code null} when it was complete. */
    String missingDependencies(EventId record);

    /** Whether {@code record} is concurrent with usage of the same subscriber at a far-away tower. */
    boolean cloneSuspect(EventId record);
}
