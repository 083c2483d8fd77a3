package dev.dabba.reliability.oracle;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One usage record as the workload generated it, with what the workload itself knows about its causal past.
 *
 * <p>{@code knownBefore} is the generator's own bookkeeping, kept apart from the pipeline's clocks: for every tower,
 * how many of that tower's records happened before this one in the execution the generator drove (program order at
 * a tower, and handovers the generator waited to see merged). The record's own tower maps to its sequence. It is a
 * vector in the textbook sense, but computed by the generator from the steps it took, never read from a
 * {@code VectorClock}; so the oracle's happens-before is the execution's, not the pipeline's opinion of it.
 *
 * @param id the event id the agent gave the record (the generator predicts it and checks the agent agrees)
 * @param subscriber who pays
 * @param start the usage's start as stamped
 * @param usage what was used
 * @param hlc the record's hybrid timestamp when the generator saw it (the agent returned the record), or null when
 *     the agent stamped it on its own (the part of a call closed by a handover) and the generator only knows that
 *     it exists; used only to break ties among concurrent records
 * @param knownBefore tower id to the number of that tower's records in this record's causal past, itself included
 */
public record GeneratedRecord(EventId id, Msisdn subscriber, Instant start, Usage usage, HybridTimestamp hlc,
        Map<String, Long> knownBefore) {

    public GeneratedRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(usage, "usage");
        knownBefore = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(knownBefore, "knownBefore")));
        Long own = knownBefore.get(id.origin().value());
        if (own == null || own != id.sequence()) {
            throw new IllegalArgumentException("knownBefore of " + id + " must map its own tower to its sequence, "
                    + "was " + own);
        }
    }

    /** Whether this record happened before {@code other} in the generated execution. */
    public boolean happenedBefore(GeneratedRecord other) {
        if (other.id.equals(id)) {
            return false;
        }
        return other.knownBefore.getOrDefault(id.origin().value(), 0L) >= id.sequence();
    }
}
