package dev.dabba.billing;

import java.math.BigDecimal;
import java.util.List;

/** A {@link ServiceRate} prepared for rating: pulse prices per window and tier, as arrays. */
final class CompiledRate {

    /** One window's price list, ascending by threshold. */
    static final class PriceList {
        final String window;
        final long[] from;
        final BigDecimal[] price;
        /** Cost of the first pulse (firstIncrement long) at each tier. */
        final PulsePrice[] first;
        /** Cost of every later pulse (increment long) at each tier. */
        final PulsePrice[] pulse;
        /** Per-increment rounding: rounded cost of one first / later pulse at each tier. */
        final long[] firstRounded;
        final long[] pulseRounded;
        /** Whether the first pulse is priced apart (its length differs from the increment). */
        final boolean distinctFirst;

        PriceList(String window, List<Price> prices, ServiceRate rate, RoundingRule rounding) {
            this.window = window;
            this.distinctFirst = rate.firstIncrement() != rate.increment();
            int n = prices.size();
            from = new long[n];
            price = new BigDecimal[n];
            first = new PulsePrice[n];
            pulse = new PulsePrice[n];
            firstRounded = new long[n];
            pulseRounded = new long[n];
            BigDecimal unit = BigDecimal.valueOf(rate.unit());
            for (int i = 0; i < n; i++) {
                Price p = prices.get(i);
                from[i] = p.from();
                price[i] = p.price();
                first[i] = PulsePrice.of(p.price().multiply(BigDecimal.valueOf(rate.firstIncrement())).divide(unit));
                pulse[i] = PulsePrice.of(p.price().multiply(BigDecimal.valueOf(rate.increment())).divide(unit));
                firstRounded[i] = first[i].roundedTimes(1, rounding.direction());
                pulseRounded[i] = pulse[i].roundedTimes(1, rounding.direction());
            }
        }

        /** The tier in effect at position {@code position}. */
        int tierAt(long position) {
            int t = 0;
            while (t + 1 < from.length && from[t + 1] <= position) {
                t++;
            }
            return t;
        }
    }

    final long unit;
    final long increment;
    final long firstIncrement;
    final BigDecimal connectFee;
    final long connectFeeRounded;
    final boolean cycleTiers;
    final PriceList anyTime;
    /** Per plan window index, this rate's prices in that window, or {@code null}. */
    final PriceList[] byWindow;
    /** Bit {@code i} set when {@link #byWindow}{@code [i]} is not null. */
    final int windowsWithPrices;
    /** Whether the rate is one any-time price without tiers: the fast path. */
    final boolean flat;

    CompiledRate(ServiceRate rate, List<TimeWindow> windows, RoundingRule rounding) {
        unit = rate.unit();
        increment = rate.increment();
        firstIncrement = rate.firstIncrement();
        connectFee = rate.connectFee();
        connectFeeRounded = rounding.round(connectFee).paisa();
        cycleTiers = rate.tierBasis() == TierBasis.CYCLE;
        anyTime = new PriceList(null, rate.pricesIn(null), rate, rounding);
        byWindow = new PriceList[windows.size()];
        int mask = 0;
        for (int i = 0; i < windows.size(); i++) {
            List<Price> prices = rate.pricesIn(windows.get(i).name());
            if (!prices.isEmpty()) {
                byWindow[i] = new PriceList(windows.get(i).name(), prices, rate, rounding);
                mask |= 1 << i;
            }
        }
        windowsWithPrices = mask;
        flat = mask == 0 && anyTime.from.length == 1;
    }

    /** The price list for a set of matching windows: the first matching window with prices, else any time. */
    PriceList prices(int matchingWindows) {
        int m = matchingWindows & windowsWithPrices;
        return m == 0 ? anyTime : byWindow[Integer.numberOfTrailingZeros(m)];
    }

    /** Number of pulses that charge {@code usage} units. */
    long pulses(long usage) {
        if (usage <= 0) {
            return 0;
        }
        if (usage <= firstIncrement) {
            return 1;
        }
        return 1 + ceilDiv(usage - firstIncrement, increment);
    }

    /** Where pulse {@code i} starts, from the start of the record. */
    long offset(long i) {
        return i == 0 ? 0 : firstIncrement + (i - 1) * increment;
    }

    /** The first pulse starting at or after {@code position} (relative to the record's start). */
    long pulseAtOrAfter(long position) {
        if (position <= 0) {
            return 0;
        }
        if (position <= firstIncrement) {
            return 1;
        }
        return 1 + ceilDiv(position - firstIncrement, increment);
    }

    /** How many pulses from pulse {@code p} on an allowance of {@code remaining} covers (see {@link Bundle}). */
    long pulsesCovered(long p, long remaining) {
        if (p == 0) {
            return remaining <= firstIncrement ? 1 : 1 + ceilDiv(remaining - firstIncrement, increment);
        }
        return ceilDiv(remaining, increment);
    }

    static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }
}
