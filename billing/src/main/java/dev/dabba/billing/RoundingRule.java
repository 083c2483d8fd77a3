package dev.dabba.billing;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;

/**
 * How a tariff turns exact amounts (fractions of a paisa) into whole paisa: where rounding happens and which way.
 *
 * <p>Rounding is a tariff term, never an accident of arithmetic: the seed truncated every event silently and so
 * lost half-paisa and billed tiny data sessions nothing. Here every rated line keeps its exact amount beside the
 * rounded one, so the effect of the rule is always visible.
 */
public record RoundingRule(Scope scope, Direction direction) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where rounding is applied. */
    public enum Scope {
        /**
         * Each charged increment (pulse) is rounded to whole paisa, and so is a connect fee; a line is the sum of its
         * rounded pulses. The strictest and most common rule in telecom switches.
         */
        PER_INCREMENT,
        /** Each usage record's exact amount is rounded to whole paisa; totals add the rounded amounts. */
        PER_RECORD,
        /**
         * Only the bill's exact total is rounded. Lines still show whole paisa that add up to it: line {@code i} gets
         * {@code round(exact_1 + ... + exact_i) - round(exact_1 + ... + exact_(i-1))}, taken in causal order, so each
         * line is within one paisa of its exact amount and the total is the rounded exact total.
         */
        PER_BILL;

        /** The name used in tariff files: {@code per-increment}, {@code per-record}, {@code per-bill}. */
        public String fileName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Which way a fraction of a paisa goes. Amounts are never negative, so "up" means "towards more paisa". */
    public enum Direction {
        /** Any fraction becomes a whole paisa: 60.5 -> 61, 0.001 -> 1. */
        UP(RoundingMode.UP),
        /** Any fraction is dropped: 60.5 -> 60, 0.999 -> 0. */
        DOWN(RoundingMode.DOWN),
        /** Half a paisa or more becomes a whole one: 60.5 -> 61, 60.49 -> 60. */
        HALF_UP(RoundingMode.HALF_UP);

        private final RoundingMode mode;

        Direction(RoundingMode mode) {
            this.mode = mode;
        }

        /** The {@link RoundingMode} that implements this direction. */
        public RoundingMode mode() {
            return mode;
        }

        /** The name used in tariff files: {@code up}, {@code down}, {@code half-up}. */
        public String fileName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * {@code quotient} adjusted for a non-negative {@code remainder} of a division by a positive
         * {@code divisor}: the whole paisa that {@code quotient + remainder / divisor} rounds to.
         */
        long adjust(long quotient, long remainder, long divisor) {
            if (remainder == 0L) {
                return quotient;
            }
            switch (this) {
                case UP:
                    return quotient + 1;
                case DOWN:
                    return quotient;
                default:
                    return remainder >= divisor - remainder ? quotient + 1 : quotient;
            }
        }
    }

    public RoundingRule {
        Objects.requireNonNull(scope, "rounding scope must not be null");
        Objects.requireNonNull(direction, "rounding direction must not be null");
    }

    /** Rounds every charged increment in {@code direction}. */
    public static RoundingRule perIncrement(Direction direction) {
        return new RoundingRule(Scope.PER_INCREMENT, direction);
    }

    /** Rounds every record's amount in {@code direction}. */
    public static RoundingRule perRecord(Direction direction) {
        return new RoundingRule(Scope.PER_RECORD, direction);
    }

    /** Rounds only the bill's total in {@code direction}. */
    public static RoundingRule perBill(Direction direction) {
        return new RoundingRule(Scope.PER_BILL, direction);
    }

    /** The whole paisa that {@code exactPaisa} rounds to in this rule's direction. */
    public Money round(BigDecimal exactPaisa) {
        Objects.requireNonNull(exactPaisa, "exact amount must not be null");
        try {
            return Money.ofPaisa(exactPaisa.setScale(0, direction.mode()).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("exact amount " + exactPaisa.toPlainString()
                    + " paisa does not fit in a long", e);
        }
    }

    /** As written in tariff files and on bills: {@code per-record up}. */
    @Override
    public String toString() {
        return scope.fileName() + " " + direction.fileName();
    }

    /** Parses {@link #toString()}: {@code per-record up}; also accepts the enum names. */
    public static RoundingRule parse(String text) {
        Objects.requireNonNull(text, "rounding text must not be null");
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("rounding must look like 'per-record up', was '" + text + "'");
        }
        return new RoundingRule(parseEnum(Scope.class, parts[0], "rounding scope"),
                parseEnum(Direction.class, parts[1], "rounding direction"));
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String text, String what) {
        String name = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException(what + " must be one of " + allowed + ", was '" + text + "'");
    }
}
