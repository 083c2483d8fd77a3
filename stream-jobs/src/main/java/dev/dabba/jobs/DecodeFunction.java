package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Kafka values into usage records with the epochs the job has seen; anything that does not decode goes to
 * the dead-letter side output with the reason.
 *
 * <p>Epoch announcements ({@code dabba.epochs}) arrive on the broadcast side and are kept in broadcast state (the
 * codec's bytes by epoch number, the newest {@code epochHistory}); an {@link EpochRegistry} is rebuilt from it
 * lazily in a transient field, so a restored or rescaled job decodes with exactly the epochs it had. A record of an
 * epoch not known yet (its announcement is still on its way: agents hear of epochs through the gateway, possibly
 * before this job's own read of the topic) is held in operator state and decoded when the epoch arrives; one held
 * longer than {@code unknownEpochWait}, or pushed out when more than {@code unknownEpochBuffer} are held, is
 * dead-lettered with the reason. A record of an epoch older than the history kept is dead-lettered at once.
 *
 * <p>Metrics ({@link JobMetrics}), per subtask: {@code dabbaDecodeDeadLetters} (inputs dead-lettered) and
 * {@code dabbaDecodeHeldRecords} (records waiting for their epoch).
 */
public final class DecodeFunction extends BroadcastProcessFunction<KafkaInput, byte[], UsageRecord>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);
    private static final RecordCodec CODEC = RecordCodec.standard();

    /** The side output of inputs that failed to decode. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters",
            SerializerTypeInfo.DEAD_LETTER);
    /** Broadcast state: epoch number to the codec's epoch announcement bytes. */
    public static final MapStateDescriptor<Long, byte[]> EPOCHS = new MapStateDescriptor<>("epochs", Types.LONG,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final int epochHistory;
    private final long unknownEpochWaitMillis;
    private final int unknownEpochBuffer;

    private transient EpochRegistry registry;
    /** Epochs numbered below this are never decodable here: dropped from the history, or of an earlier lineage. */
    private transient long oldestKnown;
    /** Whether {@link #oldestKnown} is the job's lineage start (an earlier lineage's epochs were lost). */
    private transient boolean oldestIsLineage;
    private transient Deque<Held> held;
    private transient ListState<KafkaInput> heldState;
    private transient Counter deadLetters;
    private transient volatile int heldCount;

    /** A record waiting for its epoch, since a processing time. */
    private record Held(KafkaInput input, long since) {
    }

    public DecodeFunction(int epochHistory, Duration unknownEpochWait, int unknownEpochBuffer) {
        if (epochHistory < 2 || unknownEpochBuffer < 1 || unknownEpochWait.isNegative()
                || unknownEpochWait.isZero()) {
            throw new IllegalArgumentException("epochHistory must be at least 2, unknownEpochBuffer at least 1 and "
                    + "unknownEpochWait positive, were " + epochHistory + ", " + unknownEpochBuffer + ", "
                    + unknownEpochWait);
        }
        this.epochHistory = epochHistory;
        this.unknownEpochWaitMillis = unknownEpochWait.toMillis();
        this.unknownEpochBuffer = unknownEpochBuffer;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        deadLetters = metrics.counter(JobMetrics.DECODE_DEAD_LETTERS);
        metrics.gauge(JobMetrics.DECODE_HELD, (Gauge<Integer>) () -> heldCount);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        heldState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("decode-held",
                SerializerTypeInfo.KAFKA_INPUT));
        held = new ArrayDeque<>();
        // Restored records lost their waiting time; they start waiting again now.
        long now = System.currentTimeMillis();
        for (KafkaInput input : heldState.get()) {
            held.add(new Held(input, now));
        }
        heldCount = held.size();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<KafkaInput> inputs = new ArrayList<>(held.size());
        for (Held h : held) {
            inputs.add(h.input());
        }
        heldState.update(inputs);
    }

    @Override
    public void processElement(KafkaInput input, ReadOnlyContext ctx, Collector<UsageRecord> out) throws Exception {
        EpochRegistry epochs = registry(ctx.getBroadcastState(EPOCHS));
        long now = ctx.currentProcessingTime();
        if (!decode(input, now, epochs, ctx, out)) {
            held.addLast(new Held(input, now));
            while (held.size() > unknownEpochBuffer) {
                Held h = held.removeFirst();
                deadLetter(ctx, h.input(), "unknown epoch: held " + unknownEpochBuffer + " records of unknown "
                        + "epochs, this one longest");
            }
        }
        expire(now, ctx);
        heldCount = held.size();
    }

    /** Decodes and emits {@code input}; returns false when its epoch is not known yet (the caller holds it). */
    private boolean decode(KafkaInput input, long now, EpochRegistry epochs, ReadOnlyContext ctx,
            Collector<UsageRecord> out) {
        if (input.value() == null) {
            deadLetter(ctx, input, "record value is null (a tombstone?)");
            return true;
        }
        try {
            out.collect(CODEC.decodeRecord(input.value(), epochs));
            return true;
        } catch (UnknownEpochException e) {
            if (e.epoch() < oldestKnown) {
                deadLetter(ctx, input, neverKnown(e));
                return true;
            }
            return false;
        } catch (WireFormatException e) {
            deadLetter(ctx, input, "malformed record: " + e.getMessage());
            return true;
        }
    }

    private void expire(long now, ReadOnlyContext ctx) {
        while (!held.isEmpty() && now - held.peekFirst().since() >= unknownEpochWaitMillis) {
            Held h = held.removeFirst();
            deadLetter(ctx, h.input(), "unknown epoch: no announcement of its epoch arrived within "
                    + Duration.ofMillis(unknownEpochWaitMillis));
        }
    }

    private void deadLetter(ReadOnlyContext ctx, KafkaInput input, String reason) {
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, new DeadLetter(reason, input.source(),
                input.value() == null ? new byte[0] : input.value()));
    }

    private void deadLetter(Context ctx, KafkaInput input, String reason) {
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, new DeadLetter(reason, input.source(), input.value()));
    }

    @Override
    public void processBroadcastElement(byte[] announcement, Context ctx, Collector<UsageRecord> out)
            throws Exception {
        Epoch epoch;
        try {
            epoch = CODEC.decodeEpoch(announcement);
        } catch (WireFormatException e) {
            LOG.warn("ignoring a malformed epoch announcement: {}", e.getMessage());
            return;
        }
        BroadcastState<Long, byte[]> state = ctx.getBroadcastState(EPOCHS);
        if (state.contains(epoch.number())) {
            return;
        }
        EpochRegistry epochs = registry(state);
        try {
            if (!epochs.accept(epoch)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring epoch {}: {}", epoch.number(), e.getMessage());
            return;
        }
        state.put(epoch.number(), announcement);
        TreeMap<Long, byte[]> all = new TreeMap<>();
        for (Map.Entry<Long, byte[]> e : state.entries()) {
            all.put(e.getKey(), e.getValue());
        }
        while (all.size() > epochHistory) {
            long oldest = all.pollFirstEntry().getKey();
            state.remove(oldest);
            registry = null;
        }
        if (registry == null) {
            epochs = registry(state);
        }
        floor(all);
        // Records waiting for this (or an earlier) epoch can decode now.
        long now = ctx.currentProcessingTime();
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            try {
                out.collect(CODEC.decodeRecord(h.input().value(), epochs));
                it.remove();
            } catch (UnknownEpochException e) {
                if (e.epoch() < oldestKnown) {
                    it.remove();
                    deadLetter(ctx, h.input(), neverKnown(e));
                }
            } catch (WireFormatException e) {
                it.remove();
                deadLetter(ctx, h.input(), "malformed record: " + e.getMessage());
            }
        }
        while (!held.isEmpty() && now - held.peekFirst().since() >= unknownEpochWaitMillis) {
            Held h = held.removeFirst();
            deadLetter(ctx, h.input(), "unknown epoch: no announcement of its epoch arrived within "
                    + Duration.ofMillis(unknownEpochWaitMillis));
        }
        heldCount = held.size();
    }

    /** The registry of the epochs in broadcast state, rebuilt when it is missing (after a restore). */
    private EpochRegistry registry(ReadOnlyBroadcastState<Long, byte[]> state) throws Exception {
        if (registry == null) {
            EpochRegistry r = new EpochRegistry();
            TreeMap<Long, byte[]> all = new TreeMap<>();
            for (Map.Entry<Long, byte[]> e : state.immutableEntries()) {
                all.put(e.getKey(), e.getValue());
            }
            for (byte[] bytes : all.values()) {
                r.accept(CODEC.decodeEpoch(bytes));
            }
            floor(all);
            registry = r;
        }
        return registry;
    }

    /**
     * Sets {@link #oldestKnown} from the epochs in broadcast state: the oldest kept once the history is full, and at
     * least the lineage of the oldest known epoch. A lineage's epochs are numbered from its start, and a job only
     * ever knows its own lineage, so an epoch below that start belongs to a lineage whose epochs were lost: no
     * announcement of it will come, and waiting for one would only hold the record for {@code unknownEpochWait}.
     */
    private void floor(TreeMap<Long, byte[]> all) {
        long history = all.isEmpty() || all.size() < epochHistory ? 0 : all.firstKey();
        long lineage = all.isEmpty() ? 0 : CODEC.decodeEpoch(all.firstEntry().getValue()).lineage();
        oldestKnown = Math.max(history, lineage);
        oldestIsLineage = lineage > history;
    }

    /** The dead-letter reason of a record whose epoch will never be known here. */
    private String neverKnown(UnknownEpochException e) {
        return "unknown epoch: " + e.getMessage() + "; the job knows epochs from " + oldestKnown + " on"
                + (oldestIsLineage ? " (its lineage, opened when the earlier epochs were lost; dabba "
                        + "replay-dead-letters puts such records back with the epochs the towers kept)" : "");
    }
}
