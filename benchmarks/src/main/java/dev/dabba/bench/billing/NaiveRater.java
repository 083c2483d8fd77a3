package dev.dabba.bench.billing;

import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * The baseline: the seed plan rated the obvious way, a fresh {@link BigDecimal} computation per record (rate times
 * quantity divided by the unit in DECIMAL128, rounded up), looking the rate up by name each time. Exact for the
 * seed plan and the same total as the engine; no windows, tiers, bundles or breakdown.
 */
final class NaiveRater {

    private static final BigDecimal MIB = BigDecimal.valueOf(1_048_576L);

    private NaiveRater() {
    }

    /** The total in paisa, with one BigDecimal computation per record. */
    static long total(List<UsageRecord> records) {
        BigDecimal total = BigDecimal.ZERO;
        for (UsageRecord r : records) {
            BigDecimal exact;
            Usage u = r.usage();
            if (u instanceof Usage.Call) {
                Usage.Call c = (Usage.Call) u;
                exact = new BigDecimal(callRate(c.type().name())).multiply(BigDecimal.valueOf(c.durationSeconds()));
            } else if (u instanceof Usage.Sms) {
                exact = new BigDecimal("100");
            } else {
                Usage.Data d = (Usage.Data) u;
                exact = new BigDecimal(dataRate(d.radio().label())).multiply(BigDecimal.valueOf(d.totalBytes()))
                        .divide(MIB, MathContext.DECIMAL128);
            }
            total = total.add(exact.setScale(0, RoundingMode.UP));
        }
        return total.longValueExact();
    }

    private static String callRate(String type) {
        switch (type) {
            case "VOICE":
                return "1";
            case "VIDEO":
                return "2";
            default:
                return "0.5";
        }
    }

    private static String dataRate(String radio) {
        switch (radio) {
            case "3G":
                return "10";
            case "4G":
                return "5";
            default:
                return "3";
        }
    }
}
