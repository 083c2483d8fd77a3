package dev.dabba.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * How much of a service a record used, in the unit it is measured in: seconds, messages or bytes.
 *
 * <p>The amount is exact; only {@link #toString()} converts bytes to MiB for people ({@code 50.00 MiB}).
 */
public record Quantity(long amount, Unit unit) {

    /** The unit a quantity is measured in, with the symbol stored and printed beside the amount. */
    public enum Unit {
        /** Call duration. */
        SECONDS("s"),
        /** Number of messages. */
        MESSAGES("sms"),
        /** Data volume, uplink plus downlink. */
        BYTES("B");

        private final String symbol;

        Unit(String symbol) {
            this.symbol = symbol;
        }

        /** The short symbol: {@code s}, {@code sms}, {@code B}. */
        public String symbol() {
            return symbol;
        }

        /** The unit with symbol {@code symbol}. */
        public static Unit ofSymbol(String symbol) {
            for (Unit u : values()) {
                if (u.symbol.equals(symbol)) {
                    return u;
                }
            }
            throw new IllegalArgumentException("quantity unit must be one of s, sms, B, was '" + symbol + "'");
        }
    }

    private static final BigDecimal BYTES_PER_MIB = BigDecimal.valueOf(Tariff.BYTES_PER_MIB);

    public Quantity {
        Objects.requireNonNull(unit, "quantity unit must not be null");
        if (amount < 0) {
            throw new IllegalArgumentException("quantity amount must be non-negative, was " + amount + " " + unit);
        }
    }

    /** A call duration. */
    public static Quantity seconds(long seconds) {
        return new Quantity(seconds, Unit.SECONDS);
    }

    /** A number of messages. */
    public static Quantity messages(long messages) {
        return new Quantity(messages, Unit.MESSAGES);
    }

    /** A data volume. */
    public static Quantity bytes(long bytes) {
        return new Quantity(bytes, Unit.BYTES);
    }

    /**
     * The quantity for people: {@code 180 s}, {@code 1 sms}, {@code 50.00 MiB}. A data volume too small to show as
     * 0.01 MiB is shown in bytes ({@code 1 B}), so that a billed session never reads as zero.
     */
    @Override
    public String toString() {
        if (unit != Unit.BYTES) {
            return amount + " " + unit.symbol();
        }
        BigDecimal mib = BigDecimal.valueOf(amount).divide(BYTES_PER_MIB, 2, RoundingMode.HALF_UP);
        if (mib.signum() == 0 && amount > 0) {
            return amount + " B";
        }
        return mib.toPlainString() + " MiB";
    }
}
