package dev.dabba.billing;

import java.math.BigDecimal;

/** Canonical form of exact decimal amounts, so that equal amounts compare and serialize equally. */
final class Amounts {

    private Amounts() {
    }

    /** {@code value} without trailing zeros and with a non-negative scale: 0.50 -> 0.5, 100 -> 100, 0.00 -> 0. */
    static BigDecimal normalize(BigDecimal value) {
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (value.scale() == 0) {
            return value;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** {@code unscaled * 10^-scale} in canonical form, computed without BigInteger arithmetic. */
    static BigDecimal compact(long unscaled, int scale) {
        if (unscaled == 0) {
            return BigDecimal.ZERO;
        }
        while (scale > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        return BigDecimal.valueOf(unscaled, scale);
    }
}
