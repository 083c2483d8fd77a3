package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Tariff;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps one subscriber's unique records of one billing cycle and emits a new bill version each time one arrives.
 *
 * <p>Keyed by {@link SubscriberCycleKey}; input must already be deduplicated by event id. The bill is recomputed
 * from the whole record set in causal order ({@link CausalOrder}), so it depends only on the set, never on the
 * arrival order. Its version is the number of records in the set: also a function of the set, so a replay after a
 * restart reproduces the same versions and the store ignores them.
 */
public final class SubscriberBillFunction extends KeyedProcessFunction<String, UsageRecord, Bill> {

    private static final long serialVersionUID = 1L;

    private final Tariff tariff;
    private transient ListState<UsageRecord> records;

    public SubscriberBillFunction(Tariff tariff) {
        this.tariff = Objects.requireNonNull(tariff, "tariff");
    }

    @Override
    public void open(OpenContext openContext) {
        records = getRuntimeContext().getListState(
                new ListStateDescriptor<>("cycle-records", SerializerTypeInfo.USAGE_RECORD));
    }

    @Override
    public void processElement(UsageRecord record, Context ctx, Collector<Bill> out) throws Exception {
        records.add(record);
        List<UsageRecord> all = new ArrayList<>();
        for (UsageRecord r : records.get()) {
            all.add(r);
        }
        List<UsageRecord> ordered = CausalOrder.sort(all);
        Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
        out.collect(Bill.compute(record.subscriber(), BillingCycle.of(record.start()), ordered.size(),
                BillStatus.PROVISIONAL, ordered, tariff, now));
    }
}
