package dev.dabba.agent.internal.handover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.AgentConfig.HandoverSettings;
import dev.dabba.agent.TowerClock;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.Handover;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/** Two nodes' exchanges wired through an in-memory broker whose messages the test delivers, drops or holds. */
class HandoverExchangeTest {

    private static final Instant NOW = Instant.parse("2026-11-26T04:30:00Z");
    private static final MqttTopics TOPICS = MqttTopics.DEFAULT;
    private static final NodeId A = NodeId.of("MUMBAI_BKC");
    private static final NodeId B = NodeId.of("MUMBAI_ANDHERI");
    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final HandoverSettings SETTINGS = new HandoverSettings(List.of(), Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(30), 10);

    private record Sent(String topic, byte[] payload, MqttProperties properties) {
    }

    private final AtomicLong nanos = new AtomicLong();
    private final List<Sent> wire = new ArrayList<>();
    /** While set, the sender fails as Paho does when every in-flight slot is taken. */
    private boolean windowFull;

    private final class Node {
        final TowerClock clock;
        final EpochRegistry epochs = new EpochRegistry();
        final Metrics metrics = new Metrics();
        final HandoverExchange exchange;
        final AtomicInteger completed = new AtomicInteger();

        Node(NodeId id) {
            clock = new TowerClock(id, new HybridLogicalClock(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1)));
            exchange = new HandoverExchange(id, TOPICS, RecordCodec.standard(), epochs, SETTINGS,
                    new HandoverExchange.Host() {
                        @Override
                        public void merge(Handover h, Map<String, String> properties) {
                            clock.receive(h);
                        }

                        @Override
                        public VectorClock clock() {
                            return clock.clock();
                        }
                    }, (topic, payload, props) -> {
                        if (windowFull) {
                            throw new org.eclipse.paho.mqttv5.common.MqttException(
                                    org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT);
                        }
                        wire.add(new Sent(topic, payload, props));
                    }, nanos::get, metrics);
        }

        Handover handOver(NodeId to) {
            return exchange.send(clock.handover(USER, to), List.of());
        }

        void stamp(int n) {
            for (int i = 0; i < n; i++) {
                clock.stamp(USER, NOW, new Usage.Sms(Msisdn.of("+919876543299")));
            }
        }

