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
    /**
     * The frontiers of this subtask's most recently seen nodes, as last read or written. RocksDB deserializes a node's
     * whole frontier on every read, and a frontier in a backlog holds thousands of gaps (docs/benchmarks.md, "Stream
     * job", on RocksDB); this function is the state's only writer, so the cache always equals the state, and it starts
     * empty after a restore. On the heap backend it holds the same objects the state does.
     */
    private transient java.util.Map<String, NodeFrontier> cache;

    /** Most nodes whose frontiers are cached per subtask; the least recently used go first. */
    static final int CACHED_NODES = 4_096;

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
        cache = new java.util.LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, NodeFrontier> eldest) {
                return size() > CACHED_NODES;
            }
        };
    }

    @Override
    public void processElement(UsageRecord record, Context ctx, Collector<UsageRecord> out) throws Exception {
        NodeFrontier before = current(ctx.getCurrentKey());
        long sequence = record.id().sequence();
        if (before.isDuplicate(sequence)) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        NodeFrontier after = before.receive(sequence, now);
        out.collect(record);
        update(ctx.getCurrentKey(), before, after, ctx.timerService(), now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UsageRecord> out) throws Exception {
        NodeFrontier before = current(ctx.getCurrentKey());
        NodeFrontier after = before;
        long now = ctx.timerService().currentProcessingTime();
        if (after.gapSince() >= 0 && after.gapSince() + maxGapMillis <= now) {
            after = after.giveUpGap(now, maxLostRanges);
        }
        if (after.unannounced()) {
            ctx.output(ADVANCES, after.advanceOf(ctx.getCurrentKey()));
            after = after.announced();
        }
        update(ctx.getCurrentKey(), before, after, ctx.timerService(), now);
    }

    private NodeFrontier current(String node) throws Exception {
        NodeFrontier f = cache.get(node);
        if (f == null) {
            f = frontier.value();
            if (f == null) {
                return NodeFrontier.EMPTY;
            }
            cache.put(node, f);
        }
        return f;
    }

    /** Coalesces announcements on a grid of {@code frontierInterval}, so a busy node sends one per interval. */
    private long nextAnnouncement(long now) {
        return (now / frontierIntervalMillis + 1) * frontierIntervalMillis - 1;
    }

    /** Stores the state and keeps exactly the timers it needs: the next announcement and the gap deadline. */
    private void update(String node, NodeFrontier before, NodeFrontier after, TimerService timers, long now)
            throws Exception {
        if (after != before) {
            frontier.update(after);
            cache.put(node, after);
        }
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
