package dev.dabba.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One stretch of a rated record with a single price: the rating breakdown that shows why a line costs what it does.
 *
 * <p>A record is split into segments wherever the price can change: at a time-window boundary (calls), at a tier
 * threshold, or where a bundle runs out. Quantities are in the service's base unit (seconds, messages or bytes).
 *
 * @param offset where in the record the segment starts
 * @param quantity the record's usage in this segment
 * @param charged the charged quantity: the lengths of its pulses, so at least {@code quantity}
 * @param pulses how many increments (pulses) it charges
 * @param window the time window its price comes from, {@code null} for the plan's any-time prices
 * @param tierFrom the threshold of the tier its price comes from (0 for the first tier)
 * @param price paisa per {@code unit}
 * @param unit the rate unit the price is quoted per
 * @param bundle the bundle that covered it, {@code null} if charged
 * @param bundleUsed how much of that bundle's allowance it drew
 * @param connectFee the connect fee charged here (the record's first segment only), in paisa
 * @param exactPaisa the exact cost, connect fee included
 * @param amount the rounded cost under per-increment rounding; {@code null} under rules that round whole records or
 *     the bill
 */
public record RatedSegment(
        long offset,
        long quantity,
        long charged,
        long pulses,
        String window,
        long tierFrom,
        BigDecimal price,
        long unit,
        String bundle,
        long bundleUsed,
        BigDecimal connectFee,
        BigDecimal exactPaisa,
        Money amount) {

    public RatedSegment {
        requireNonNegative("offset", offset);
        requireNonNegative("quantity", quantity);
        requireNonNegative("charged", charged);
        requireNonNegative("pulses", pulses);
        requireNonNegative("tierFrom", tierFrom);
        requireNonNegative("bundleUsed", bundleUsed);
        if (unit <= 0) {
            throw new IllegalArgumentException("rated segment unit must be positive, was " + unit);
        }
        Objects.requireNonNull(price, "rated segment price must not be null");
        Objects.requireNonNull(connectFee, "rated segment connectFee must not be null");
        Objects.requireNonNull(exactPaisa, "rated segment exactPaisa must not be null");
        if (exactPaisa.signum() < 0) {
            throw new IllegalArgumentException("rated segment exactPaisa must be non-negative, was "
                    + exactPaisa.toPlainString());
        }
        if (bundle == null && bundleUsed != 0) {
            throw new IllegalArgumentException("rated segment bundleUsed must be 0 without a bundle, was "
                    + bundleUsed);
        }
    }

    /** Whether a bundle covered this segment. */
    public boolean covered() {
        return bundle != null;
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("rated segment " + field + " must be non-negative, was " + value);
        }
    }
}
