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
 * in keyed state and is re-checked on a processing-time timer every {@code causalRecheck}, less often (up to
 * {@link #MAX_RECHECK_BACKOFF} times) while what it waits for stays missing. A re-check first looks at what each of
 * the subscriber's records was last found waiting for (kept in memory, not checkpointed): while all of that is still
 * missing it leaves the state alone. After
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
    /**
     * Whether {@link #LOST_NODES} holds any node, read from it once and forgotten on every frontier change (the
     * broadcast side runs on the same thread as the keyed side); {@code null} until read, so also after a restore.
     */
    private transient Boolean anyLost;
    private transient Map<String, Waits> waits;
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
        waits = new HashMap<>();
        heldIds = new HashSet<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge(JobMetrics.CAUSAL_BUFFER_RECORDS, (Gauge<Integer>) () -> heldCount);
        releasedIncomplete = metrics.counter(JobMetrics.RELEASED_INCOMPLETE);
        releasedResolved = metrics.counter(JobMetrics.RELEASED_RESOLVED);
    }

    @Override
    public void processElement(UsageRecord record, ReadOnlyContext ctx, Collector<ReleasedRecord> out)
            throws Exception {
        CausalCoverage.Frontier f = frontier(ctx.getBroadcastState(FRONTIER), ctx.getBroadcastState(LOST_NODES));
        CausalCoverage.Verdict v = CausalCoverage.probe(record, f, coveredEpochs);
        if (v.state() == CausalCoverage.State.COMPLETE) {
            out.collect(ReleasedRecord.complete(record));
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        String id = record.id().toString();
        String key = ctx.getCurrentKey();
        Long current = timer.value();
        if (v.state() == CausalCoverage.State.LOST) {
            String missing = CausalCoverage.check(record, f, coveredEpochs).missing();
            out.collect(new ReleasedRecord(record, missing));
            releasedIncomplete.inc();
            incomplete.put(id, new HeldRecord(record, now, missing));
            waits.remove(key); // watched records are re-checked in full
        } else {
            Waits w = current == null ? waits.computeIfAbsent(key, k -> new Waits()) : waits.get(key);
            if (w != null) {
                w.add(v, now);
            }
            waiting.put(id, new HeldRecord(record, now, null));
            if (heldIds.add(id)) {
                heldCount = heldIds.size();
            }
        }
        schedule(now + recheckMillis, current, ctx);
    }

    /**
     * A subscriber whose dependencies stay missing is re-checked every {@code causalRecheck} at first, then up to
     * this many times less often: with the default 25 ms, every 800 ms, as 8 times the 100 ms default was until
     * 2026-12-07 (docs/benchmarks.md, "Stream job").
     */
    static final int MAX_RECHECK_BACKOFF = 32;
    private static final int MAX_BACKOFF_DOUBLINGS = Integer.numberOfTrailingZeros(MAX_RECHECK_BACKOFF);

    /**
     * What one subscriber's waiting records wait for, as last checked: for each, the first dependency found
     * missing. While every one of those is still missing and none has waited {@code maxCausalWait}, a re-check can
     * leave the subscriber's state alone (frontiers only grow, so nothing can have become complete). Kept in memory
     * only, and only for a subscriber with no incomplete records watched; one that has none (after a restore, or
     * when records are watched) is re-checked in full, which makes it again.
     */
    private static final class Waits {
        private final List<CausalCoverage.Verdict> missing = new ArrayList<>(2);
        private long earliest = Long.MAX_VALUE;
        private int idleRechecks;

        /**
         * The interval to the next re-check: {@code causalRecheck} for the first two that find nothing arrived,
         * then doubling up to {@link #MAX_RECHECK_BACKOFF} times it (800 ms at the default 25 ms). Records held for
         * long (a partition read behind the others, a tower's backlog on its way) cost the buffer about one re-check
         * a second, not forty, however many subscribers wait; a record that waited that long goes out at most that
         * much later than it could have, and one whose dependency comes soon goes out within a re-check of it.
         */
        long nextInterval(long recheckMillis) {
            int doublings = Math.max(0, Math.min(idleRechecks - 1, MAX_BACKOFF_DOUBLINGS));
            idleRechecks++;
            return recheckMillis << doublings;
        }

        void add(CausalCoverage.Verdict v, long since) {
            missing.add(v);
            earliest = Math.min(earliest, since);
        }

        boolean nothingArrived(CausalCoverage.Frontier f) {
            for (CausalCoverage.Verdict v : missing) {
                if (!v.stillWaiting(f)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Sets the key's timer to {@code at} unless it is due earlier; {@code current} is the timer's state. */
    private void schedule(long at, Long current, ReadOnlyContext ctx) throws Exception {
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
            anyLost = null;
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
        long now = ctx.timerService().currentProcessingTime();
        CausalCoverage.Frontier f = frontier(ctx.getBroadcastState(FRONTIER), ctx.getBroadcastState(LOST_NODES));
        String key = ctx.getCurrentKey();
        Waits known = waits.get(key);
        if (known != null && now - known.earliest < maxWaitMillis && known.nothingArrived(f)) {
            long at = Math.min(now + known.nextInterval(recheckMillis), known.earliest + maxWaitMillis);
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
            return;
        }
        timer.clear();
        Waits rebuilt = new Waits();
        List<UsageRecord> released = new ArrayList<>();
        Map<String, String> flags = new HashMap<>();
        boolean stillWaiting = false;
        for (Iterator<Map.Entry<String, HeldRecord>> it = waiting.iterator(); it.hasNext(); ) {
            Map.Entry<String, HeldRecord> e = it.next();
            HeldRecord held = e.getValue();
            CausalCoverage.Verdict v = CausalCoverage.probe(held.record(), f, coveredEpochs);
            CausalCoverage.State state = v.state();
            if (state == CausalCoverage.State.WAITING && now - held.since() < maxWaitMillis) {
                stillWaiting = true;
                rebuilt.add(v, held.since());
                continue;
            }
            it.remove();
            heldIds.remove(e.getKey());
            released.add(held.record());
            if (state != CausalCoverage.State.COMPLETE) {
                String missing = CausalCoverage.check(held.record(), f, coveredEpochs).missing();
                flags.put(e.getKey(), missing);
                incomplete.put(e.getKey(), new HeldRecord(held.record(), now, missing));
            }
        }
        List<UsageRecord> resolved = new ArrayList<>();
        for (Iterator<Map.Entry<String, HeldRecord>> it = incomplete.iterator(); it.hasNext(); ) {
            Map.Entry<String, HeldRecord> e = it.next();
            if (flags.containsKey(e.getKey())) {
                continue; // released incomplete just now
            }
            HeldRecord held = e.getValue();
            if (CausalCoverage.probe(held.record(), f, coveredEpochs).state() == CausalCoverage.State.COMPLETE) {
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
        boolean watching = !incomplete.isEmpty();
        if (stillWaiting && !watching) {
            waits.put(key, rebuilt);
        } else {
            waits.remove(key);
        }
        if (stillWaiting || watching) {
            long at = now + recheckMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        } else {
            waiting.clear();
            incomplete.clear();
        }
    }

    private CausalCoverage.Frontier frontier(ReadOnlyBroadcastState<String, FrontierAdvance> state,
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
                Boolean known = anyLost;
                if (known == null) {
                    try {
                        known = lostNodes.immutableEntries().iterator().hasNext();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot read the broadcast frontier", e);
                    }
                    anyLost = known;
                }
                return known;
            }
        };
    }
}
