package dev.dabba.reliability.workload;

import dev.dabba.agent.AgentException;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.reliability.oracle.GeneratedRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Random realistic traffic over in-process tower agents that also writes down the execution it drives, for the
 * oracle: every record with what the generator knows of its causal past.
 *
 * <p>Subscribers on a line of towers make data sessions, SMS and calls and move to neighbouring towers, handing their
 * clock (and a call in progress, cut into parts) over. The generator keeps its own knowledge vector per tower: a
 * stamp adds the record; a handover adds the sender's knowledge to the receiver once the generator has seen the
 * receiver merge that very handover ({@link EdgeAgent#awaitHandover}, matched by sender and hybrid timestamp). A
 * subscriber whose handover is not merged yet does nothing until it is, so each subscriber's records form a causal
 * chain that the generator knows for certain. It predicts every event id and the content of the call parts the
 * agents stamp on their own, and fails loudly when an agent disagrees.
 *
 * <p>Towers may have a skewed wall clock: their agent runs on a shifted {@link java.time.Clock}, and the usage they
 * report starts at the network time plus the skew, so a subscriber's starts and hybrid timestamps can go backwards
 * across a handover while causality goes forward. Towers may be blocked (partitioned): nobody moves into or out of
 * them while blocked. Not thread-safe beyond {@link #block}/{@link #unblock}; drive it from one thread.
 */
public final class Workload {

    /** A tower the workload drives, and its wall-clock skew. */
    public record Tower(EdgeAgent agent, Duration skew) {
        public Tower {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(skew, "skew");
        }
    }

    /** Counts of what the workload did. */
    public record Stats(long records, long calls, long callParts, long sms, long data, long handovers,
            long handoversBackInTime, long waitsForMerge) {
    }

    private static final long MIB = 1024L * 1024L;
    private static final Duration MERGE_TIMEOUT = Duration.ofMinutes(10);

    private final List<Tower> towers;
    private final Random random;
    private final Msisdn[] subscribers;
    private final int[] at;
    private final ActiveCall[] calls;
    private final Pending[] pending;
    private final long[] sequence;
    private final List<Map<String, Long>> knows = new ArrayList<>();
    private final Set<Integer> blocked = ConcurrentHashMap.newKeySet();
    private final List<GeneratedRecord> generated = new ArrayList<>();
    private final PriorityQueue<CallEnd> endings = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
    private Instant now;
    private long calls0;
    private long parts;
    private long sms;
    private long data;
    private long handovers;
    private long backInTime;
    private long waits;

    private static final class ActiveCall {
        final String reference;
        final Msisdn callee;
        final CallType type;
        final Instant callStart;
        Instant partStart;
        int part = 1;

        ActiveCall(String reference, Msisdn callee, CallType type, Instant callStart) {
            this.reference = reference;
            this.callee = callee;
            this.type = type;
            this.callStart = callStart;
            this.partStart = callStart;
        }
    }

    private record Pending(int target, NodeId from, HybridTimestamp hlc, Map<String, Long> knowledge, long since) {
    }

    private record CallEnd(Instant at, int subscriber) {
    }

    /**
     * @param towers the towers in a line: a subscriber moves to the next or the previous one
     * @param subscriberCount how many subscribers roam them
     * @param msisdnPrefix the first digits of their numbers, six more follow (e.g. {@code +919800} gives
     *     {@code +919800000000} to {@code +919800000099} for 100 subscribers)
     * @param seed the random seed (same seed, same choices)
     * @param start the network time of the first event
     */
    public Workload(List<Tower> towers, int subscriberCount, String msisdnPrefix, long seed, Instant start) {
        if (towers.size() < 2) {
            throw new IllegalArgumentException("towers: at least two, was " + towers.size());
        }
        if (subscriberCount < 1) {
            throw new IllegalArgumentException("subscriberCount must be positive, was " + subscriberCount);
        }
        this.towers = List.copyOf(towers);
        this.random = new Random(seed);
        this.subscribers = new Msisdn[subscriberCount];
        this.at = new int[subscriberCount];
        this.calls = new ActiveCall[subscriberCount];
        this.pending = new Pending[subscriberCount];
        this.sequence = new long[towers.size()];
        if (subscriberCount > 999_999) {
            throw new IllegalArgumentException("subscriberCount: at most 999,999, was " + subscriberCount);
        }
        for (int i = 0; i < subscriberCount; i++) {
            subscribers[i] = Msisdn.of(msisdnPrefix + String.format("%06d", i));
            at[i] = random.nextInt(towers.size());
        }
        for (Tower t : towers) {
            NodeId node = t.agent().node();
            long seq = t.agent().clock().get(node);
            sequence[knows.size()] = seq;
            Map<String, Long> k = new HashMap<>();
            if (seq > 0) {
                k.put(node.value(), seq);
            }
            knows.add(k);
        }
        this.now = Objects.requireNonNull(start, "start").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** The subscribers, by index. */
    public List<Msisdn> subscribers() {
        return List.of(subscribers);
    }

    /** Nobody moves into or out of {@code node} until {@link #unblock}; its subscribers keep using it. */
    public void block(NodeId node) {
        blocked.add(indexOf(node));
    }

    /** Ends {@link #block}. */
    public void unblock(NodeId node) {
        blocked.remove(indexOf(node));
    }

    private int indexOf(NodeId node) {
        for (int i = 0; i < towers.size(); i++) {
            if (towers.get(i).agent().node().equals(node)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no tower " + node);
    }

    /** Runs {@code events} random events as fast as the agents take them. */
    public void run(long events) {
        for (long n = 0; n < events; n++) {
            step();
        }
    }

    /** One random event at the next network time. */
    public void step() {
        now = now.plusMillis(1 + (long) (-Math.log(1 - random.nextDouble()) * 500));
        endCallsDueBy(now);
        int s = random.nextInt(subscribers.length);
        if (!settled(s, false)) {
            waits++;
            return;
        }
        double action = random.nextDouble();
        if (action < 0.20) {
            move(s);
        } else if (action < 0.40 && calls[s] == null) {
            startCall(s);
        } else if (action < 0.55) {
            record(s, new Usage.Sms(other(s)));
        } else {
            record(s, dataSession());
        }
    }

    /** Ends every call in progress (waiting for pending handovers), so that every call has its last part. */
    public void endAllCalls() {
        endCallsDueBy(Instant.MAX);
        for (int s = 0; s < subscribers.length; s++) {
            if (calls[s] != null) {
                settled(s, true);
                endCall(s, now);
            }
        }
    }

    /** Waits until every handover sent has been merged by its target. */
    public void settleAll() {
        for (int s = 0; s < subscribers.length; s++) {
            settled(s, true);
        }
    }

    /** What the workload generated so far, in stamping order. */
    public List<GeneratedRecord> generated() {
        return List.copyOf(generated);
    }

    /** What the workload did so far. */
    public Stats stats() {
        return new Stats(generated.size(), calls0, parts, sms, data, handovers, backInTime, waits);
    }

    // ------------------------------------------------------------------------------------------------- actions

    private Instant local(int tower, Instant networkTime) {
        return networkTime.plus(towers.get(tower).skew());
    }

    private void record(int s, Usage usage) {
        int t = at[s];
        Instant start = local(t, now);
        UsageRecord r = towers.get(t).agent().record(subscribers[s], start, usage);
        stamped(t, r.id(), subscribers[s], start, usage, r.hlc());
        if (usage instanceof Usage.Sms) {
            sms++;
        } else {
            data++;
        }
    }

    private GeneratedRecord stamped(int t, EventId id, Msisdn subscriber, Instant start, Usage usage,
            HybridTimestamp hlc) {
        NodeId node = towers.get(t).agent().node();
        long expected = sequence[t] + 1;
        if (!id.origin().equals(node) || id.sequence() != expected) {
            throw new IllegalStateException("the generator expected " + node + "#" + expected + " but the agent "
                    + "stamped " + id + ": something else stamped records on this tower");
        }
        sequence[t] = expected;
        knows.get(t).put(node.value(), expected);
        GeneratedRecord g = new GeneratedRecord(id, subscriber, start, usage, hlc, knows.get(t));
        generated.add(g);
        return g;
    }

    private void startCall(int s) {
        int t = at[s];
        double r = random.nextDouble();
        CallType type = r < 0.5 ? CallType.VOICE : r < 0.85 ? CallType.VOLTE : CallType.VIDEO;
        long seconds = Math.min(7_200, Math.max(1, Math.round(90 * Math.exp(random.nextGaussian()))));
        Instant start = local(t, now);
        Msisdn callee = other(s);
        String reference = towers.get(t).agent().startCall(subscribers[s], callee, type, start);
        calls[s] = new ActiveCall(reference, callee, type, start);
        calls0++;
        endings.add(new CallEnd(now.plusSeconds(seconds), s));
    }

    private void endCallsDueBy(Instant time) {
        List<CallEnd> deferred = new ArrayList<>();
        while (!endings.isEmpty() && !endings.peek().at().isAfter(time)) {
            CallEnd e = endings.poll();
            if (calls[e.subscriber()] == null) {
                continue;
            }
            if (!settled(e.subscriber(), time.equals(Instant.MAX))) {
                deferred.add(e);
                continue;
            }
            endCall(e.subscriber(), e.at().isAfter(now) ? now : e.at());
        }
        endings.addAll(deferred);
    }

    private void endCall(int s, Instant networkEnd) {
        int t = at[s];
        ActiveCall c = calls[s];
        Instant end = later(local(t, networkEnd), c.partStart);
        long seconds = seconds(c.callStart, end) - seconds(c.callStart, c.partStart);
        Usage.Call expected = new Usage.Call(c.callee, c.type, seconds, new Usage.CallPart(c.reference, c.part, true));
        UsageRecord r = towers.get(t).agent().endCall(subscribers[s], end);
        if (!r.usage().equals(expected) || !r.start().equals(c.partStart)) {
            throw new IllegalStateException("the generator expected the last part " + expected + " from "
                    + c.partStart + " but " + towers.get(t).agent().node() + " stamped " + r.usage() + " from "
                    + r.start());
        }
        stamped(t, r.id(), subscribers[s], c.partStart, expected, r.hlc());
        calls[s] = null;
        parts++;
    }

    private void move(int s) {
        int from = at[s];
        int to = from == 0 ? 1 : from == towers.size() - 1 ? from - 1 : from + (random.nextBoolean() ? 1 : -1);
        if (blocked.contains(from) || blocked.contains(to)) {
            record(s, dataSession());
            return;
        }
        EdgeAgent source = towers.get(from).agent();
        EdgeAgent target = towers.get(to).agent();
        Msisdn subscriber = subscribers[s];
        ActiveCall c = calls[s];
        Instant when = c == null ? local(from, now) : later(local(from, now), c.partStart);
        target.expectArrival(subscriber, source.node());
        Handover h = source.handOver(subscriber, target.node(), when);
        if (c != null) {
            // The source stamped the part it carried before it sent its clock: the generator's own account of it.
            long seconds = seconds(c.callStart, when) - seconds(c.callStart, c.partStart);
            Usage.Call part = new Usage.Call(c.callee, c.type, seconds, new Usage.CallPart(c.reference, c.part,
                    false));
            stamped(from, new EventId(source.node(), sequence[from] + 1), subscriber, c.partStart, part, null);
            c.part++;
            c.partStart = when;
            parts++;
        }
        if (local(to, now).isBefore(when)) {
            backInTime++;
        }
        pending[s] = new Pending(to, source.node(), h.hlc(), Map.copyOf(knows.get(from)), System.nanoTime());
        at[s] = to;
        handovers++;
    }

    /**
     * Whether subscriber {@code s} has no handover in flight; resolves one whose merge the target has reported. With
     * {@code block}, waits for it (up to ten minutes).
     */
    private boolean settled(int s, boolean block) {
        Pending p = pending[s];
        if (p == null) {
            return true;
        }
        EdgeAgent target = towers.get(p.target()).agent();
        long deadline = p.since() + MERGE_TIMEOUT.toNanos();
        while (true) {
            Handover h;
            try {
                h = target.awaitHandover(subscribers[s], block ? Duration.ofMillis(200) : Duration.ofMillis(1));
            } catch (AgentException none) {
                h = null;
            }
            if (h != null && h.from().equals(p.from()) && h.hlc().equals(p.hlc())) {
                Map<String, Long> k = knows.get(p.target());
                p.knowledge().forEach((node, count) -> k.merge(node, count, Math::max));
                pending[s] = null;
                return true;
            }
            if (h != null) {
                continue; // an older handover of this subscriber, merged again after a redelivery
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(target.node() + " did not merge the handover of " + subscribers[s]
                        + " from " + p.from() + " within " + MERGE_TIMEOUT);
            }
            if (!block) {
                return false;
            }
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isBefore(b) ? b : a;
    }

    /** Whole seconds from {@code from} to {@code to}, as the agent's call tracker counts them. */
    private static long seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).getSeconds());
    }

    private Usage.Data dataSession() {
        double r = random.nextDouble();
        RadioType radio = r < 0.6 ? RadioType.G4 : r < 0.85 ? RadioType.G5 : RadioType.G3;
        long down = Math.min(4L * 1024 * MIB, Math.round(5 * MIB * Math.exp(1.5 * random.nextGaussian())));
        long up = Math.round(down * (0.05 + 0.25 * random.nextDouble()));
        return new Usage.Data(radio, up, down);
    }

    private Msisdn other(int s) {
        return subscribers[(s + 1 + random.nextInt(Math.max(1, subscribers.length - 1))) % subscribers.length];
    }
}
