package dev.dabba.agent.internal.handover;

import dev.dabba.agent.AgentConfig.HandoverSettings;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.Handover;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clock exchange between neighbouring nodes: handovers (towers, when a subscriber moves) and gossip (sensors),
 * both as {@link Handover} messages on {@code ROOT/handover/{to}}, acknowledged with a {@link HandoverAck} on the
 * MQTT 5 response topic {@code ROOT/handover-ack/{from}} with the request's correlation data.
 *
 * <p><b>Deltas with acknowledgements.</b> For each peer the sender keeps the clock the peer last acknowledged
 * having merged (the merge of every acknowledged clock). A new message carries only the entries that grew since
 * then, in the sender's epoch (whose base the receiver adds implicitly). The receiver's clock is at least the
 * acknowledged one (receivers persist a merge before acknowledging it, and clocks only grow), so merging the delta
 * gives exactly what merging the full clock would. A message that is lost, or whose ack is lost, changes nothing on
 * the sender: the next one is computed against the last acknowledged clock and so repeats what the lost one
 * carried. With no acknowledgement yet, the full clock goes.
 *
 * <p><b>Unknown epochs.</b> A message in an epoch the receiver does not know yet is held, unacknowledged (so the
 * broker keeps it if the agent dies), until the epoch's announcement arrives; after {@code holdUnknownEpoch} (or
 * beyond {@code maxHeld} messages) the receiver answers {@code UNKNOWN_EPOCH} with its newest epoch, and the sender
 * sends its full clock again rebased onto that epoch (or the genesis epoch, which everyone knows).
 */
public final class HandoverExchange {

    private static final Logger LOG = LoggerFactory.getLogger(HandoverExchange.class);

    /** What the exchange needs from the agent. */
    public interface Host {
        /**
         * Merges a received clock into the node's clock as a receive event and persists it; returns only once it
         * would survive a crash.
         */
        void merge(Handover handover, Map<String, String> properties) throws Exception;

        /** The node's clock now. */
        VectorClock clock();
    }

    /** Publishes a QoS 1 message. */
    public interface Sender {
        void send(String topic, byte[] payload, MqttProperties properties) throws Exception;
    }

    private record Pending(NodeId peer, Handover full, List<UserProperty> properties, long sentNanos) {
    }

    private record Held(byte[] payload, MqttProperties properties, Runnable complete, long heldNanos, long epoch) {
    }

    private final NodeId node;
    private final MqttTopics topics;
    private final String ackTopic;
    private final RecordCodec codec;
    private final EpochRegistry epochs;
    private final HandoverSettings settings;
    private final Host host;
    private final Sender sender;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    private final Map<NodeId, VectorClock> acknowledged = new HashMap<>();
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private final List<Held> held = new ArrayList<>();
    private final List<Pending> unsent = new ArrayList<>();
    private final long idBase = ThreadLocalRandom.current().nextLong() & 0xFFFFFFFF00000000L;
    private long nextId;
    private final Metrics.Counter sentFull;
    private final Metrics.Counter sentDelta;
    private final Metrics.Counter entriesSent;
    private final Metrics.Counter entriesFull;
    private final Metrics.Counter received;
    private final Metrics.Counter rejected;
    private final Metrics.Counter acksMerged;
    private final Metrics.Counter acksUnknownEpoch;
    private final Metrics.Counter acksRejected;
    private final Metrics.Counter ackTimeouts;
    private final Metrics.Counter heldExpired;
    private final Metrics.Counter gossipSkipped;
    private final Metrics.Counter windowFullRetries;
    private volatile long lastDeltaEntries;

