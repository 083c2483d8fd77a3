package dev.dabba.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
        long second = start.getEpochSecond();
        for (int i = 0; i < SPANS; i++) {
            Span s = RECENT.get(i);
            if (s != null && s.startSecond <= second && second < s.endSecond) {
                return s.cycle;
            }
        }
        YearMonth cycle = YearMonth.from(start.atZone(ZONE));
        span(cycle);
        return cycle;
    }

    /** The first instant of {@code cycle}. */
    public static Instant start(YearMonth cycle) {
        return span(cycle).start;
    }

    /** The first instant after {@code cycle}: cycles are half-open, {@code [start, end)}. */
    public static Instant end(YearMonth cycle) {
        return span(cycle).end;
    }

    /**
     * A cycle and its bounds. The stream job asks for a record's cycle, and for a cycle's bounds, for every record and
     * every bill version, and the zone's calendar arithmetic was several per cent of the bill operator; nearly every
     * record is in one of a few recent months, so the last few cycles asked for are kept, by month, in {@link #RECENT}
     * (immutable entries: a race only computes one again).
     */
    private record Span(YearMonth cycle, Instant start, Instant end, long startSecond, long endSecond) {
    }

    private static final int SPANS = 8;
    private static final AtomicReferenceArray<Span> RECENT = new AtomicReferenceArray<>(SPANS);

    private static Span span(YearMonth cycle) {
        Objects.requireNonNull(cycle, "cycle must not be null");
        int slot = Math.floorMod(cycle.getYear() * 12 + cycle.getMonthValue(), SPANS);
        Span s = RECENT.get(slot);
        if (s == null || !s.cycle.equals(cycle)) {
            Instant start = cycle.atDay(1).atStartOfDay(ZONE).toInstant();
            Instant end = cycle.plusMonths(1).atDay(1).atStartOfDay(ZONE).toInstant();
            s = new Span(cycle, start, end, start.getEpochSecond(), end.getEpochSecond());
            RECENT.set(slot, s);
        }
        return s;
    }

    /**
     * Parses {@code YYYY-MM}. The common form is read by hand: the stream job parses a bill's cycle from its key
     * every time it emits the bill, and {@code YearMonth.parse}'s formatter was about 4 % of that operator's time.
     */
    public static YearMonth parse(String text) {
        Objects.requireNonNull(text, "cycle must not be null");
        if (text.length() == 7 && text.charAt(4) == '-') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            if (year >= 0 && month >= 1 && month <= 12) {
                return YearMonth.of(year, month);
            }
        }
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("cycle must be YYYY-MM, was '" + text + "'", e);
        }
    }

    /** The decimal number in {@code text[from, to)}, or -1 if a character there is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
