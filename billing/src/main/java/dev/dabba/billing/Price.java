package dev.dabba.billing;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * One entry of a rate's price list: {@code price} paisa per rate unit, in time window {@code window} (or at any time
 * the plan's windows do not claim, when {@code null}), for usage from tier threshold {@code from} on.
 *
 * <p>{@code from} is in the service's base unit (seconds, messages or bytes) and counts as the rate's
 * {@link TierBasis} says; a price holds until the next higher threshold of the same window.
 */
public record Price(String window, long from, BigDecimal price) implements Serializable {

    private static final long serialVersionUID = 1L;

    public Price {
        if (from < 0) {
            throw new IllegalArgumentException("price from must be non-negative, was " + from);
        }
        Objects.requireNonNull(price, "price must not be null");
        if (price.signum() < 0) {
            throw new IllegalArgumentException("price must be non-negative, was " + price.toPlainString());
        }
        price = Amounts.normalize(price);
    }

    /** A price at any time, from zero. */
    public static Price of(BigDecimal price) {
        return new Price(null, 0, price);
    }

    /** A price at any time, from zero, given as text such as {@code 0.5}. */
    public static Price of(String price) {
        return of(new BigDecimal(price));
    }
}
