package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which bills to list: any combination of a cycle, a status, a minimum total and a subscriber number prefix; empty
 * parts match everything.
 */
public record BillFilter(Optional<YearMonth> cycle, Optional<BillStatus> status, Optional<Money> minTotal,
        Optional<String> subscriberPrefix) {

    private static final Pattern PREFIX = Pattern.compile("\\+[0-9]{1," + Msisdn.MAX_DIGITS + "}");

    /** Every bill. */
    public static final BillFilter ALL = new BillFilter(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public BillFilter {
        Objects.requireNonNull(cycle, "cycle must not be null (use Optional.empty())");
        Objects.requireNonNull(status, "status must not be null (use Optional.empty())");
        Objects.requireNonNull(minTotal, "minTotal must not be null (use Optional.empty())");
        Objects.requireNonNull(subscriberPrefix, "subscriberPrefix must not be null (use Optional.empty())");
        if (subscriberPrefix.isPresent() && !PREFIX.matcher(subscriberPrefix.get()).matches()) {
            throw new IllegalArgumentException("subscriberPrefix must be '+' and 1-" + Msisdn.MAX_DIGITS
                    + " digits, was '" + subscriberPrefix.get() + "'");
        }
    }

    /** Canonicalizes a typed prefix ({@code +91-98}, {@code +91 98}) to {@code +9198}; rejects anything else. */
    public static String canonicalPrefix(String typed) {
        Objects.requireNonNull(typed, "subscriber prefix must not be null");
        String t = typed.trim();
        if (!t.startsWith("+")) {
            throw new IllegalArgumentException("subscriber prefix must start with '+', was '" + typed + "'");
        }
        StringBuilder sb = new StringBuilder("+");
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                sb.append(c);
            } else if (c != '-' && c != ' ') {
                throw new IllegalArgumentException("subscriber prefix may hold only digits, '-' and spaces after "
                        + "'+', was '" + typed + "'");
            }
        }
        if (sb.length() < 2 || sb.length() > Msisdn.MAX_DIGITS + 1) {
            throw new IllegalArgumentException("subscriber prefix must have 1-" + Msisdn.MAX_DIGITS
                    + " digits, was '" + typed + "'");
        }
        return sb.toString();
    }

    /** This filter restricted to {@code cycle}. */
    public BillFilter withCycle(YearMonth cycle) {
        return new BillFilter(Optional.of(cycle), status, minTotal, subscriberPrefix);
    }

    /** This filter restricted to {@code status}. */
    public BillFilter withStatus(BillStatus status) {
        return new BillFilter(cycle, Optional.of(status), minTotal, subscriberPrefix);
    }

    /** This filter restricted to totals of at least {@code min}. */
    public BillFilter withMinTotal(Money min) {
        return new BillFilter(cycle, status, Optional.of(min), subscriberPrefix);
    }

    /** This filter restricted to subscribers whose canonical number starts with {@code prefix}. */
    public BillFilter withSubscriberPrefix(String prefix) {
        return new BillFilter(cycle, status, minTotal, Optional.of(canonicalPrefix(prefix)));
    }
}