    public HandoverExchange(NodeId node, MqttTopics topics, RecordCodec codec, EpochRegistry epochs,
            HandoverSettings settings, Host host, Sender sender, LongSupplier nanoTime, Metrics metrics) {
        this.node = node;
        this.topics = topics;
        this.ackTopic = ackTopic(topics, node);
        this.codec = codec;
        this.epochs = epochs;
        this.settings = settings;
        this.host = host;
        this.sender = sender;
        this.nanoTime = nanoTime;
        String help = "Clock messages sent to neighbours (handovers and gossip), by kind: the full clock, or only "
                + "what grew since the peer's last acknowledgement.";
        this.sentFull = metrics.counter("dabba_agent_handovers_sent_total", help, "kind=\"full\"");
        this.sentDelta = metrics.counter("dabba_agent_handovers_sent_total", help, "kind=\"delta\"");
        this.entriesSent = metrics.counter("dabba_agent_handover_entries_sent_total",
                "Clock entries (above the epoch base) carried by sent clock messages.");
        this.entriesFull = metrics.counter("dabba_agent_handover_entries_full_total",
                "Clock entries (above the epoch base) the same messages would have carried as full clocks.");
        this.received = metrics.counter("dabba_agent_handovers_received_total",
                "Clock messages from neighbours merged into this node's clock.");
        this.rejected = metrics.counter("dabba_agent_handovers_rejected_total",
                "Clock messages dropped as malformed or misaddressed.");
        String ackHelp = "Acknowledgements received for sent clock messages, by status.";
        this.acksMerged = metrics.counter("dabba_agent_handover_acks_total", ackHelp, "status=\"merged\"");
        this.acksUnknownEpoch = metrics.counter("dabba_agent_handover_acks_total", ackHelp,
                "status=\"unknown_epoch\"");
        this.acksRejected = metrics.counter("dabba_agent_handover_acks_total", ackHelp, "status=\"rejected\"");
        this.ackTimeouts = metrics.counter("dabba_agent_handover_ack_timeouts_total",
                "Sent clock messages never acknowledged within handover.ackTimeout.");
        this.heldExpired = metrics.counter("dabba_agent_handovers_held_expired_total",
                "Received clock messages whose epoch stayed unknown beyond handover.holdUnknownEpoch.");
        this.gossipSkipped = metrics.counter("dabba_agent_gossip_skipped_total",
                "Gossip rounds to a peer skipped because it had acknowledged everything already.");
        this.windowFullRetries = metrics.counter("dabba_agent_handover_window_full_total",
                "Clock messages that found every MQTT in-flight slot taken and went when one freed.");
        metrics.gauge("dabba_agent_handovers_held", "Received clock messages held for an unknown epoch.",
                this::heldCount);
        metrics.gauge("dabba_agent_handover_last_delta_entries", "Clock entries in the last clock message sent.",
                () -> lastDeltaEntries);
        metrics.gauge("dabba_agent_handovers_pending_ack", "Sent clock messages awaiting acknowledgement.",
                this::pendingCount);
    }

    /** The topic on which {@code node} receives acknowledgements. */
    public static String ackTopic(MqttTopics topics, NodeId node) {
        return topics.root() + "/handover-ack/" + node.value();
    }

    /** This node's acknowledgement topic. */
    public String ackTopic() {
        return ackTopic;
    }

    /**
     * Sends {@code full} (this node's whole clock) to {@code full.to()}, as a delta when the peer acknowledged an
     * earlier clock. If the link is down the message is queued and sent on reconnect.
     *
     * @return the message as sent (its clock may be a delta)
     */
    public Handover send(Handover full, List<UserProperty> properties) {
        long id;
        Handover message;
        synchronized (lock) {
            id = idBase | (nextId++ & 0xFFFFFFFFL);
            message = withDelta(full);
            pending.put(id, new Pending(full.to(), full, properties, nanoTime.getAsLong()));
        }
        publish(id, message, properties, full);
        return message;
    }

    /**
     * Gossips {@code full} to its peer unless the peer has acknowledged a clock at least as high already.
     *
     * @return whether a message went out
     */
    public boolean gossip(Handover full) {
        synchronized (lock) {
            VectorClock acked = acknowledged.get(full.to());
            if (acked != null && full.clock().isCoveredBy(acked)) {
                gossipSkipped.increment();
                return false;
            }
        }
        send(full, List.of());
        return true;
    }

    private Handover withDelta(Handover full) {
        VectorClock acked = acknowledged.get(full.to());
        VectorClock clock = full.clock();
        if (acked == null) {
            sentFull.increment();
            entriesSent.add(clock.deltaSize());
            entriesFull.add(clock.deltaSize());
            lastDeltaEntries = clock.deltaSize();
            return full;
        }
        Map<String, Long> grown = new HashMap<>();
        for (int i = 0; i < clock.deltaSize(); i++) {
            String id = clock.deltaIdAt(i);
            long counter = clock.deltaCounterAt(i);
            if (counter > acked.get(id)) {
                grown.put(id, counter);
            }
        }
        VectorClock delta = VectorClock.of(clock.epoch(), grown);
        sentDelta.increment();
        entriesSent.add(delta.deltaSize());
        entriesFull.add(clock.deltaSize());
        lastDeltaEntries = delta.deltaSize();
        return new Handover(full.from(), full.to(), full.subscriber(), delta, full.hlc());
    }

