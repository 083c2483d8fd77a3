package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Prices usage records under a tariff: a pure function of its inputs, with no clock, no I/O and no state.
 *
 * <p>Each record's exact amount is computed in {@link BigDecimal} paisa with no rounding at all (seconds times rate;
 * SMS rate per message; bytes times rate per MiB divided by 1,048,576, which always terminates because the divisor
 * is a power of two), then rounded to whole paisa by the tariff's {@link RoundingRule}. Totals are sums of the
 * rounded lines, so a bill always adds up.
 */
public final class RatingEngine {

    private static final BigDecimal BYTES_PER_MIB = BigDecimal.valueOf(Tariff.BYTES_PER_MIB);

    private RatingEngine() {
    }

    /** One rated line per record, in the given order (the caller's causal order), with subtotals and total. */
    public static RatedUsage rate(List<UsageRecord> recordsInCausalOrder, Tariff tariff) {
        Objects.requireNonNull(recordsInCausalOrder, "records must not be null");
        Objects.requireNonNull(tariff, "tariff must not be null");
        List<RatedLine> lines = new ArrayList<>(recordsInCausalOrder.size());
        for (UsageRecord record : recordsInCausalOrder) {
            lines.add(rate(record, tariff));
        }
        return RatedUsage.of(lines);
    }

    /** The rated line of one record. */
    public static RatedLine rate(UsageRecord record, Tariff tariff) {
        Objects.requireNonNull(record, "record must not be null");
        Objects.requireNonNull(tariff, "tariff must not be null");
        Usage usage = record.usage();
        Service service;
        Quantity quantity;
        BigDecimal exact;
        Msisdn counterparty;
        if (usage instanceof Usage.Call call) {
            service = Service.call(call.type());
            quantity = Quantity.seconds(call.durationSeconds());
            exact = tariff.callRate(call.type()).multiply(BigDecimal.valueOf(call.durationSeconds()));
            counterparty = call.callee();
        } else if (usage instanceof Usage.Sms sms) {
            service = Service.sms();
            quantity = Quantity.messages(1);
            exact = tariff.smsPaisaPerMessage();
            counterparty = sms.recipient();
        } else if (usage instanceof Usage.Data data) {
            service = Service.data(data.radio());
            quantity = Quantity.bytes(data.totalBytes());
            exact = tariff.dataRate(data.radio()).multiply(BigDecimal.valueOf(data.totalBytes()))
                    .divide(BYTES_PER_MIB);
            counterparty = null;
        } else {
            throw new IllegalArgumentException("record " + record.id() + " has a usage this engine cannot rate: "
                    + usage.getClass().getName());
        }
        return new RatedLine(record.id(), record.origin(), record.start(), record.clock(), record.hlc(), service,
                quantity, counterparty, exact, tariff.rounding().round(exact));
    }
}
