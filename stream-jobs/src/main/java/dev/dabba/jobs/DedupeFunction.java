package dev.dabba.jobs;

import dev.dabba.record.UsageRecord;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes the first record of each event id and drops the rest; keyed by event id.
 *
 * <p>The "seen" flag expires after {@code retention}, which must be longer than the longest a duplicate can
 * arrive after its original (agent outbox replay, gateway redelivery, Kafka producer retries).
 */
public final class DedupeFunction extends KeyedProcessFunction<String, UsageRecord, UsageRecord> {

    private static final long serialVersionUID = 1L;

    private final Duration retention;
    private transient ValueState<Boolean> seen;

    public DedupeFunction(Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("dedupe retention must be positive, was " + retention);
        }
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build());
        seen = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(UsageRecord record, Context ctx, Collector<UsageRecord> out) throws Exception {
        if (seen.value() == null) {
            seen.update(Boolean.TRUE);
            out.collect(record);
        }
    }
}