    private void publish(long id, Handover message, List<UserProperty> properties, Handover full) {
        MqttProperties props = new MqttProperties();
        props.setResponseTopic(ackTopic);
        props.setCorrelationData(ByteBuffer.allocate(8).putLong(id).array());
        if (!properties.isEmpty()) {
            props.setUserProperties(properties);
        }
        try {
            sender.send(topics.handover(message.to()), codec.encodeHandover(message), props);
        } catch (Exception e) {
            boolean windowFull = e instanceof org.eclipse.paho.mqttv5.common.MqttException m
                    && m.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT;
            if (windowFull) { // expected under load: the batches hold every in-flight slot for a moment
                windowFullRetries.increment();
                LOG.debug("{}: every in-flight slot is taken; the clock to {} goes when one frees", node, message.to());
            } else {
                LOG.warn("{}: could not send a clock to {} now ({}); it is sent again as soon as a publish "
                        + "completes, at the next housekeeping tick, or on reconnect", node, message.to(),
                        e.toString());
            }
            synchronized (lock) {
                pending.remove(id);
                unsent.add(new Pending(full.to(), full, properties, nanoTime.getAsLong()));
            }
        }
    }

    /** Whether clocks wait to be sent again (a cheap check, for the agent's publish-completed callback). */
    public boolean hasUnsent() {
        synchronized (lock) {
            return !unsent.isEmpty();
        }
    }

    /** The link is back: send what could not be sent (with the current full clock, which only knows more). */
    public void resendUnsent() {
        List<Pending> again;
        synchronized (lock) {
            if (unsent.isEmpty()) {
                return;
            }
            again = new ArrayList<>(unsent);
            unsent.clear();
        }
        VectorClock now = host.clock();
        for (Pending p : again) {
            Handover h = p.full();
            send(new Handover(h.from(), h.to(), h.subscriber(), now.merge(h.clock()), h.hlc()), p.properties());
        }
    }

    /** A handover or gossip message arrived on this node's handover topic. */
    public void onMessage(MqttMessage message, Runnable complete) {
        byte[] payload = message.getPayload();
        MqttProperties props = message.getProperties();
        Handover h;
        try {
            h = codec.decodeHandover(payload, epochs);
        } catch (UnknownEpochException e) {
            hold(payload, props, complete, e.epoch());
            return;
        } catch (WireFormatException | IllegalArgumentException e) {
            rejected.increment();
            LOG.warn("{}: rejected a malformed clock message: {}", node, e.getMessage());
            reply(props, HandoverAck.Status.REJECTED);
            complete.run();
            return;
        }
        accept(h, props, complete);
    }

    private void accept(Handover h, MqttProperties props, Runnable complete) {
        if (!h.to().equals(node)) {
            rejected.increment();
            LOG.warn("{}: rejected a clock message addressed to {}", node, h.to());
            reply(props, HandoverAck.Status.REJECTED);
            complete.run();
            return;
        }
        Map<String, String> userProps = new HashMap<>();
        if (props != null && props.getUserProperties() != null) {
            for (UserProperty p : props.getUserProperties()) {
                userProps.put(p.getKey(), p.getValue());
            }
        }
        try {
            host.merge(h, userProps);
        } catch (Exception e) {
            // Not acknowledged: the broker redelivers it (on reconnect at the latest).
            LOG.error("{}: merging the clock from {} failed; it stays unacknowledged: {}", node, h.from(),
                    e.toString());
            return;
        }
        received.increment();
        reply(props, HandoverAck.Status.MERGED);
        complete.run();
    }

    private void hold(byte[] payload, MqttProperties props, Runnable complete, long epoch) {
        synchronized (lock) {
            if (held.size() < settings.maxHeld()) {
                held.add(new Held(payload, props, complete, nanoTime.getAsLong(), epoch));
                LOG.info("{}: holding a clock message in epoch {} until its announcement arrives", node, epoch);
                return;
            }
        }
        heldExpired.increment();
        LOG.warn("{}: {} clock messages held already; answering unknown epoch {} at once", node, settings.maxHeld(),
                epoch);
        reply(props, HandoverAck.Status.UNKNOWN_EPOCH);
        complete.run();
    }

