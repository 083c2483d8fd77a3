package dev.dabba.billing;

import java.util.List;
import java.util.Objects;

/**
 * The rated lines of a sequence of usage records, in the order given, with subtotals for calls, SMS and data and
 * their total (every subtotal is the sum of its lines' rounded amounts), and how much of each bundle they used.
 */
public record RatedUsage(List<RatedLine> lines, Money calls, Money sms, Money data, Money total,
        List<BundleUsage> bundles) {

    public RatedUsage {
        lines = List.copyOf(Objects.requireNonNull(lines, "rated usage lines must not be null"));
        Objects.requireNonNull(calls, "rated usage calls must not be null");
        Objects.requireNonNull(sms, "rated usage sms must not be null");
        Objects.requireNonNull(data, "rated usage data must not be null");
        Objects.requireNonNull(total, "rated usage total must not be null");
        bundles = List.copyOf(Objects.requireNonNull(bundles, "rated usage bundles must not be null"));
        long[] sums = subtotals(lines);
        requireSum("calls", calls, sums[0]);
        requireSum("sms", sms, sums[1]);
        requireSum("data", data, sums[2]);
        requireSum("total", total, Math.addExact(Math.addExact(sums[0], sums[1]), sums[2]));
    }

    /** The usage of {@code lines} with subtotals and total computed from them. */
    public static RatedUsage of(List<RatedLine> lines, List<BundleUsage> bundles) {
        long[] sums = subtotals(lines);
        return new RatedUsage(lines, Money.ofPaisa(sums[0]), Money.ofPaisa(sums[1]), Money.ofPaisa(sums[2]),
                Money.ofPaisa(Math.addExact(Math.addExact(sums[0], sums[1]), sums[2])), bundles);
    }

    /** The usage of {@code lines}, without bundles. */
    public static RatedUsage of(List<RatedLine> lines) {
        return of(lines, List.of());
    }

    private static long[] subtotals(List<RatedLine> lines) {
        long[] sums = new long[Service.Category.values().length];
        for (RatedLine line : lines) {
            int i = line.service().category().ordinal();
            sums[i] = Math.addExact(sums[i], line.amount().paisa());
        }
        return sums;
    }

    private static void requireSum(String field, Money given, long sumOfLines) {
        if (given.paisa() != sumOfLines) {
            throw new IllegalArgumentException("rated usage " + field + " must equal the sum of its lines, "
                    + sumOfLines + " paisa, was " + given.paisa());
        }
    }
}
