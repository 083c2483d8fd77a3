package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The epoch authority: collects every node's frontier into the global causal frontier and, at most once per
 * {@code epochInterval}, announces the next epoch when it changed. Runs as a single keyed instance (all advances
 * have one key).
 *
 * <p>Epoch {@code n + 1} keeps epoch {@code n}'s member table and appends the nodes seen since, in node-id order
 * (tables only grow; an index never changes meaning), and its base is the entry-wise maximum of epoch {@code n}'s
 * base and the frontier (bases are monotone). The base is knowledge the job really has: for each node a sequence up
 * to which it received (or gave up waiting for) the node's records, at most the node's highest received clock entry.
 * So an agent that merges it adds no false causality (see {@code stream-jobs/README.md}).
 *
 * <p>The last announced epoch is in keyed state, and the job writes announcements with an exactly-once Kafka sink:
 * an announcement becomes visible only with the checkpoint that holds the state it came from, so after a restore
 * an epoch number is never seen with two contents. Started without state, it continues from {@code bootstrap}, the
 * latest epoch in the epochs topic when the job was submitted.
 *
 * <p>When that topic is empty too (a new installation, or a rebuilt Kafka cluster whose epochs were lost) the
 * authority starts a new <b>lineage</b>: its first epoch is numbered {@code lineageStart}, the wall clock in epoch
 * milliseconds when the job was built, not 1, and every epoch carries its lineage ({@link Epoch#lineage()}, the
 * first epoch's number). Since a lineage advances at most once per millisecond ({@code epochInterval} is at least
 * 1 ms), a new lineage never re-uses a number an earlier one announced: a record an agent encoded against a lost
 * lineage's epoch meets an unknown epoch and is dead-lettered with that reason, never decoded against another epoch
 * of the same number (which would bill it with a wrong clock). Agents move to the newer lineage on its first
 * announcement and re-send what they have not had acknowledged with full clocks; {@link EpochBootstrap#latestOrOpen}
 * announces a new lineage's opening epoch when the job is submitted, so they hear it even when none of their
 * records can be decoded. docs/operations.md, "The epochs topic is state too", has the whole story.
 */
public final class EpochAuthorityFunction extends KeyedProcessFunction<Integer, FrontierAdvance, Epoch> {

    private static final long serialVersionUID = 1L;
    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    /** The one key all advances go to. */
    public static final Integer KEY = 0;

    private final long intervalMillis;
    private final byte[] bootstrap;
    private final long lineageStart;
    private transient MapState<String, Long> frontier;
    private transient ValueState<byte[]> announced;
    private transient ValueState<Long> timer;

    public EpochAuthorityFunction(Duration epochInterval, Epoch bootstrap) {
        this(epochInterval, bootstrap, System.currentTimeMillis());
    }

    /** As {@link #EpochAuthorityFunction(Duration, Epoch)}, a new lineage's first epoch numbered {@code lineageStart}. */
    public EpochAuthorityFunction(Duration epochInterval, Epoch bootstrap, long lineageStart) {
        if (lineageStart < 1) {
            throw new IllegalArgumentException("lineageStart must be positive, was " + lineageStart);
        }
        this.lineageStart = lineageStart;
        this.intervalMillis = epochInterval.toMillis();
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("epochInterval must be at least 1 ms, was " + epochInterval);
        }
        this.bootstrap = CODEC.encodeEpoch(bootstrap);
    }

    @Override
    public void open(OpenContext openContext) {
        frontier = getRuntimeContext().getMapState(new MapStateDescriptor<>("authority-frontier", Types.STRING,
                Types.LONG));
        // The codec's epoch announcement bytes: versioned by the codec's own version byte.
        announced = getRuntimeContext().getState(new ValueStateDescriptor<>("authority-announced",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("authority-timer", Types.LONG));
    }

    @Override
    public void processElement(FrontierAdvance advance, Context ctx, Collector<Epoch> out) throws Exception {
        Long known = frontier.get(advance.node());
        if (known != null && known >= advance.prefix()) {
            return;
        }
        frontier.put(advance.node(), advance.prefix());
        if (timer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + intervalMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Epoch> out) throws Exception {
        timer.clear();
        Epoch previous = previous();
        Map<String, Long> current = new TreeMap<>();
        for (Map.Entry<String, Long> e : frontier.entries()) {
            current.put(e.getKey(), e.getValue());
        }
        Epoch next = next(previous, current, lineageStart);
        if (next != null) {
            announced.update(CODEC.encodeEpoch(next));
            out.collect(next);
        }
    }

    /** The last epoch announced, by this authority's state or, without state, the bootstrap epoch. */
    private Epoch previous() throws Exception {
        Epoch fromTopic = CODEC.decodeEpoch(bootstrap);
        byte[] mine = announced.value();
        if (mine == null) {
            return fromTopic;
        }
        Epoch own = CODEC.decodeEpoch(mine);
        return own.number() >= fromTopic.number() ? own : fromTopic;
    }

    /**
     * The epoch after {@code previous} for the frontier {@code frontier} (node id to prefix), or {@code null} when
     * it would announce nothing new; numbered one above {@code previous}. Pure.
     */
    static Epoch next(Epoch previous, Map<String, Long> frontier) {
        return next(previous, frontier, 1);
    }

    /**
     * As {@link #next(Epoch, Map)}, but the first epoch after genesis (a new lineage) is numbered
     * {@code lineageStart}. Pure.
     */
    static Epoch next(Epoch previous, Map<String, Long> frontier, long lineageStart) {
        List<NodeId> added = new ArrayList<>();
        for (String node : new TreeMap<>(frontier).keySet()) {
            if (previous.members().indexOf(node) < 0) {
                added.add(NodeId.of(node));
            }
        }
        NodeTable members = previous.members().with(added);
        long[] base = new long[members.size()];
        boolean moved = !added.isEmpty();
        for (int i = 0; i < base.length; i++) {
            long before = i < previous.members().size() ? previous.baseAt(i) : 0L;
            Long f = frontier.get(members.nodeAt(i).value());
            base[i] = f == null ? before : Math.max(before, f);
            moved |= base[i] != before;
        }
        if (!moved) {
            return null;
        }
        boolean opens = previous.number() == Epoch.GENESIS.number();
        long number = opens ? Math.max(1, lineageStart) : previous.number() + 1;
        Epoch next = Epoch.of(number, opens ? number : previous.lineage(), members, base);
        if (!previous.precedes(next)) {
            throw new IllegalStateException("epoch " + next.number() + " would not follow " + previous.number()
                    + ": " + Arrays.toString(base));
        }
        return next;
    }
}
