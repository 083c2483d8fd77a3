package dev.dabba.billing;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named, recurring stretch of local time in a tariff's zone, such as weekday peak hours: the days it starts on
 * and the local times it runs {@code [from, to)}.
 *
 * <p>A window whose {@code to} is not after its {@code from} runs past midnight into the next day (night hours
 * 22:00-06:00 starting on the listed days); {@code to} equal to {@code from} means the whole day. Windows are
 * evaluated on the local time of each instant, so a window boundary on a daylight-saving day falls where the wall
 * clock says it does: local times that a transition skips never occur, and repeated local times occur twice.
 */
public record TimeWindow(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to) implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern VALID_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public TimeWindow {
        Objects.requireNonNull(name, "window name must not be null");
        if (!VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("window name must be 1-32 characters of [a-z0-9_-] starting with a "
                    + "letter, was '" + name + "'");
        }
        Objects.requireNonNull(days, "window days must not be null (window " + name + ")");
        if (days.isEmpty()) {
            throw new IllegalArgumentException("window days must not be empty (window " + name + ")");
        }
        days = Collections.unmodifiableSet(EnumSet.copyOf(days));
        Objects.requireNonNull(from, "window from must not be null (window " + name + ")");
        Objects.requireNonNull(to, "window to must not be null (window " + name + ")");
    }

    /** The window's length in seconds of local time: up to 24 hours. */
    public int lengthSeconds() {
        int f = from.toSecondOfDay();
        int t = to.toSecondOfDay();
        return t > f ? t - f : t + 86_400 - f;
    }

    /** Whether local time {@code secondOfDay} on a day of week {@code day} lies in this window. */
    public boolean contains(DayOfWeek day, int secondOfDay) {
        int f = from.toSecondOfDay();
        int t = to.toSecondOfDay();
        if (t > f) {
            return days.contains(day) && secondOfDay >= f && secondOfDay < t;
        }
        // Runs past midnight (or all day when t == f): the part after midnight belongs to the previous day's start.
        if (secondOfDay >= f) {
            return days.contains(day);
        }
        return secondOfDay < t && days.contains(day.minus(1));
    }
}