        double metric(String name) {
            return metrics.value(name);
        }
    }

    private final Node a = new Node(A);
    private final Node b = new Node(B);

    private Sent take() {
        assertThat(wire).as("a message on the wire").isNotEmpty();
        return wire.remove(0);
    }

    /** Delivers the next message to whoever it is for. */
    private void deliver() {
        Sent s = take();
        MqttMessage m = new MqttMessage(s.payload());
        m.setProperties(s.properties());
        if (s.topic().equals(TOPICS.handover(B))) {
            b.exchange.onMessage(m, b.completed::incrementAndGet);
        } else if (s.topic().equals(TOPICS.handover(A))) {
            a.exchange.onMessage(m, a.completed::incrementAndGet);
        } else if (s.topic().equals(HandoverExchange.ackTopic(TOPICS, A))) {
            a.exchange.onAck(m);
        } else if (s.topic().equals(HandoverExchange.ackTopic(TOPICS, B))) {
            b.exchange.onAck(m);
        } else {
            throw new AssertionError("unexpected topic " + s.topic());
        }
    }

    private VectorClock sentClock(Sent s) {
        return RecordCodec.standard().decodeHandover(s.payload(), a.epochs).clock();
    }

    @Test
    void aClockThatMeetsAFullInFlightWindow_waitsAsUnsent_andGoesWithTheNextResend() {
        a.stamp(3);
        windowFull = true;

        a.handOver(B);

        assertThat(wire).as("nothing could go out").isEmpty();
        assertThat(a.exchange.hasUnsent()).isTrue();
        assertThat(a.metric("dabba_agent_handover_window_full_total")).isEqualTo(1.0);

        windowFull = false;
        a.exchange.resendUnsent(); // what the agent does as soon as any publish completes
        assertThat(a.exchange.hasUnsent()).isFalse();
        deliver();

        assertThat(b.clock.clock().get(A.value())).isEqualTo(3);
    }

    @Test
    void afterAnAck_onlyWhatGrewIsSent_andTheReceiverEndsWithTheFullClock() {
        a.clock.receive(new TowerClock(NodeId.of("MUMBAI_DADAR"), new HybridLogicalClock(Clock.fixed(NOW,
                ZoneOffset.UTC), Duration.ofMinutes(1))).handover(USER, A));
        a.stamp(3);
        a.handOver(B);
        deliver(); // handover to B
        deliver(); // ack to A
        assertThat(a.exchange.acknowledgedBy(B)).isEqualTo(a.clock.clock());
        a.stamp(2);
        Handover full = a.clock.handover(USER, B);
        a.exchange.send(full, List.of());
        Sent second = wire.get(0);
        assertThat(sentClock(second).entries()).as("only A's own entry grew").containsOnlyKeys("MUMBAI_BKC")
                .containsEntry("MUMBAI_BKC", 5L);
        deliver();
        deliver();
        assertThat(b.clock.clock().isCoveredBy(full.clock())).isTrue();
        assertThat(full.clock().isCoveredBy(b.clock.clock())).as("B has all of A's clock").isTrue();
        assertThat(a.metric("dabba_agent_handovers_sent_total{kind=\"delta\"}")).isEqualTo(1);
        assertThat(a.metric("dabba_agent_handovers_sent_total{kind=\"full\"}")).isEqualTo(1);
        assertThat(b.completed).hasValue(2);
    }

    @Test
    void aLostMessage_isCoveredByTheNextOne_becauseDeltasAreFromTheLastAcknowledgedClock() {
        a.stamp(1);
        a.handOver(B);
        deliver();
        deliver(); // acknowledged: A[A]=1
        a.stamp(1);
        a.handOver(B);
        take(); // lost: carried A[A]=2
        a.stamp(1);
        a.handOver(B);
        Sent third = wire.get(0);
        assertThat(sentClock(third).get(A)).isEqualTo(3);
        deliver();
        deliver();
        assertThat(b.clock.clock().get(A)).isEqualTo(3);
    }

    @Test
    void aLostAck_leavesTheSenderSendingFromTheOlderAcknowledgement() {
        a.stamp(2);
        a.handOver(B);
        deliver();
        take(); // the ack is lost
        assertThat(a.exchange.acknowledgedBy(B)).isNull();
        a.stamp(1);
        a.handOver(B);
        assertThat(a.metric("dabba_agent_handovers_sent_total{kind=\"full\"}")).as("still nothing acknowledged")
                .isEqualTo(2);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        a.exchange.expire();
        assertThat(a.metric("dabba_agent_handover_ack_timeouts_total")).as("both sends").isEqualTo(2);
    }

    @Test
    void aHandoverInAnUnknownEpoch_isHeldUnacknowledged_untilTheEpochArrives() {
        Epoch one = Epoch.of(1, NodeTable.of(List.of(A, B)), new long[] {5, 0});
        a.epochs.accept(one);
        a.stamp(2);
        a.clock.adopt(one);
        a.stamp(1);
        a.handOver(B);
        deliver();
        assertThat(b.completed).as("held: not acknowledged to the broker").hasValue(0);
        assertThat(b.metric("dabba_agent_handovers_held")).isEqualTo(1);
        assertThat(wire).as("no ack yet").isEmpty();

        b.epochs.accept(one);
        b.exchange.epochKnown();
        assertThat(b.completed).hasValue(1);
        assertThat(b.clock.clock().get(A)).isEqualTo(6);
        deliver(); // ack MERGED
        assertThat(a.exchange.acknowledgedBy(B)).isNotNull();
    }

    @Test
    void aHandoverHeldTooLong_isAnsweredUnknownEpoch_andTheSenderResendsItsFullClockInAnEpochTheReceiverKnows() {
        Epoch one = Epoch.of(1, NodeTable.of(List.of(A, B)), new long[] {5, 0});
        a.epochs.accept(one);
        a.stamp(5);
        a.clock.adopt(one);
        a.stamp(1);
        a.handOver(B);
        deliver();
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        b.exchange.expire();
        assertThat(b.completed).hasValue(1);
        assertThat(b.metric("dabba_agent_handovers_held_expired_total")).isEqualTo(1);
        deliver(); // ack UNKNOWN_EPOCH(0) to A; A resends rebased on genesis
        assertThat(a.metric("dabba_agent_handover_acks_total{status=\"unknown_epoch\"}")).isEqualTo(1);
        Sent resent = wire.get(0);
        assertThat(RecordCodec.standard().decodeHandover(resent.payload(), b.epochs).clock().epoch())
                .isEqualTo(Epoch.GENESIS);
        deliver();
        assertThat(b.clock.clock().get(A)).isEqualTo(6);
        deliver();
        assertThat(a.metric("dabba_agent_handover_acks_total{status=\"merged\"}")).isEqualTo(1);
    }

    @Test
    void aMalformedMessage_isRejected_acknowledged_andAnswered() {
        MqttMessage junk = new MqttMessage(new byte[] {1, 2, 3});
        MqttProperties props = new MqttProperties();
        props.setResponseTopic(HandoverExchange.ackTopic(TOPICS, A));
        props.setCorrelationData(new byte[8]);
        junk.setProperties(props);
        b.exchange.onMessage(junk, b.completed::incrementAndGet);
        assertThat(b.completed).hasValue(1);
        assertThat(b.metric("dabba_agent_handovers_rejected_total")).isEqualTo(1);
        assertThat(HandoverAck.decode(take().payload()).status()).isEqualTo(HandoverAck.Status.REJECTED);
    }

    @Test
    void gossip_isSkipped_whenThePeerAcknowledgedEverythingAlready() {
        a.stamp(1);
        assertThat(a.exchange.gossip(a.clock.handover(USER, B))).isTrue();
        deliver();
        deliver();
        assertThat(a.exchange.gossip(a.clock.handover(USER, B))).isFalse();
        a.stamp(1);
        assertThat(a.exchange.gossip(a.clock.handover(USER, B))).isTrue();
    }

    @Test
    void handoverAck_roundTrips() {
        HandoverAck ack = new HandoverAck(HandoverAck.Status.UNKNOWN_EPOCH, 42, B);
        assertThat(HandoverAck.decode(ack.encode())).isEqualTo(ack);
    }
}
