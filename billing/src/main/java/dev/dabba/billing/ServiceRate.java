package dev.dabba.billing;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How one service is priced: a price list in paisa per rate unit, charged in increments, with an optional connect
 * fee and tiers.
 *
 * <p>All lengths are in the service's base unit (seconds, messages or bytes). Usage of {@code q > 0} units is charged
 * as pulses laid out from the start of the record: the first pulse is {@code firstIncrement} long, every later one
 * {@code increment}, so the charged quantity is {@code firstIncrement + ceil((q - firstIncrement) / increment) *
 * increment} (at least {@code firstIncrement}). Each pulse costs its length times the price in effect when it starts
 * (its time window and tier), divided by {@code unit}. The connect fee is charged once per record with usage, on its
 * first segment. Zero usage (an unanswered call) costs nothing.
 *
 * <p>Every pulse must cost a terminating decimal number of paisa, so that amounts stay exact: 100 paisa per 60 s in
 * 1 s increments is refused (1.666... paisa a pulse), 60 paisa per 60 s is fine.
 */
public record ServiceRate(
        long unit,
        long increment,
        long firstIncrement,
        BigDecimal connectFee,
        TierBasis tierBasis,
        List<Price> prices) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ServiceRate {
        requirePositive("unit", unit);
        requirePositive("increment", increment);
        requirePositive("firstIncrement", firstIncrement);
        Objects.requireNonNull(connectFee, "connectFee must not be null");
        if (connectFee.signum() < 0) {
            throw new IllegalArgumentException("connectFee: must be non-negative, was " + connectFee.toPlainString());
        }
        connectFee = Amounts.normalize(connectFee);
        Objects.requireNonNull(tierBasis, "tierBasis must not be null");
        prices = List.copyOf(Objects.requireNonNull(prices, "prices must not be null"));
        if (prices.isEmpty()) {
            throw new IllegalArgumentException("prices: must have at least one price");
        }
        List<String> seen = new ArrayList<>();
        boolean anyTimeFromZero = false;
        for (int i = 0; i < prices.size(); i++) {
            Price p = prices.get(i);
            String key = p.window() + "@" + p.from();
            if (seen.contains(key)) {
                throw new IllegalArgumentException("prices[" + i + "]: repeats window "
                        + (p.window() == null ? "(any time)" : p.window()) + " from " + p.from());
            }
            seen.add(key);
            if (p.window() == null && p.from() == 0) {
                anyTimeFromZero = true;
            }
            requireTerminating(i, p.price(), firstIncrement, "firstIncrement", unit);
            requireTerminating(i, p.price(), increment, "increment", unit);
        }
        if (!anyTimeFromZero) {
            throw new IllegalArgumentException("prices: must have a price without a window from 0, for usage no "
                    + "window or higher tier claims");
        }
        for (int i = 0; i < prices.size(); i++) {
            Price p = prices.get(i);
            if (p.window() != null && p.from() > 0 && !seen.contains(p.window() + "@0")) {
                throw new IllegalArgumentException("prices[" + i + "]: window " + p.window() + " has tiers but no "
                        + "price from 0");
            }
        }
    }

    /** A flat rate: {@code price} paisa per {@code unit}, charged in {@code increment}s, no connect fee, no tiers. */
    public static ServiceRate flat(BigDecimal price, long unit, long increment) {
        return new ServiceRate(unit, increment, increment, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(Price.of(price)));
    }

    /** The prices of {@code window} ({@code null}: any time), ascending by threshold; empty if it has none. */
    public List<Price> pricesIn(String window) {
        List<Price> out = new ArrayList<>();
        for (Price p : prices) {
            if (Objects.equals(p.window(), window)) {
                out.add(p);
            }
        }
        out.sort((a, b) -> Long.compare(a.from(), b.from()));
        return out;
    }

    /** The charged quantity (pulses laid end to end) for {@code usage} units; zero for no usage. */
    public long chargedQuantity(long usage) {
        if (usage <= 0) {
            return 0;
        }
        if (usage <= firstIncrement) {
            return firstIncrement;
        }
        long more = usage - firstIncrement;
        return Math.addExact(firstIncrement, Math.multiplyExact((more + increment - 1) / increment, increment));
    }

    private static void requirePositive(String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": must be positive, was " + value);
        }
    }

    private static void requireTerminating(int i, BigDecimal price, long pulse, String pulseName, long unit) {
        try {
            price.multiply(BigDecimal.valueOf(pulse)).divide(BigDecimal.valueOf(unit));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("prices[" + i + "].price: " + price.toPlainString() + " paisa per "
                    + unit + " for a " + pulseName + " of " + pulse + " is not a whole or terminating decimal number "
                    + "of paisa per pulse; quote the price so that one pulse costs an exact decimal amount", e);
        }
    }
}
