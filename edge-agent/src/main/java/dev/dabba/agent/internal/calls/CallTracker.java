package dev.dabba.agent.internal.calls;

import dev.dabba.agent.CallPart;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The calls in progress at this tower, and how a call is cut into parts at handovers (the 3GPP partial-record
 * model): a handover closes the current part here and passes the call's context to the next tower in the handover
 * message's MQTT 5 user properties; the tower where the call ends records the last part. Thread-safe.
 */
public final class CallTracker {

    /** Most calls in progress at one tower. */
    static final int MAX_CALLS = 100_000;
    static final String ID = "dabba-call-id";
    static final String CALLEE = "dabba-call-callee";
    static final String TYPE = "dabba-call-type";
    static final String START = "dabba-call-start";
    static final String PART = "dabba-call-part";
    static final String PART_START = "dabba-call-part-start";

    private record Active(String callId, Msisdn caller, Msisdn callee, CallType type, Instant callStart,
            Instant partStart, int partNumber) {
    }

    private final NodeId node;
    /** Calls in progress; bounded, so calls whose end is never reported cannot exhaust memory (oldest go first). */
    private final Map<Msisdn, Active> calls = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Msisdn, Active> eldest) {
            return size() > MAX_CALLS;
        }
    };
    /**
     * Per call id, the highest part number this tower has carried or handed on (bounded like {@link #calls}). MQTT
     * delivers a handover at least once: after a broker restart an old handover can arrive again, long after the
     * call moved on or ended, and adopting its context would bring the call back here with a stale part (and stamp
     * that part again at the next handover or end). A context whose part is not above the one recorded is stale.
     */
    private final Map<String, Integer> partsSeen = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_CALLS;
        }
    };
    private final AtomicLong nextId = new AtomicLong(System.currentTimeMillis());

    public CallTracker(NodeId node) {
        this.node = node;
    }

    /** A call by {@code caller} begins here; returns its id. */
    public synchronized String start(Msisdn caller, Msisdn callee, CallType type, Instant start) {
        if (calls.containsKey(caller)) {
            throw new IllegalStateException(caller + " is already in call " + calls.get(caller).callId());
        }
        // Unique across restarts too (the counter starts again at 0): the call's start is part of it.
        String id = node.value() + "-" + Long.toString(start.toEpochMilli(), 36) + "-"
                + Long.toString(nextId.getAndIncrement(), 36);
        calls.put(caller, new Active(id, caller, callee, type, start, start, 1));
        partsSeen.put(id, 1);
        return id;
    }

    /** Whether {@code caller} is in a call here. */
    public synchronized boolean inCall(Msisdn caller) {
        return calls.containsKey(caller);
    }

    /**
     * Ends the call of {@code caller} at {@code end}: the last part.
     *
     * @throws IllegalStateException if the caller is in no call here
     */
    public synchronized CallPart end(Msisdn caller, Instant end) {
        Active a = calls.remove(caller);
        if (a == null) {
            throw new IllegalStateException(caller + " is in no call at " + node);
        }
        partsSeen.put(a.callId(), a.partNumber());
        return part(a, end, true);
    }

    /**
     * The call of {@code caller} leaves this tower at {@code at}: returns the closed part and the user properties
     * that carry the call on to the next tower, or empty when the caller is in no call.
     */
    public synchronized Optional<Split> handOver(Msisdn caller, Instant at) {
        Active a = calls.remove(caller);
        if (a == null) {
            return Optional.empty();
        }
        CallPart closed = part(a, at, false);
        partsSeen.put(a.callId(), a.partNumber() + 1); // the next part is the next tower's
        List<UserProperty> props = new ArrayList<>();
        props.add(new UserProperty(ID, a.callId()));
        props.add(new UserProperty(CALLEE, a.callee().value()));
        props.add(new UserProperty(TYPE, a.type().name()));
        props.add(new UserProperty(START, Long.toString(a.callStart().toEpochMilli())));
        props.add(new UserProperty(PART, Integer.toString(a.partNumber() + 1)));
        props.add(new UserProperty(PART_START, Long.toString(at.toEpochMilli())));
        return Optional.of(new Split(closed, props));
    }

    /** A closed part and the context for the next tower. */
    public record Split(CallPart closed, List<UserProperty> properties) {
    }

    /**
     * Takes over a call handed over with {@code subscriber}, if the handover's properties carry one; malformed
     * properties are ignored (the call's remaining part is then not recorded here, and the caller is told).
     *
     * <p>A context already taken over or handed on here (a handover delivered again) is ignored: see
     * {@link #partsSeen}.
     *
     * @return the call id taken over, if any (empty for no call or a stale context)
     */
    public synchronized Optional<String> adopt(Msisdn subscriber, Map<String, String> properties) {
        String id = properties.get(ID);
        if (id == null) {
            return Optional.empty();
        }
        try {
            Active a = new Active(id, subscriber, Msisdn.of(properties.get(CALLEE)),
                    CallType.valueOf(properties.get(TYPE)), Instant.ofEpochMilli(Long.parseLong(properties.get(START))),
                    Instant.ofEpochMilli(Long.parseLong(properties.get(PART_START))),
                    Integer.parseInt(properties.get(PART)));
            Integer seen = partsSeen.get(id);
            if (seen != null && a.partNumber() <= seen) {
                return Optional.empty();
            }
            partsSeen.put(id, a.partNumber());
            calls.put(subscriber, a);
            return Optional.of(id);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("handover call context of " + subscriber + " is malformed: "
                    + e.getMessage(), e);
        }
    }

    private static CallPart part(Active a, Instant end, boolean last) {
        if (end.isBefore(a.partStart())) {
            throw new IllegalArgumentException("call " + a.callId() + " part " + a.partNumber() + " cannot end at "
                    + end + ", before it started at " + a.partStart());
        }
        long seconds = seconds(a.callStart(), end) - seconds(a.callStart(), a.partStart());
        return new CallPart(a.callId(), a.caller(), a.callee(), a.type(), a.callStart(), a.partStart(), seconds,
                a.partNumber(), last);
    }

    private static long seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).getSeconds());
    }
}