    /** A new epoch became known: merge the held messages that were waiting for it. */
    public void epochKnown() {
        List<Held> ready = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (epochs.resolve(h.epoch()) != null) {
                    ready.add(h);
                    it.remove();
                }
            }
        }
        for (Held h : ready) {
            MqttMessage m = new MqttMessage(h.payload());
            m.setProperties(h.properties());
            onMessage(m, h.complete());
        }
    }

    /** Expires held messages and unacknowledged sends; called periodically. */
    public void expire() {
        long now = nanoTime.getAsLong();
        List<Held> expired = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (now - h.heldNanos() > settings.holdUnknownEpoch().toNanos()) {
                    expired.add(h);
                    it.remove();
                }
            }
            for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (now - p.sentNanos() > settings.ackTimeout().toNanos()) {
                    ackTimeouts.increment();
                    it.remove();
                }
            }
        }
        for (Held h : expired) {
            heldExpired.increment();
            LOG.warn("{}: epoch {} of a held clock message is still unknown after {}; asking the sender for a clock in"
                    + " epoch {}", node, h.epoch(), settings.holdUnknownEpoch(), epochs.latest().number());
            reply(h.properties(), HandoverAck.Status.UNKNOWN_EPOCH);
            h.complete().run();
        }
    }

    /** An acknowledgement arrived on this node's ack topic. */
    public void onAck(MqttMessage message) {
        HandoverAck ack;
        long id;
        try {
            ack = HandoverAck.decode(message.getPayload());
            byte[] correlation = message.getProperties() == null ? null : message.getProperties().getCorrelationData();
            if (correlation == null || correlation.length != 8) {
                throw new IllegalArgumentException("handover ack correlation data: expected 8 bytes");
            }
            id = ByteBuffer.wrap(correlation).getLong();
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: ignored a malformed handover ack: {}", node, e.getMessage());
            return;
        }
        Pending p;
        synchronized (lock) {
            p = pending.remove(id);
            if (p == null) {
                return; // timed out already, or a duplicate
            }
            if (ack.status() == HandoverAck.Status.MERGED) {
                acksMerged.increment();
                acknowledged.merge(p.peer(), p.full().clock(), VectorClock::merge);
                return;
            }
        }
        if (ack.status() == HandoverAck.Status.REJECTED) {
            acksRejected.increment();
            LOG.error("{}: {} rejected a clock message sent to it", node, ack.receiver());
            return;
        }
        acksUnknownEpoch.increment();
        Epoch theirs = epochs.resolve(ack.latestEpoch());
        VectorClock full = host.clock().merge(p.full().clock());
        Epoch target = theirs != null && theirs.number() < full.epoch().number()
                && theirs.sharesLineageWith(full.epoch()) ? theirs : Epoch.GENESIS;
        VectorClock rebased = full.epoch().number() == target.number() ? full : full.rebase(target);
        LOG.info("{}: {} does not know epoch {}; sending the full clock again in epoch {}", node, p.peer(),
                full.epoch().number(), target.number());
        synchronized (lock) {
            acknowledged.remove(p.peer()); // a full clock, whatever was acknowledged before
        }
        Handover h = p.full();
        send(new Handover(h.from(), h.to(), h.subscriber(), rebased, h.hlc()), p.properties());
    }

    private void reply(MqttProperties request, HandoverAck.Status status) {
        if (request == null || request.getResponseTopic() == null || request.getCorrelationData() == null) {
            return;
        }
        String topic = request.getResponseTopic();
        if (!topic.startsWith(topics.root() + "/handover-ack/")) {
            LOG.warn("{}: not answering on response topic {} outside {}", node, topic, topics.root());
            return;
        }
        MqttProperties props = new MqttProperties();
        props.setCorrelationData(request.getCorrelationData());
        try {
            sender.send(topic, new HandoverAck(status, epochs.latest().number(), node).encode(), props);
        } catch (Exception e) {
            LOG.debug("{}: could not acknowledge on {}: {}", node, topic, e.toString());
        }
    }

    /** The clock {@code peer} last acknowledged, if any. */
    public VectorClock acknowledgedBy(NodeId peer) {
        synchronized (lock) {
            return acknowledged.get(peer);
        }
    }

    int heldCount() {
        synchronized (lock) {
            return held.size();
        }
    }

    int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** For status: a supplier of the held count. */
    public Supplier<Integer> heldSupplier() {
        return this::heldCount;
    }
}
