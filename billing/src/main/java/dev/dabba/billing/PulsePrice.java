package dev.dabba.billing;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The exact price of one pulse held as {@code u / (10^s * 2^a)} paisa with a small {@code u}, so that multiplying
 * by a pulse count and rounding stay in {@code long} arithmetic on the rating hot path; exact {@link BigDecimal}s are
 * made only for the results.
 *
 * <p>Every terminating decimal has this form: {@code U * 10^-S} with {@code j} factors of five taken out of
 * {@code U} is {@code (U / 5^j) / (10^(S-j) * 2^j)}. Data priced per MiB and charged per byte, for example, is
 * {@code 5 / 2^20} paisa a byte rather than the 20-digit {@code 0.00000476837158203125}. Prices whose {@code u}
 * does not fit a long, and products that overflow, fall back to {@link BigDecimal}.
 */
final class PulsePrice {

    private static final BigInteger FIVE = BigInteger.valueOf(5);
    private static final long[] POW10 = new long[19];
    private static final long[] POW5 = new long[28];
    private static final BigInteger[] BIG_POW5 = new BigInteger[64];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
        POW5[0] = 1;
        for (int i = 1; i < POW5.length; i++) {
            POW5[i] = POW5[i - 1] * 5;
        }
        for (int i = 0; i < BIG_POW5.length; i++) {
            BIG_POW5[i] = FIVE.pow(i);
        }
    }

    /** The exact price, as given. */
    final BigDecimal exact;
    private final boolean compact;
    private final long u;
    private final int s;
    private final int a;
    /** {@code 10^s * 2^a} when it fits a long, else 0. */
    private final long divisor;

    private PulsePrice(BigDecimal exact, boolean compact, long u, int s, int a, long divisor) {
        this.exact = exact;
        this.compact = compact;
        this.u = u;
        this.s = s;
        this.a = a;
        this.divisor = divisor;
    }

    /** The pulse price equal to {@code price} (a non-negative terminating decimal). */
    static PulsePrice of(BigDecimal price) {
        BigDecimal p = Amounts.normalize(price);
        BigInteger unscaled = p.unscaledValue();
        int scale = p.scale();
        int j = 0;
        while (j < scale && unscaled.signum() != 0) {
            BigInteger[] qr = unscaled.divideAndRemainder(FIVE);
            if (qr[1].signum() != 0) {
                break;
            }
            unscaled = qr[0];
            j++;
        }
        if (unscaled.bitLength() > 62 || j > 62) {
            return new PulsePrice(p, false, 0, 0, 0, 0);
        }
        int s = scale - j;
        long divisor = 0;
        if (s < POW10.length && j < 62 && Long.numberOfLeadingZeros(POW10[s]) > j) {
            divisor = POW10[s] << j;
        }
        return new PulsePrice(p, true, unscaled.longValue(), s, j, divisor);
    }

    /** Whether this pulse costs nothing. */
    boolean isZero() {
        return exact.signum() == 0;
    }

    /** The exact cost of {@code k} pulses. */
    BigDecimal times(long k) {
        if (compact) {
            long hi = Math.multiplyHigh(u, k);
            long n = u * k;
            if (hi == 0 && n >= 0) {
                return toDecimal(n);
            }
        }
        return exact.multiply(BigDecimal.valueOf(k));
    }

    /** The cost of {@code k} pulses rounded to whole paisa in {@code direction}. */
    long roundedTimes(long k, RoundingRule.Direction direction) {
        if (compact && divisor != 0) {
            long hi = Math.multiplyHigh(u, k);
            long n = u * k;
            if (hi == 0 && n >= 0) {
                return direction.adjust(n / divisor, n % divisor, divisor);
            }
        }
        return exact.multiply(BigDecimal.valueOf(k)).setScale(0, direction.mode()).longValueExact();
    }

    /** {@code n / (10^s * 2^a)} as a normalized BigDecimal (no trailing zeros, scale >= 0). */
    private BigDecimal toDecimal(long n) {
        if (n == 0) {
            return BigDecimal.ZERO;
        }
        int twos = Math.min(Long.numberOfTrailingZeros(n), a);
        long m = n >> twos;
        int rest = a - twos;
        if (rest == 0) {
            return Amounts.compact(m, s);
        }
        // m is odd here, so m * 5^rest ends in 5: already without trailing zeros.
        if (rest < POW5.length) {
            long hi = Math.multiplyHigh(m, POW5[rest]);
            long lo = m * POW5[rest];
            if (hi == 0 && lo >= 0) {
                return BigDecimal.valueOf(lo, s + rest);
            }
        }
        return new BigDecimal(BigInteger.valueOf(m).multiply(BIG_POW5[rest]), s + rest);
    }
}
