package dev.dabba.billing;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * How a tariff turns exact amounts (fractions of a paisa) into whole paisa: where rounding happens and which way.
 *
 * <p>Rounding is a tariff term, never an accident of arithmetic: the seed truncated every event silently and so
 * lost half-paisa and billed tiny data sessions nothing. Here every rated line keeps its exact amount beside the
 * rounded one, so the effect of the rule is always visible.
 */
public record RoundingRule(Scope scope, Direction direction) implements Serializable {

    /** Where rounding is applied. Only per record for now; per increment and per bill are planned. */
    public enum Scope {
        /** Each usage record's exact amount is rounded to whole paisa; totals add the rounded amounts. */
        PER_RECORD
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
    }

    public RoundingRule {
        Objects.requireNonNull(scope, "rounding scope must not be null");
        Objects.requireNonNull(direction, "rounding direction must not be null");
    }

    /** Rounds every record's amount in {@code direction}. */
    public static RoundingRule perRecord(Direction direction) {
        return new RoundingRule(Scope.PER_RECORD, direction);
    }

    /** The whole paisa that {@code exactPaisa} rounds to under this rule. */
    public Money round(BigDecimal exactPaisa) {
        Objects.requireNonNull(exactPaisa, "exact amount must not be null");
        try {
            return Money.ofPaisa(exactPaisa.setScale(0, direction.mode()).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("exact amount " + exactPaisa.toPlainString()
                    + " paisa does not fit in a long", e);
        }
    }

    @Override
    public String toString() {
        return scope + " " + direction;
    }
}
