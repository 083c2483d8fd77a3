package dev.dabba.jobs;

import dev.dabba.billing.BillingCycle;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys a released record by its bill: the subscriber and the billing cycle its start falls in, {@code MSISDN|YYYY-MM}. */
public final class SubscriberCycleKey implements KeySelector<ReleasedRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(ReleasedRecord released) {
        return released.record().subscriber().value() + "|" + BillingCycle.of(released.record().start());
    }
}
