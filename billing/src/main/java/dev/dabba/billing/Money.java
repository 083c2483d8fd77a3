package dev.dabba.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An exact amount of Indian rupees held as a whole number of paisa (1 rupee = 100 paisa), never a float.
 *
 * <p>Written {@code Rs 21.90} for people ({@link #toString()}) and {@code 21.90} for machines
 * ({@link #toPlainString()}); a negative amount (a credit) is written {@code -Rs 0.50}.
 */
public record Money(long paisa) implements Comparable<Money> {

    /** No money. */
    public static final Money ZERO = new Money(0L);

    /** Paisa in one rupee. */
    public static final int PAISA_PER_RUPEE = 100;

    /** The amount of {@code paisa} paisa. */
    public static Money ofPaisa(long paisa) {
        return paisa == 0L ? ZERO : new Money(paisa);
    }

    /**
     * Parses a plain rupee amount with at most two decimals, such as {@code 21.90}, {@code 21.9}, {@code 7} or
     * {@code -0.50}; the inverse of {@link #toPlainString()}.
     */
    public static Money parse(String rupees) {
        Objects.requireNonNull(rupees, "money text must not be null");
        BigDecimal value;
        try {
            value = new BigDecimal(rupees.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("money must be a plain rupee amount like 21.90, was '" + rupees + "'",
                    e);
        }
        if (value.scale() > 2 && value.stripTrailingZeros().scale() > 2) {
            throw new IllegalArgumentException("money must have at most 2 decimals (whole paisa), was '" + rupees
                    + "'");
        }
        try {
            return ofPaisa(value.movePointRight(2).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("money is out of range, was '" + rupees + "'", e);
        }
    }

    /** This amount plus {@code other}; throws {@link ArithmeticException} rather than overflow. */
    public Money plus(Money other) {
        Objects.requireNonNull(other, "money to add must not be null");
        return ofPaisa(Math.addExact(paisa, other.paisa));
    }

    /** This amount minus {@code other}; throws {@link ArithmeticException} rather than overflow. */
    public Money minus(Money other) {
        Objects.requireNonNull(other, "money to subtract must not be null");
        return ofPaisa(Math.subtractExact(paisa, other.paisa));
    }

    /** Whether this amount is below zero (a credit). */
    public boolean isNegative() {
        return paisa < 0L;
    }

    /** The amount in rupees, exactly, with two decimals. */
    public BigDecimal toRupees() {
        return BigDecimal.valueOf(paisa, 2);
    }

    /** The amount in rupees with two decimals and no currency: {@code 21.90}, {@code -0.50}. */
    public String toPlainString() {
        return toRupees().toPlainString();
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(paisa, o.paisa);
    }

    /** The amount for people: {@code Rs 21.90}, {@code -Rs 0.50}. */
    @Override
    public String toString() {
        String rupees = toRupees().abs().toPlainString();
        return paisa < 0L ? "-Rs " + rupees : "Rs " + rupees;
    }
}
