package dev.dabba.jobs;

import dev.dabba.record.CausalOrder;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Holds each subscriber's records until every record they causally depend on has arrived (the causal delivery
 * rule), then releases them to billing; keyed by subscriber, with the causal frontier broadcast to every instance.
 *
 * <p>A record is released at once when the frontier covers its clock ({@link CausalCoverage}); otherwise it waits
 * in keyed state and is re-checked on a processing-time timer every {@code causalRecheck}. After
 * {@code maxCausalWait} it is released anyway, flagged with what was missing: a record is never held forever. A
 * record that depends on a sequence the frontier gave up as lost is released at once, flagged. Records released
 * incomplete stay watched (for {@code incompleteRetention}); when their dependencies turn up they are released
 * again, complete, and billing clears the flag, so a bill's final flags depend only on which records exist, not on
 * when they arrived. Records released together go out in causal order. State and the timer are cleared as soon as
 * nothing waits or is watched.
 *
 * <p>Metrics ({@link JobMetrics}), per subtask: {@code dabbaCausalBufferRecords} (records waiting; counted as they
 * enter and leave this task, so records restored from a checkpoint are not in it),
 * {@code dabbaReleasedIncomplete} (records released with a flag) and {@code dabbaReleasedResolved} (flagged records
 * released again, complete).
 */
