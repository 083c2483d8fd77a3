package dev.dabba.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * Billing cycles are calendar months in Indian Standard Time: a record belongs to the month of its start instant
 * in {@link #ZONE}, so a call at 23:30 UTC on 31 March is billed in April.
 */
public final class BillingCycle {

    /** The zone whose calendar months are the billing cycles. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");

    private BillingCycle() {
    }

    /** The cycle that a record starting at {@code start} is billed in. */
    public static YearMonth of(Instant start) {
        Objects.requireNonNull(start, "start must not be null");
        return YearMonth.from(start.atZone(ZONE));
    }

    /** The first instant of {@code cycle}. */
    public static Instant start(YearMonth cycle) {
        return cycle.atDay(1).atStartOfDay(ZONE).toInstant();
    }

    /** The first instant after {@code cycle}: cycles are half-open, {@code [start, end)}. */
    public static Instant end(YearMonth cycle) {
        return start(cycle.plusMonths(1));
    }

    /** Parses {@code YYYY-MM}. */
    public static YearMonth parse(String text) {
        Objects.requireNonNull(text, "cycle must not be null");
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("cycle must be YYYY-MM, was '" + text + "'", e);
        }
    }
}
