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
 * {@link #ADVANCES} side output: at once if the node announced nothing for {@code frontierInterval}, which opens an
 * interval; the growth within it goes out as one advance at its end, which opens the next (a leading and trailing
 * edge, one timer per node at most). So a busy node sends one advance per interval, and a record's predecessor is
 * announced when it comes, not up to an interval later, which is how long the records waiting on it in the causal
 * buffer would wait too (they wait for its advance). A gap open
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
    /**
     * When each node's open announcement interval ends (its timer's time). Memory only: after a restore every node
     * is taken as quiet, so its next growth is announced at once, and the restored timers still fire.
     */
    private transient java.util.Map<String, Long> intervals;

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
        intervals = new java.util.HashMap<>();
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
        String node = ctx.getCurrentKey();
        if (after.unannounced()) {
            Long end = intervals.get(node);
            if (end == null || end <= now) {
                ctx.output(ADVANCES, after.advanceOf(node));
                after = after.announced();
                openInterval(node, now, ctx.timerService());
            }
        }
        update(node, before, after, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UsageRecord> out) throws Exception {
        NodeFrontier before = current(ctx.getCurrentKey());
        NodeFrontier after = before;
        long now = ctx.timerService().currentProcessingTime();
        if (after.gapSince() >= 0 && after.gapSince() + maxGapMillis <= now) {
            after = after.giveUpGap(now, maxLostRanges);
        }
        String node = ctx.getCurrentKey();
        if (after.unannounced()) {
            ctx.output(ADVANCES, after.advanceOf(node));
            after = after.announced();
            openInterval(node, now, ctx.timerService());
        } else {
            Long end = intervals.get(node);
            if (end != null && end <= now) {
                intervals.remove(node); // a quiet interval: the next growth is announced at once
            }
        }
        update(node, before, after, ctx.timerService());
    }

    /** Opens an announcement interval: growth until its end is announced at its end. */
    private void openInterval(String node, long now, TimerService timers) {
        long end = now + frontierIntervalMillis;
        intervals.put(node, end);
        timers.registerProcessingTimeTimer(end);
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

    /**
     * Stores the state and keeps the gap deadline's timer; the announcement's is the open interval's
     * ({@link #openInterval}).
     */
    private void update(String node, NodeFrontier before, NodeFrontier after, TimerService timers)
            throws Exception {
        if (after != before) {
            frontier.update(after);
            cache.put(node, after);
        }
        if (before.gapSince() >= 0 && before.gapSince() != after.gapSince()) {
            long deadline = before.gapSince() + maxGapMillis;
            // An interval ending at the same moment shares the timer (its firing checks the deadline too): keep it.
            if (!Long.valueOf(deadline).equals(intervals.get(node))) {
                timers.deleteProcessingTimeTimer(deadline);
            }
        }
        if (after.gapSince() >= 0 && before.gapSince() != after.gapSince()) {
            timers.registerProcessingTimeTimer(after.gapSince() + maxGapMillis);
        }
    }
}
