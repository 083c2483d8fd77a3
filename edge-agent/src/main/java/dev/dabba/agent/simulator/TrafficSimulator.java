package dev.dabba.agent.simulator;

import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Random but realistic traffic for load and soak runs: subscribers on a line of towers make calls (log-normal
 * durations around 90 s, VOICE/VOLTE/VIDEO), data sessions (log-normal sizes around 5 MiB down on 3G/4G/5G, a
 * fraction of that up) and SMS, and move to neighbouring towers, handing their clock (and any call in progress,
 * which is cut into parts) over as they go. Usage times follow a simulated clock; the same seed gives the same
 * traffic.
 */
public final class TrafficSimulator {

    /** What a run produced. */
    public record Report(long records, long calls, long callParts, long sms, long dataSessions, long handovers,
            Instant simulatedEnd) {
    }

    private static final long MIB = 1024L * 1024L;
    private static final double CALL_MEDIAN_SECONDS = 90;
    private static final double CALL_SIGMA = 1.0;
    private static final double DATA_MEDIAN_BYTES = 5 * MIB;
    private static final double DATA_SIGMA = 1.5;
    private static final long MAX_CALL_SECONDS = 2 * 3600;
    private static final long MAX_DATA_BYTES = 4L * 1024 * MIB;

    private record CallEnd(Instant at, int subscriber) {
    }

    private final List<EdgeAgent> towers;
    private final Random random;
    private final Msisdn[] subscribers;
    private final int[] at;
    private final boolean[] inCall;
    private final PriorityQueue<CallEnd> endings = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
    private Instant now;
    private long records;
    private long calls;
    private long parts;
    private long sms;
    private long data;
    private long handovers;

    /**
     * @param towers the towers, in a line: a subscriber moves from one to the next or the previous
     * @param subscriberCount how many subscribers roam them
     * @param seed the random seed
     * @param start the simulated time of the first event
     */
    public TrafficSimulator(List<EdgeAgent> towers, int subscriberCount, long seed, Instant start) {
        if (towers.isEmpty()) {
            throw new IllegalArgumentException("towers must not be empty");
        }
        if (subscriberCount < 1) {
            throw new IllegalArgumentException("subscribers must be positive, was " + subscriberCount);
        }
        this.towers = List.copyOf(towers);
        this.random = new Random(seed);
        this.subscribers = new Msisdn[subscriberCount];
        this.at = new int[subscriberCount];
        this.inCall = new boolean[subscriberCount];
        for (int i = 0; i < subscriberCount; i++) {
            subscribers[i] = Msisdn.of("+9198" + String.format("%08d", i));
            at[i] = random.nextInt(towers.size());
        }
        this.now = Objects.requireNonNull(start, "start");
    }

    /** The subscribers, by index. */
    public List<Msisdn> subscribers() {
        return List.of(subscribers);
    }

    /**
     * Runs {@code events} random events; with a positive {@code eventsPerSecond} paced in real time, otherwise as
     * fast as the agents take them. Calls still in progress at the end are ended.
     */
    public Report run(long events, double eventsPerSecond) {
        long begin = System.nanoTime();
        for (long n = 0; n < events; n++) {
            now = now.plusMillis(1 + (long) (-Math.log(1 - random.nextDouble()) * 2_000));
            endCallsDueBy(now);
            step();
            if (eventsPerSecond > 0) {
                long due = begin + (long) ((n + 1) * 1e9 / eventsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }
        endCallsDueBy(Instant.MAX);
        return new Report(records, calls, parts, sms, data, handovers, now);
    }

    private void step() {
        int s = random.nextInt(subscribers.length);
        double action = random.nextDouble();
        if (action < 0.20 && towers.size() > 1) {
            move(s);
        } else if (action < 0.45 && !inCall[s]) {
            startCall(s);
        } else if (action < 0.55) {
            towers.get(at[s]).record(subscribers[s], now, new Usage.Sms(other(s)));
            records++;
            sms++;
        } else {
            towers.get(at[s]).record(subscribers[s], now, dataSession());
            records++;
            data++;
        }
    }

    private void startCall(int s) {
        double r = random.nextDouble();
        CallType type = r < 0.5 ? CallType.VOICE : r < 0.85 ? CallType.VOLTE : CallType.VIDEO;
        long seconds = Math.min(MAX_CALL_SECONDS, Math.max(1, Math.round(logNormal(CALL_MEDIAN_SECONDS,
                CALL_SIGMA))));
        towers.get(at[s]).startCall(subscribers[s], other(s), type, now);
        inCall[s] = true;
        calls++;
        endings.add(new CallEnd(now.plusSeconds(seconds), s));
    }

    private void move(int s) {
        int from = at[s];
        int to = from == 0 ? 1 : from == towers.size() - 1 ? from - 1 : from + (random.nextBoolean() ? 1 : -1);
        EdgeAgent source = towers.get(from);
        EdgeAgent target = towers.get(to);
        NodeId sourceId = source.node();
        target.expectArrival(subscribers[s], sourceId);
        if (inCall[s]) {
            parts++;
            records++;
        }
        source.handOver(subscribers[s], target.node(), now);
        at[s] = to;
        handovers++;
    }

    private void endCallsDueBy(Instant t) {
        while (!endings.isEmpty() && !endings.peek().at().isAfter(t)) {
            CallEnd e = endings.poll();
            Instant end = e.at().isAfter(now) ? now : e.at();
            towers.get(at[e.subscriber()]).endCall(subscribers[e.subscriber()], end);
            inCall[e.subscriber()] = false;
            parts++;
            records++;
        }
    }

    private Usage.Data dataSession() {
        double r = random.nextDouble();
        RadioType radio = r < 0.6 ? RadioType.G4 : r < 0.85 ? RadioType.G5 : RadioType.G3;
        long down = Math.min(MAX_DATA_BYTES, Math.round(logNormal(DATA_MEDIAN_BYTES, DATA_SIGMA)));
        long up = Math.round(down * (0.05 + 0.25 * random.nextDouble()));
        return new Usage.Data(radio, up, down);
    }

    private Msisdn other(int s) {
        return subscribers[(s + 1 + random.nextInt(Math.max(1, subscribers.length - 1))) % subscribers.length];
    }

    private double logNormal(double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    /** The simulated time now. */
    public Instant now() {
        return now;
    }

    /** A convenience for reports: the simulated span so far from {@code start}. */
    public Duration simulatedSince(Instant start) {
        return Duration.between(start, now);
    }

    /** The towers' node ids, in line order. */
    public List<NodeId> towerIds() {
        List<NodeId> ids = new ArrayList<>();
        for (EdgeAgent t : towers) {
            ids.add(t.node());
        }
        return ids;
    }
}