public final class CausalBufferFunction
        extends KeyedBroadcastProcessFunction<String, UsageRecord, FrontierAdvance, ReleasedRecord> {

    private static final long serialVersionUID = 1L;

    /** The broadcast frontier: node id to its latest advance. */
    public static final MapStateDescriptor<String, FrontierAdvance> FRONTIER = new MapStateDescriptor<>(
            "causal-frontier", Types.STRING, SerializerTypeInfo.FRONTIER_ADVANCE);
    /** The nodes that have lost (given-up) sequences, so records skip lost checks while there are none. */
    public static final MapStateDescriptor<String, Long> LOST_NODES = new MapStateDescriptor<>(
            "causal-frontier-lost-nodes", Types.STRING, Types.LONG);

    private final long maxWaitMillis;
    private final long recheckMillis;
    private final long incompleteRetentionMillis;
    private transient MapState<String, HeldRecord> waiting;
    private transient MapState<String, HeldRecord> incomplete;
    private transient ValueState<Long> timer;
    private transient Map<Long, Boolean> coveredEpochs;
    private transient Set<String> heldIds;
    private transient volatile int heldCount;
    private transient Counter releasedIncomplete;
    private transient Counter releasedResolved;

    public CausalBufferFunction(Duration maxCausalWait, Duration causalRecheck, Duration incompleteRetention) {
        this.maxWaitMillis = maxCausalWait.toMillis();
        this.recheckMillis = causalRecheck.toMillis();
        this.incompleteRetentionMillis = incompleteRetention.toMillis();
        if (maxWaitMillis <= 0 || recheckMillis <= 0 || incompleteRetentionMillis <= 0) {
            throw new IllegalArgumentException("maxCausalWait, causalRecheck and incompleteRetention must be at "
                    + "least 1 ms, were " + maxCausalWait + ", " + causalRecheck + ", " + incompleteRetention);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("causal-waiting", Types.STRING,
                SerializerTypeInfo.HELD_RECORD));
        incomplete = getRuntimeContext().getMapState(new MapStateDescriptor<>("causal-incomplete", Types.STRING,
                SerializerTypeInfo.HELD_RECORD));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("causal-timer", Types.LONG));
        coveredEpochs = new HashMap<>();
        heldIds = new HashSet<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge(JobMetrics.CAUSAL_BUFFER_RECORDS, (Gauge<Integer>) () -> heldCount);
        releasedIncomplete = metrics.counter(JobMetrics.RELEASED_INCOMPLETE);
        releasedResolved = metrics.counter(JobMetrics.RELEASED_RESOLVED);
    }

    @Override
    public void processElement(UsageRecord record, ReadOnlyContext ctx, Collector<ReleasedRecord> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        CausalCoverage.Verdict v = CausalCoverage.check(record, frontier(ctx.getBroadcastState(FRONTIER),
                ctx.getBroadcastState(LOST_NODES)), coveredEpochs);
        String id = record.id().toString();
        switch (v.state()) {
            case COMPLETE:
                out.collect(ReleasedRecord.complete(record));
                break;
            case LOST:
                out.collect(new ReleasedRecord(record, v.missing()));
                releasedIncomplete.inc();
                incomplete.put(id, new HeldRecord(record, now, v.missing()));
                schedule(ctx.timerService().currentProcessingTime() + recheckMillis, ctx);
                break;
            default:
                waiting.put(id, new HeldRecord(record, now, null));
                if (heldIds.add(id)) {
                    heldCount = heldIds.size();
                }
                schedule(now + recheckMillis, ctx);
        }
    }

    private void schedule(long at, ReadOnlyContext ctx) throws Exception {
        Long current = timer.value();
        if (current == null || current > at) {
            if (current != null) {
                ctx.timerService().deleteProcessingTimeTimer(current);
            }
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void processBroadcastElement(FrontierAdvance advance, Context ctx, Collector<ReleasedRecord> out)
            throws Exception {
        BroadcastState<String, FrontierAdvance> state = ctx.getBroadcastState(FRONTIER);
        FrontierAdvance known = state.get(advance.node());
        // Advances of one node come from one frontier instance in order; a restart may replay older ones.
        if (known == null || known.prefix() < advance.prefix()
                || (known.prefix() == advance.prefix() && !known.lost().equals(advance.lost()))) {
            state.put(advance.node(), advance);
            BroadcastState<String, Long> lostNodes = ctx.getBroadcastState(LOST_NODES);
            if (advance.lost().isEmpty()) {
                lostNodes.remove(advance.node());
            } else {
                lostNodes.put(advance.node(), 1L);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ReleasedRecord> out) throws Exception {
        timer.clear();
        long now = ctx.timerService().currentProcessingTime();
        CausalCoverage.Frontier f = frontier(ctx.getBroadcastState(FRONTIER), ctx.getBroadcastState(LOST_NODES));
        List<UsageRecord> released = new ArrayList<>();
        Map<String, String> flags = new HashMap<>();
        boolean stillWaiting = false;
        for (Iterator<Map.Entry<String, HeldRecord>> it = waiting.iterator(); it.hasNext(); ) {
            Map.Entry<String, HeldRecord> e = it.next();
            HeldRecord held = e.getValue();
            CausalCoverage.Verdict v = CausalCoverage.check(held.record(), f, coveredEpochs);
            if (v.state() == CausalCoverage.State.WAITING && now - held.since() < maxWaitMillis) {
                stillWaiting = true;
                continue;
            }
            it.remove();
            heldIds.remove(e.getKey());
            released.add(held.record());
            if (v.state() != CausalCoverage.State.COMPLETE) {
                flags.put(e.getKey(), v.missing());
                incomplete.put(e.getKey(), new HeldRecord(held.record(), now, v.missing()));
            }
        }
        List<UsageRecord> resolved = new ArrayList<>();
        for (Iterator<Map.Entry<String, HeldRecord>> it = incomplete.iterator(); it.hasNext(); ) {
            Map.Entry<String, HeldRecord> e = it.next();
            if (flags.containsKey(e.getKey())) {
                continue; // released incomplete just now
            }
            HeldRecord held = e.getValue();
            if (CausalCoverage.check(held.record(), f, coveredEpochs).state() == CausalCoverage.State.COMPLETE) {
                it.remove();
                resolved.add(held.record());
            } else if (now - held.since() >= incompleteRetentionMillis) {
                it.remove(); // stop watching; the flag stays on the bill
            }
        }
        heldCount = heldIds.size();
        releasedIncomplete.inc(flags.size());
        releasedResolved.inc(resolved.size());
        for (UsageRecord r : CausalOrder.sort(released)) {
            out.collect(new ReleasedRecord(r, flags.get(r.id().toString())));
        }
        for (UsageRecord r : CausalOrder.sort(resolved)) {
            out.collect(ReleasedRecord.complete(r));
        }
        if (stillWaiting || !incomplete.isEmpty()) {
            long at = now + recheckMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        } else {
            waiting.clear();
            incomplete.clear();
        }
    }

    private static CausalCoverage.Frontier frontier(ReadOnlyBroadcastState<String, FrontierAdvance> state,
            ReadOnlyBroadcastState<String, Long> lostNodes) {
        return new CausalCoverage.Frontier() {
            @Override
            public FrontierAdvance of(String node) {
                try {
                    return state.get(node);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot read the broadcast frontier", e);
                }
            }

            @Override
            public boolean anyLost() {
                try {
                    return lostNodes.immutableEntries().iterator().hasNext();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot read the broadcast frontier", e);
                }
            }
        };
    }
}
