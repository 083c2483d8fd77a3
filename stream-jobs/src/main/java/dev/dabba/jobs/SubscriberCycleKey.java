package dev.dabba.jobs;

import dev.dabba.billing.BillingCycle;
import dev.dabba.record.UsageRecord;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys a record by its bill: the subscriber and the billing cycle its start falls in, as {@code MSISDN|YYYY-MM}. */
public final class SubscriberCycleKey implements KeySelector<UsageRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(UsageRecord record) {
        return record.subscriber().value() + "|" + BillingCycle.of(record.start());
    }
}
