package dev.dabba.billing;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

/**
 * A tariff's time windows compiled for rating: which windows an instant's local time falls in, and the next instant
 * at which that can change.
 *
 * <p>Classification always goes through the zone's offset at the instant itself, so daylight-saving transitions are
 * handled by construction: a boundary whose local time a transition skips takes effect at the transition, and a
 * repeated local hour is classified twice, the same way both times.
 */
final class WindowSchedule {

    private static final int SECONDS_PER_DAY = 86_400;

    private final List<TimeWindow> windows;
    private final ZoneRules rules;
    private final boolean fixed;
    private final int fixedOffset;
    /** Distinct local boundary times, seconds of day, ascending. */
    private final int[] boundaries;

    WindowSchedule(List<TimeWindow> windows, ZoneRules rules) {
        if (windows.size() > 31) {
            throw new IllegalArgumentException("windows: at most 31 windows, was " + windows.size());
        }
        this.windows = windows;
        this.rules = rules;
        this.fixed = rules.isFixedOffset();
        this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : 0;
        this.boundaries = windows.stream()
                .flatMapToInt(w -> java.util.stream.IntStream.of(w.from().toSecondOfDay(), w.to().toSecondOfDay()))
                .distinct().sorted().toArray();
    }

    boolean isEmpty() {
        return windows.isEmpty();
    }

    /** Bit {@code i} is set when window {@code i} contains the local time of {@code epochMillis}. */
    int matching(long epochMillis) {
        if (windows.isEmpty()) {
            return 0;
        }
        long epochSecond = Math.floorDiv(epochMillis, 1000L);
        int offset = fixed ? fixedOffset : rules.getOffset(Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
        long local = epochSecond + offset;
        long day = Math.floorDiv(local, SECONDS_PER_DAY);
        int secondOfDay = Math.floorMod(local, SECONDS_PER_DAY);
        DayOfWeek dow = DayOfWeek.of(Math.floorMod(day + 3, 7) + 1);
        int mask = 0;
        for (int i = 0; i < windows.size(); i++) {
            if (windows.get(i).contains(dow, secondOfDay)) {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    /**
     * The first instant, in epoch milliseconds, after {@code epochMillis} at which {@link #matching} may change;
     * {@link Long#MAX_VALUE} without windows.
     */
    long nextChange(long epochMillis) {
        if (windows.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long epochSecond = Math.floorDiv(epochMillis, 1000L);
        if (fixed) {
            long local = epochSecond + fixedOffset;
            long day = Math.floorDiv(local, SECONDS_PER_DAY);
            for (long d = day; d <= day + 1; d++) {
                for (int b : boundaries) {
                    long candidate = d * SECONDS_PER_DAY + b - fixedOffset;
                    if (candidate * 1000L > epochMillis) {
                        return candidate * 1000L;
                    }
                }
            }
            return (day + 2) * SECONDS_PER_DAY * 1000L - fixedOffset * 1000L;
        }
        Instant now = Instant.ofEpochSecond(epochSecond);
        long best = Long.MAX_VALUE;
        ZoneOffsetTransition transition = rules.nextTransition(now);
        if (transition != null) {
            best = transition.getInstant().toEpochMilli();
        }
        LocalDate today = LocalDateTime.ofInstant(now, rules.getOffset(now)).toLocalDate();
        for (int d = -1; d <= 2; d++) {
            LocalDate date = today.plusDays(d);
            for (int b : boundaries) {
                LocalDateTime local = LocalDateTime.of(date, LocalTime.ofSecondOfDay(b));
                List<ZoneOffset> offsets = rules.getValidOffsets(local);
                if (offsets.isEmpty()) {
                    best = earlierAfter(best, rules.getTransition(local).getInstant().toEpochMilli(), epochMillis);
                }
                for (ZoneOffset o : offsets) {
                    best = earlierAfter(best, local.toEpochSecond(o) * 1000L, epochMillis);
                }
            }
        }
        return best;
    }

    private static long earlierAfter(long best, long candidate, long after) {
        return candidate > after && candidate < best ? candidate : best;
    }
}
