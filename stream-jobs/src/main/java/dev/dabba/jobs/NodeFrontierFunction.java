package dev.dabba.jobs;

import dev.dabba.record.UsageRecord;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Deduplicates records and tracks the causal frontier of their node; keyed by origin node.
 *
 * <p>A node's records carry dense sequences (its own clock entry counts its records), so the set of sequences
 * received is a contiguous prefix plus a few out-of-order ranges ({@link NodeFrontier}): an exact duplicate filter
 * for the node's whole history whose state is per gap, not per record, and needs no time-to-live. A record passes
 * the first time its sequence is seen. When the prefix grows, a {@link FrontierAdvance} goes to the
 * {@link #ADVANCES} side output, coalesced per {@code frontierInterval} (one timer per node at most). A gap open
 * longer than {@code maxCausalWait} is given up as lost, so one lost record cannot stall the frontier forever; if it
 * turns up later it still passes (and is billed), and the lost set shrinks.
 */
public final class NodeFrontierFunction extends KeyedProcessFunction<String, UsageRecord, UsageRecord> {

    private static final long serialVersionUID = 1L;

    /** Frontier advances, for the causal buffer and the epoch authority. */
    public static final OutputTag<FrontierAdvance> ADVANCES = new OutputTag<>("frontier-advances",
            SerializerTypeInfo.FRONTIER_ADVANCE);

    private final long frontierIntervalMillis;
    private final long maxGapMillis;
    private final int maxLostRanges;
    private transient ValueState<NodeFrontier> frontier;

    public NodeFrontierFunction(Duration frontierInterval, Duration maxCausalWait, int maxLostRanges) {
        this.frontierIntervalMillis = frontierInterval.toMillis();
        this.maxGapMillis = maxCausalWait.toMillis();
        this.maxLostRanges = maxLostRanges;
        if (frontierIntervalMillis <= 0 || maxGapMillis <= 0 || maxLostRanges < 1) {
            throw new IllegalArgumentException("frontierInterval and maxCausalWait must be at least 1 ms and "
                    + "maxLostRanges at least 1, were " + frontierInterval + ", " + maxCausalWait + ", "
                    + maxLostRanges);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        frontier = getRuntimeContext().getState(new ValueStateDescriptor<>("node-frontier",
                SerializerTypeInfo.NODE_FRONTIER));
    }

    @Override
    public void processElement(UsageRecord record, Context ctx, Collector<UsageRecord> out) throws Exception {
        NodeFrontier before = current();
        long sequence = record.id().sequence();
        if (before.isDuplicate(sequence)) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        NodeFrontier after = before.receive(sequence, now);
        out.collect(record);
        update(before, after, ctx.timerService(), now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UsageRecord> out) throws Exception {
        NodeFrontier before = current();
        NodeFrontier after = before;
        long now = ctx.timerService().currentProcessingTime();
        if (after.gapSince() >= 0 && after.gapSince() + maxGapMillis <= now) {
            after = after.giveUpGap(now, maxLostRanges);
        }
        if (after.unannounced()) {
            ctx.output(ADVANCES, after.advanceOf(ctx.getCurrentKey()));
            after = after.announced();
        }
        update(before, after, ctx.timerService(), now);
    }

    private NodeFrontier current() throws Exception {
        NodeFrontier f = frontier.value();
        return f == null ? NodeFrontier.EMPTY : f;
    }

    /** Coalesces announcements on a grid of {@code frontierInterval}, so a busy node sends one per interval. */
    private long nextAnnouncement(long now) {
        return (now / frontierIntervalMillis + 1) * frontierIntervalMillis - 1;
    }

    /** Stores the state and keeps exactly the timers it needs: the next announcement and the gap deadline. */
    private void update(NodeFrontier before, NodeFrontier after, TimerService timers, long now) throws Exception {
        frontier.update(after);
        if (before.gapSince() >= 0 && before.gapSince() != after.gapSince()) {
            timers.deleteProcessingTimeTimer(before.gapSince() + maxGapMillis);
        }
        if (after.gapSince() >= 0 && before.gapSince() != after.gapSince()) {
            timers.registerProcessingTimeTimer(after.gapSince() + maxGapMillis);
        }
        if (after.unannounced() && !before.unannounced()) {
            timers.registerProcessingTimeTimer(nextAnnouncement(now));
        }
    }
}
