package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.LineMarks;
import dev.dabba.billing.RatingEngine;
import dev.dabba.billing.RunningBill;
import dev.dabba.billing.Tariff;
import dev.dabba.billing.internal.LineHash;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * One subscriber's bill for one billing cycle; keyed by {@link SubscriberCycleKey} ({@code MSISDN|YYYY-MM}).
 *
 * <p>Keeps the cycle's released records by event id and, each time the set changes, makes the bill of the whole
 * set: causal order ({@link CausalOrder}: happens-before, ties by HLC, node, sequence), partial calls stitched,
 * rated by the billing module, lines flagged concurrent, released-incomplete and cloned-SIM suspect. So the bill is a
 * deterministic function of the set of unique records (and whether the cycle is closed); its version is too
 * ({@link BillVersions}), and its {@code updatedAt} is the newest hybrid timestamp among its records, not the wall
 * clock, so even that is reproducible.
 *
 * <p>Recomputing that from the keyed state for every version costs a causal sort quadratic in the bill's records,
 * which over a month is cubic in a subscriber's usage. So the subscribers billed last are kept in memory as
 * {@link RunningBill}s, up to {@code cacheRecords} records per subtask (least recently billed out first): a new
 * record is put where the causal order puts it without sorting the whole bill again, and only a bill not in memory
 * (or a record replaced under its event id) is rebuilt from the state, as before. The cache is a copy of
 * what the state says, never a source: it is not in snapshots, starts empty after a restore, and gives the same bill
 * the state would ({@code RunningBillTest}; {@code BillCachePropertyTest} compares this function's versions with and
 * without the cache).
 *
 * <p>Provisional versions go out as records arrive. With an {@code emitInterval} the first change after a quiet
 * interval goes out at once and opens an interval of that length; the changes within it are held and go out together
 * as one version at its end, which opens the next. So a subscriber gets at most about one version per interval under
 * load, and a lone record waits for no timer (before 2026-12-07 every change waited for the interval's end, which was
 * most of the bill-update latency the benchmark measures). When the event-time watermark passes the cycle's end (month end
 * in Asia/Kolkata) plus {@code grace}, the bill becomes FINAL. A late record for a closed cycle makes a new FINAL
 * version (a revision) until {@code revisionRetention} after the close; then the records are dropped and a later
 * record for that cycle goes to the dead letters with the reason, never silently.
 *
 * <p>A new record concurrent with another of the subscriber's records at a far-away tower at an overlapping time
 * raises a {@link CloneAlert} on {@link #ALERTS}, and both lines are flagged.
 *
 * <p>Metrics ({@link JobMetrics}), per subtask: bill versions emitted, bills finalized, revisions (each change to a
 * bill that was already FINAL; changes coalesced by {@code emitInterval} may share one version), too-late records,
 * clone alerts, bills rebuilt from the state, the records held as running bills, and the end-to-end lag (processing
 * time here minus the record's hybrid timestamp) of each new or newly complete record, as the latest value and a
 * histogram.
 */
public final class SubscriberBillFunction extends KeyedProcessFunction<String, ReleasedRecord, Bill> {

    private static final long serialVersionUID = 1L;

    /** Cloned-SIM alerts. */
    public static final OutputTag<CloneAlert> ALERTS = new OutputTag<>("clone-alerts", SerializerTypeInfo.CLONE_ALERT);
    /**
     * Every version again, for {@code dabba.bill-updates}, with the positions of the lines it added or changed
     * against the previous version emitted (compared by {@link LineHash}, as the report store compares them).
     */
    public static final OutputTag<BillUpdate> UPDATES = new OutputTag<>("bill-updates",
            SerializerTypeInfo.BILL_UPDATE);
    /** Records too late for their cycle's bill. */
    public static final OutputTag<DeadLetter> TOO_LATE = new OutputTag<>("too-late", SerializerTypeInfo.DEAD_LETTER);

    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    /** The value of {@code bill-phase} once a bill's records are dropped; it is in savepoints, so it never changes. */
    static final int PURGED = 2;
    private static final RecordCodec CODEC = RecordCodec.withoutCompression();
    /** How long the marker of a purged bill is kept, so that records for it are dead-lettered as too late. */
    static final Duration MARKER_LIFETIME = Duration.ofDays(400);

    private final Tariff tariff;
    private final CloneDetector clones;
    private final long graceMillis;
    private final long retentionMillis;
    private final long emitIntervalMillis;
    private final int cacheRecords;
    private transient MapState<String, ReleasedRecord> records;
    private transient MapState<String, String> suspects;
    private transient ValueState<Integer> phase;
    /**
     * The end of the key's open emit interval, when one is open: negative when nothing is held for it, positive when a
     * change is (the sign keeps it to one state value; savepoints from before the leading emit hold only positive
     * values, which meant the same: a change waiting for that timer).
     */
    private transient ValueState<Long> pendingEmit;
    private transient ValueState<long[]> emittedLines;
    private transient RatingEngine engine;
    private transient Counter updates;
    private transient Counter finalized;
    private transient Counter revisions;
    private transient Counter tooLate;
    private transient Counter cloneAlerts;
    private transient Counter rebuilds;
    private transient Histogram lag;
    private transient volatile long lastLagMillis;
    /** Running bills by key, least recently billed first; empty when {@code cacheRecords} is 0. */
    private transient LinkedHashMap<String, Hot> hot;
    /** The records on the running bills in {@link #hot}. */
    private transient volatile long hotRecords;

    /**
     * @param emitInterval zero to emit a version for every change; otherwise the first change after a quiet interval
     *     goes out at once, and the changes within this processing-time interval after it are coalesced into one
     *     version at its end (fewer store writes under load; a change waits at most this much longer)
     */
    public SubscriberBillFunction(Tariff tariff, CloneDetector clones, Duration grace, Duration revisionRetention,
            Duration emitInterval) {
        this(tariff, clones, grace, revisionRetention, emitInterval, JobSettings.defaults().billCacheRecords());
    }

    /**
     * As {@link #SubscriberBillFunction(Tariff, CloneDetector, Duration, Duration, Duration)}, keeping up to
     * {@code cacheRecords} records per subtask in memory as running bills (0: recompute every version from state).
     */
    public SubscriberBillFunction(Tariff tariff, CloneDetector clones, Duration grace, Duration revisionRetention,
            Duration emitInterval, int cacheRecords) {
        this.tariff = Objects.requireNonNull(tariff, "tariff");
        this.clones = Objects.requireNonNull(clones, "clones");
        this.graceMillis = grace.toMillis();
        this.retentionMillis = revisionRetention.toMillis();
        this.emitIntervalMillis = emitInterval.toMillis();
        if (graceMillis < 0 || retentionMillis <= 0 || emitIntervalMillis < 0 || cacheRecords < 0) {
            throw new IllegalArgumentException("grace, emitInterval and cacheRecords must not be negative and "
                    + "revisionRetention must be positive, were " + grace + ", " + emitInterval + ", " + cacheRecords
                    + ", " + revisionRetention);
        }
        this.cacheRecords = cacheRecords;
    }

    /**
     * A bill function with the default settings (the seed plan and towers, 1 day grace, 40 days of revisions) that
     * emits a version for every change.
     */
    public static SubscriberBillFunction withDefaults() {
        return withDefaults(Duration.ZERO);
    }

    /** As {@link #withDefaults()}, coalescing changes within {@code emitInterval}. */
    public static SubscriberBillFunction withDefaults(Duration emitInterval) {
        return withDefaults(emitInterval, JobSettings.defaults().billCacheRecords());
    }

    /** As {@link #withDefaults(Duration)}, with a cache of {@code cacheRecords} records (0: none). */
    public static SubscriberBillFunction withDefaults(Duration emitInterval, int cacheRecords) {
        JobSettings s = JobSettings.defaults();
        return new SubscriberBillFunction(s.tariff(), new CloneDetector(s.towers(), s.cloneDistanceKm(),
                s.cloneSlack()), s.grace(), s.revisionRetention(), emitInterval, cacheRecords);
    }

    @Override
    public void open(OpenContext openContext) {
        records = getRuntimeContext().getMapState(new MapStateDescriptor<>("bill-records", Types.STRING,
                SerializerTypeInfo.RELEASED_RECORD));
        suspects = getRuntimeContext().getMapState(new MapStateDescriptor<>("bill-clone-suspects", Types.STRING,
                Types.STRING));
        ValueStateDescriptor<Integer> phaseDescriptor = new ValueStateDescriptor<>("bill-phase", Types.INT);
        // Only the "purged" marker outlives the records; an event-time timer clears it MARKER_LIFETIME after the
        // purge. The TTL stays for markers written before that timer existed, but without background cleanup: on the
        // heap backend, incremental cleanup walked the state table on every access of every key, about a tenth of the
        // bill thread. Expired markers are left out of full snapshots. (Flink 2.2 restores state across TTL changes;
        // SubscriberBillFunctionTest restores a marker written with the earlier settings.)
        phaseDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(MARKER_LIFETIME).disableCleanupInBackground()
                .cleanupFullSnapshot().build());
        phase = getRuntimeContext().getState(phaseDescriptor);
        pendingEmit = getRuntimeContext().getState(new ValueStateDescriptor<>("bill-pending-emit", Types.LONG));
        // The line hashes of the last version emitted, by position: 8 bytes a line, to tell what a version changed.
        emittedLines = getRuntimeContext().getState(new ValueStateDescriptor<>("bill-emitted-lines",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        engine = RatingEngine.of(tariff); // compiled once per task, not per bill
        hot = new LinkedHashMap<>(16, 0.75f, true);
        hotRecords = 0;
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        updates = metrics.counter(JobMetrics.BILL_UPDATES);
        finalized = metrics.counter(JobMetrics.BILLS_FINALIZED);
        revisions = metrics.counter(JobMetrics.BILL_REVISIONS);
        tooLate = metrics.counter(JobMetrics.TOO_LATE_RECORDS);
        cloneAlerts = metrics.counter(JobMetrics.CLONE_ALERTS);
        rebuilds = metrics.counter(JobMetrics.BILL_REBUILDS);
        metrics.gauge(JobMetrics.BILL_CACHE_RECORDS, (Gauge<Long>) () -> hotRecords);
        metrics.gauge(JobMetrics.END_TO_END_LAG_MS, (Gauge<Long>) () -> lastLagMillis);
        lag = metrics.histogram(JobMetrics.END_TO_END_LAG_HISTOGRAM, new DescriptiveStatisticsHistogram(1000));
    }

    private long closeTime(YearMonth cycle) {
        return BillingCycle.end(cycle).toEpochMilli() + graceMillis;
    }

    @Override
    public void processElement(ReleasedRecord released, Context ctx, Collector<Bill> out) throws Exception {
        UsageRecord record = released.record();
        YearMonth cycle = BillingCycle.of(record.start());
        Integer stored = phase.value();
        int p = stored == null ? OPEN : stored;
        if (p == PURGED) {
            tooLate.inc();
            ctx.output(TOO_LATE, new DeadLetter("record " + record.id() + " is too late: the bill of "
                    + record.subscriber() + " for " + cycle + " closed more than the revision retention ago",
                    "stream-job:bill/" + ctx.getCurrentKey(), CODEC.encodeRecord(record)));
            return;
        }
        String id = record.id().toString();
        ReleasedRecord known = records.get(id);
        if (known != null && (known.isComplete() || !released.isComplete())) {
            return; // nothing new: complete wins over incomplete, and a replay changes nothing
        }
        String key = ctx.getCurrentKey();
        // A running bill exists only for a key with records, and records put while the bill is open registered the
        // close timer, which then is pending (a restore brings it back with them).
        boolean closeTimerPending = known != null || hot.containsKey(key);
        records.put(id, released);
        keepCurrent(key, known, released);
        long lagMillis = ctx.timerService().currentProcessingTime() - record.hlc().wallMillis();
        lastLagMillis = lagMillis;
        lag.update(lagMillis);
        if (p == CLOSED) {
            revisions.inc();
        }
        if (known == null) {
            Hot h = hot.get(key);
            findClones(record, cycle, ctx, h != null ? h.bill.records() : stateRecords(), h);
        }
        long close = closeTime(cycle);
        if (p == OPEN && ctx.timerService().currentWatermark() >= close) {
            p = CLOSED;
            phase.update(CLOSED);
            finalized.inc();
            ctx.timerService().registerEventTimeTimer(close + retentionMillis);
        } else if (p == OPEN && !closeTimerPending) {
            // Registered again it would change nothing, but on RocksDB each registration is a write.
            ctx.timerService().registerEventTimeTimer(close);
        }
        if (emitIntervalMillis == 0) {
            emit(ctx, out, key, bill(key, record.subscriber(), cycle, p == CLOSED));
            return;
        }
        Long interval = pendingEmit.value();
        if (interval == null) {
            emit(ctx, out, key, bill(key, record.subscriber(), cycle, p == CLOSED));
            openEmitInterval(ctx.timerService().currentProcessingTime(), ctx);
        } else if (interval < 0) {
            pendingEmit.update(-interval); // held for the interval's end
        }
    }

    /** Opens an emit interval from {@code now}, nothing held yet. */
    private void openEmitInterval(long now, Context ctx) throws Exception {
        long end = Math.max(1, now + emitIntervalMillis); // > 0, so that its sign can say whether a change is held
        ctx.timerService().registerProcessingTimeTimer(end);
        pendingEmit.update(-end);
    }

    /** The key's records as the state holds them (deserialized one by one on RocksDB). */
    private Iterable<UsageRecord> stateRecords() throws Exception {
        Iterable<ReleasedRecord> all = records.values();
        return () -> new Iterator<>() {
            private final Iterator<ReleasedRecord> it = all.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public UsageRecord next() {
                return it.next().record();
            }
        };
    }

    /**
     * Checks a new record against the bill's others, {@code all} (the record itself included): from the running bill
     * when the key has one, as the state would give them but without reading it; the set of suspects and the alerts
     * are the same either way, only the order of one record's alerts may differ.
     */
    private void findClones(UsageRecord record, YearMonth cycle, Context ctx, Iterable<UsageRecord> all, Hot h)
            throws Exception {
        String cycleText = cycle.toString(); // once, not per record of the bill (it was a tenth of this thread)
        for (UsageRecord other : all) {
            if (other.id().equals(record.id())) {
                continue;
            }
            Optional<CloneAlert> alert = clones.check(record, other, cycleText);
            if (alert.isPresent()) {
                suspects.put(record.id().toString(), other.id().toString());
                if (!suspects.contains(other.id().toString())) {
                    suspects.put(other.id().toString(), record.id().toString());
                }
                if (h != null) {
                    h.suspects.add(record.id());
                    h.suspects.add(other.id());
                }
                cloneAlerts.inc();
                ctx.output(ALERTS, alert.get());
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Bill> out) throws Exception {
        Long interval = ctx.timeDomain() == TimeDomain.PROCESSING_TIME ? pendingEmit.value() : null;
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME && (interval == null || interval < 0)) {
            pendingEmit.clear(); // the end of an interval in which nothing came: the next change goes out at once
            return;
        }
        String[] key = ctx.getCurrentKey().split("\\|", 2);
        Msisdn subscriber = Msisdn.of(key[0]);
        YearMonth cycle = BillingCycle.parse(key[1]);
        long close = closeTime(cycle);
        Integer stored = phase.value();
        int p = stored == null ? OPEN : stored;
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // A running bill means records (it copies them); on RocksDB isEmpty() is an iterator seek.
            if (p != PURGED && (hot.containsKey(ctx.getCurrentKey()) || !records.isEmpty())) {
                emit(ctx, out, ctx.getCurrentKey(), bill(ctx.getCurrentKey(), subscriber, cycle, p == CLOSED));
                openEmitInterval(timestamp, ctx); // overwrites the held interval: no clear needed first
            } else {
                pendingEmit.clear();
            }
            return;
        }
        if (timestamp == close && p == OPEN) {
            Long pending = pendingEmit.value();
            if (pending != null) {
                // the FINAL version includes any change held, and opens no interval
                ctx.timerService().deleteProcessingTimeTimer(Math.abs(pending));
                pendingEmit.clear();
            }
            phase.update(CLOSED);
            ctx.timerService().registerEventTimeTimer(close + retentionMillis);
            if (!records.isEmpty()) {
                finalized.inc();
                emit(ctx, out, ctx.getCurrentKey(), bill(ctx.getCurrentKey(), subscriber, cycle, true));
            }
        } else if (timestamp == close + retentionMillis && p == CLOSED) {
            forget(ctx.getCurrentKey());
            records.clear();
            suspects.clear();
            emittedLines.clear();
            phase.update(PURGED);
            ctx.timerService().registerEventTimeTimer(close + retentionMillis + MARKER_LIFETIME.toMillis());
        } else if (timestamp == close + retentionMillis + MARKER_LIFETIME.toMillis() && p == PURGED) {
            phase.clear();
        }
    }

    /**
     * Sends a version, and the positions of the lines it changed (by {@link LineHash}, against the hashes of the
     * version before, kept in {@code emittedLines}). A running bill remembers the lines and hashes it last sent: a
     * line made from the same rated line object with the same position and marks is the same line, so its hash is
     * taken over instead of computed again, and the state's copy need not be read (a version that adds one line to
     * a bill hashes one line, not all of them).
     */
    private void emit(Context ctx, Collector<Bill> out, String key, Bill bill) throws Exception {
        updates.inc();
        out.collect(bill);
        Hot h = hot.get(key);
        List<BillLine> sent = h == null ? null : h.sentLines;
        long[] before = sent != null ? h.sentHashes : emittedLines.value();
        List<BillLine> lines = bill.lines();
        long[] now = new long[lines.size()];
        int[] changed = new int[lines.size()];
        int n = 0;
        for (int i = 0; i < now.length; i++) {
            BillLine line = lines.get(i);
            now[i] = sent != null && i < sent.size() && sameLine(sent.get(i), line) ? before[i] : LineHash.of(line);
            if (before == null || i >= before.length || before[i] != now[i]) {
                changed[n++] = i + 1;
            }
        }
        emittedLines.update(now);
        if (h != null) {
            h.sentLines = lines;
            h.sentHashes = now;
        }
        ctx.output(UPDATES, new BillUpdate(bill, java.util.Arrays.copyOf(changed, n)));
    }

    /** Whether two lines are one: the same rated line (immutable, so its identity stands for its content) and marks. */
    private static boolean sameLine(BillLine a, BillLine b) {
        return a.rated() == b.rated() && a.position() == b.position() && a.concurrent() == b.concurrent()
                && a.cloneSuspect() == b.cloneSuspect()
                && Objects.equals(a.missingDependencies(), b.missingDependencies());
    }

    /**
     * Brings the key's running bill, if it has one, up to the record just put into the state: adds a new record,
     * notes a record that became complete, and drops the running bill (to be rebuilt from the state at the next
     * version) when the state changed in a way it cannot follow: a record replaced by other content, or one it
     * refuses (equal clocks; the rebuild reports them).
     */
    private void keepCurrent(String key, ReleasedRecord known, ReleasedRecord released) {
        Hot h = hot.get(key);
        if (h == null) {
            return;
        }
        UsageRecord record = released.record();
        if (known != null) {
            if (!known.record().equals(record)) {
                forget(key); // the same event id with other content: only a rebuild gives what the state says
            } else {
                h.missing.remove(record.id()); // it was incomplete and is complete now
            }
            return;
        }
        boolean added;
        try {
            added = h.bill.add(record);
        } catch (RuntimeException e) {
            // The rebuild at the next version rates the whole set and reports the failure as before.
            added = false;
        }
        if (!added) {
            forget(key);
            return;
        }
        hotRecords++;
        if (!released.isComplete()) {
            h.missing.put(record.id(), released.missing());
        }
        h.newest = Math.max(h.newest, record.hlc().wallMillis());
        evict();
    }

    private void forget(String key) {
        Hot h = hot.remove(key);
        if (h != null) {
            hotRecords -= h.bill.size();
        }
    }

    /** Drops the least recently billed running bills while the cache holds more than {@code cacheRecords}. */
    private void evict() {
        Iterator<Hot> it = hot.values().iterator();
        while (hotRecords > cacheRecords && it.hasNext()) {
            hotRecords -= it.next().bill.size();
            it.remove();
        }
    }

    private Bill bill(String key, Msisdn subscriber, YearMonth cycle, boolean closed) throws Exception {
        Hot h = hot.get(key);
        if (h == null) {
            List<UsageRecord> all = new ArrayList<>();
            Map<EventId, String> missing = new HashMap<>();
            long newest = 0;
            for (ReleasedRecord r : records.values()) {
                all.add(r.record());
                if (!r.isComplete()) {
                    missing.put(r.record().id(), r.missing());
                }
                newest = Math.max(newest, r.record().hlc().wallMillis());
            }
            Set<EventId> suspect = new HashSet<>();
            for (String id : suspects.keys()) {
                suspect.add(EventId.parse(id));
            }
            h = new Hot(RunningBill.of(subscriber, cycle, all, engine), missing, suspect, newest);
            rebuilds.inc();
            if (cacheRecords > 0) {
                hot.put(key, h);
                hotRecords += h.bill.size();
                evict();
            }
        }
        Set<EventId> suspect = h.suspects;
        Map<EventId, String> missing = h.missing;
        long version = BillVersions.of(h.bill.size(), missing.size(), closed);
        return h.bill.bill(version, closed ? BillStatus.FINAL : BillStatus.PROVISIONAL, Instant.ofEpochMilli(h.newest),
                new LineMarks() {
                    @Override
                    public String missingDependencies(EventId record) {
                        return missing.get(record);
                    }

                    @Override
                    public boolean cloneSuspect(EventId record) {
                        return suspect.contains(record);
                    }
                });
    }

    /**
     * A subscriber's cycle kept in memory between versions: its running bill, what was missing for each record
     * released incomplete, the records suspected of a cloned SIM (as {@code bill-clone-suspects} holds them), and the
     * newest hybrid timestamp among its records (the bill's {@code updatedAt}).
     */
    private static final class Hot {
        final RunningBill bill;
        final Map<EventId, String> missing;
        final Set<EventId> suspects;
        long newest;
        /** The lines of the last version sent from this running bill and their hashes; null before the first. */
        List<BillLine> sentLines;
        long[] sentHashes;

        Hot(RunningBill bill, Map<EventId, String> missing, Set<EventId> suspects, long newest) {
            this.bill = bill;
            this.missing = missing;
            this.suspects = suspects;
            this.newest = newest;
        }
    }
}
