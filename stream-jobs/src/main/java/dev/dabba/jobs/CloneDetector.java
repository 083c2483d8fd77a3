package dev.dabba.jobs;

import dev.dabba.clock.Causality;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decides whether two records of one subscriber look like a cloned SIM: their clocks are CONCURRENT (a subscriber
 * who moves between towers is handed over with the old tower's clock, so its records are ordered; a second SIM
 * using the same identity elsewhere is not), their towers are at least {@code minDistanceKm} apart, and their usage
 * intervals overlap once each is widened by {@code slack} (tower clocks disagree a little). A call occupies
 * {@code [start, start + duration]}; an SMS or a data session its start instant.
 */
public final class CloneDetector implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TowerDirectory towers;
    private final double minDistanceKm;
    private final long slackMillis;

    public CloneDetector(TowerDirectory towers, double minDistanceKm, Duration slack) {
        this.towers = Objects.requireNonNull(towers, "towers");
        this.minDistanceKm = minDistanceKm;
        this.slackMillis = slack.toMillis();
    }

    /** The alert for the pair, ordered by the causal sort's tie-break, when it is suspect. */
    public Optional<CloneAlert> check(UsageRecord a, UsageRecord b, String cycle) {
        if (a.origin().equals(b.origin())) {
            return Optional.empty();
        }
        // The cheapest test first: most of a bill's records are hours away from a new one.
        long aStart = a.start().toEpochMilli();
        long bStart = b.start().toEpochMilli();
        if (aStart - slackMillis > end(b) || bStart - slackMillis > end(a)) {
            return Optional.empty();
        }
        OptionalDouble d = towers.distanceKm(a.origin().value(), b.origin().value());
        if (d.isEmpty() || d.getAsDouble() < minDistanceKm) {
            return Optional.empty();
        }
        if (a.clock().compare(b.clock()) != Causality.CONCURRENT) {
            return Optional.empty();
        }
        UsageRecord first = UsageRecord.TIE_BREAK.compare(a, b) <= 0 ? a : b;
        UsageRecord second = first == a ? b : a;
        return Optional.of(new CloneAlert(a.subscriber().value(), cycle, first.id().toString(),
                first.origin().value(), first.start().toEpochMilli(), second.id().toString(),
                second.origin().value(), second.start().toEpochMilli(), Math.round(d.getAsDouble() * 10) / 10.0));
    }

    private static long end(UsageRecord r) {
        long start = r.start().toEpochMilli();
        if (r.usage() instanceof Usage.Call) {
            long seconds = ((Usage.Call) r.usage()).durationSeconds();
            return seconds > (Long.MAX_VALUE - start) / 1000 ? Long.MAX_VALUE : start + seconds * 1000;
        }
        return start;
    }
}
