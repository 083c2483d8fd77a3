package dev.dabba.agent.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig.BatchSettings;
import dev.dabba.agent.AgentConfig.OutboxSettings;
import dev.dabba.agent.FsyncPolicy;
import dev.dabba.agent.FullPolicy;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.agent.internal.outbox.Outbox;
import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher against a fake transport that plays the MQTT client's part: it keeps what it was given and says how
 * many publishes it holds, as Paho does, which resends them on every new connection until their PUBACKs; the tests
 * play the link's part (connection lost, reconnected, a reconnect asked for).
 */
class PublisherTest {

    private static final NodeId TOWER = NodeId.of("MUMBAI_BKC");
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
    private static final RecordCodec CODEC = RecordCodec.withoutCompression();

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final FakeClient client = new FakeClient();
    private final AtomicLong nanos = new AtomicLong(1);
    private Outbox outbox;
    private Publisher publisher;

    /** One record per batch, no linger: each publish is one outbox entry, its index the record's sequence. */
    private void start(int entries) throws Exception {
        outbox = Outbox.open(dir.resolve("outbox"), new OutboxSettings(1 << 20, 64 * 1024, FsyncPolicy.BATCH,
                Duration.ofSeconds(1), FullPolicy.REFUSE, Duration.ofSeconds(1)), 0, 0, metrics);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            payloads.add(new byte[] {(byte) i});
        }
        outbox.append(payloads);
        publisher = new Publisher(TOWER, outbox, (index, payload) -> sms(index), CODEC, client, "records",
                new BatchSettings(1, 1024, Duration.ZERO, 3), PUBLISH_TIMEOUT, nanos::get, () -> { }, dir.resolve("q"),
                metrics);
        publisher.start();
    }

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (outbox != null) {
            outbox.close();
        }
    }

    /** The record stored at outbox entry {@code index}: sequence {@code index + 1}. */
    private static UsageRecord sms(long index) {
        return new UsageRecord(new EventId(TOWER, index + 1), Msisdn.of("+919876543210"), NOW,
                new HybridTimestamp(1, 0), VectorClock.of(Map.of("MUMBAI_BKC", index + 1)),
                new Usage.Sms(Msisdn.of("+919999999999")));
    }

    @Test
    void batchesInFlightWhenTheConnectionDrops_stayWithTheClient_andAreNotSentTwice() throws Exception {
        start(6);
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L)));

        // The connection drops with both in flight; the client keeps them and resends them on the next connection.
        client.connectionLost();
        publisher.disconnected();
        client.reconnected();
        publisher.connected(2);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L, 1L)));

        client.acknowledge(0); // the PUBACK for the client's copy of entry 0: one slot free, for entry 2
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().size() == 3);
        assertThat(client.sent()).as("entry 1 is still in flight: not sent again").containsExactly(0L, 1L, 2L);
        client.acknowledge(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().size() == 4);
        assertThat(client.sent()).as("entries published, in order").containsExactly(0L, 1L, 2L, 3L);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            client.acknowledgeAll();
            return publisher.acknowledgedIndex() == 6;
        });
        assertThat(client.sent()).as("every entry once").containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aPublishNotAcknowledgedOnALiveConnection_makesTheLinkReconnect_insteadOfSendingACopy() throws Exception {
        start(3);
        publisher.connected(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L)));

        // No PUBACK for the publish timeout on a connection that stays up: a new connection, on which the client
        // sends what it holds again; no copy from the publisher.
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() + 1);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.reconnects().size() == 1);
        assertThat(client.reconnects().get(0)).contains("no PUBACK for entries 0..0");
        publisher.wake();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L)) && client.reconnects().size() == 1);

        client.connectionLost();
        publisher.disconnected();
        client.reconnected();
        publisher.connected(1);
        client.acknowledge(0); // the PUBACK for the client's resent copy
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            client.acknowledgeAll();
            return publisher.acknowledgedIndex() == 3;
        });
        assertThat(client.sent()).as("every entry once").containsExactly(0L, 1L, 2L);
        assertThat(client.reconnects()).hasSize(1);
    }

    @Test
    void aPublishTimeoutWhileOthersAreAcknowledged_reconnects_andEveryEntryIsSentOnce() throws Exception {
        start(6);
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L)));
        client.acknowledge(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().size() == 3);
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2);
        client.acknowledge(0); // entry 1, half a timeout later
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L, 2L, 3L)));

        // Entry 2 times out while the link still acknowledges (slowly): a new connection, no copies.
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2 + 2);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.reconnects().size() == 1);
        assertThat(client.reconnects().get(0)).contains("no PUBACK for entries 2..2");
        client.connectionLost();
        publisher.disconnected();
        client.reconnected();
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            client.acknowledgeAll();
            return publisher.acknowledgedIndex() == 6;
        });
        assertThat(client.sent()).as("every entry once").containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void copiesTheClientHoldsFillingTheWindow_withNothingAcknowledged_makeTheLinkReconnect() throws Exception {
        start(4);
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L)));
        publisher.resendUnacknowledged(); // a new epoch lineage: everything unacknowledged goes again

        // The client still holds 0 and 1, a full window: the publisher waits for them, and after the publish
        // timeout with nothing acknowledged asks for a new connection rather than publishing past them.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L, 1L)) && client.reconnects().isEmpty());
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() + 1);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.reconnects().size() == 1);
        assertThat(client.reconnects().get(0)).contains("holds 2 unacknowledged publishes");
        assertThat(client.sent()).containsExactly(0L, 1L);

        // On the new connection both are acknowledged; other publishes of the client's keep the window full
        // meanwhile, so the publisher cannot slip a copy of 1 in between the two PUBACKs (it does not know which
        // batches the client holds after a rewind).
        client.others(2);
        client.acknowledgeAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.acknowledgedIndex() == 2);
        client.others(0);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            client.acknowledgeAll();
            return publisher.acknowledgedIndex() == 4;
        });
        assertThat(client.sent()).as("what was acknowledged is not sent again").containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void heldCopiesGetAWholeTimeoutFromWhenTheyStopThePublisher_notFromAnEarlierPuback() throws Exception {
        start(4);
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L)));
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2); // nothing acknowledged since the connection
        publisher.resendUnacknowledged(); // the client's copies of 0 and 1 now fill the window
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L, 1L)));

        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2 + 1); // a timeout since the last PUBACK, half since the stop
        publisher.wake();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.reconnects().isEmpty());
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.reconnects().size() == 1);
    }

    @Test
    void heldPublishesWhileThePublisherHasNothingToSend_neverMakeTheLinkReconnect() throws Exception {
        start(2);
        publisher.connected(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L, 1L)));
        publisher.resendUnacknowledged(); // the client's copies of 0 and 1 fill the window and stop the publisher
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L, 1L)));
        // Their PUBACKs acknowledge everything, so nothing is left to send; other publishes of the client's
        // (handovers) keep the window full meanwhile and stay in flight.
        client.others(2);
        client.acknowledgeAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.acknowledgedIndex() == 2);
        assertThat(client.sent()).containsExactly(0L, 1L);

        // Idle for a while with the handovers in flight: nothing of the publisher's waits, so no reconnect.
        nanos.addAndGet(2 * PUBLISH_TIMEOUT.toNanos());
        publisher.wake();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> client.reconnects().isEmpty());
    }

    @Test
    void aLateBatchTheClientNoLongerHolds_isSentAgain() throws Exception {
        start(2);
        publisher.connected(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L)));
        client.lose(0); // gone from the client without a word: a new connection would not bring it back

        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() + 1);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().size() == 2);
        assertThat(client.sent()).as("entry 0 sent again").containsExactly(0L, 0L);
        assertThat(client.reconnects()).isEmpty();
    }

    @Test
    void whileTheLinkIsDown_nothingTimesOut_andTheTimeoutStartsOverOnTheNextConnection() throws Exception {
        start(2);
        publisher.connected(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent().equals(List.of(0L)));
        client.connectionLost();
        publisher.disconnected();
        nanos.addAndGet(2 * PUBLISH_TIMEOUT.toNanos());
        publisher.wake();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L)) && client.reconnects().isEmpty());

        client.reconnected();
        publisher.connected(1);
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2);
        publisher.wake();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.sent().equals(List.of(0L)) && client.reconnects().isEmpty());
        nanos.addAndGet(PUBLISH_TIMEOUT.toNanos() / 2 + 1);
        publisher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.reconnects().size() == 1);
    }

    /** Keeps every publish until acknowledged, like Paho; the publisher's callbacks are called as Paho calls them. */
    private static final class FakeClient implements Publisher.Transport {
        private record Held(long entry, MqttActionListener callback, IMqttToken token) {
        }

        private final List<Long> sent = new CopyOnWriteArrayList<>();
        private final List<Held> held = new CopyOnWriteArrayList<>();
        private final List<String> reconnects = new CopyOnWriteArrayList<>();
        private volatile boolean connected = true;
        private volatile int others;

        @Override
        public IMqttToken publish(String topic, byte[] payload, MqttActionListener callback) throws MqttException {
            if (!connected) {
                throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
            }
            long entry = CODEC.decodeBatch(payload, EpochResolver.GENESIS_ONLY).records().get(0).id().sequence() - 1;
            sent.add(entry);
            MqttToken token = new MqttToken("fake");
            held.add(new Held(entry, callback, token));
            return token;
        }

        /** Only recorded: the test plays the link's part (drop, reconnect) itself. */
        @Override
        public void reconnect(String reason) {
            reconnects.add(reason);
        }

        List<String> reconnects() {
            return List.copyOf(reconnects);
        }

        /** Forgets the {@code i}-th publish still held, without calling back. */
        void lose(int i) {
            held.remove(i);
        }

        @Override
        public int held() {
            return held.size() + others;
        }

        /** The client's other publishes in flight (handovers, their acknowledgements), counted in {@link #held}. */
        void others(int n) {
            others = n;
        }

        @Override
        public boolean stillHolds(IMqttToken token) {
            return held.stream().anyMatch(h -> h.token() == token);
        }

        void reconnected() {
            connected = true;
        }

        List<Long> sent() {
            return List.copyOf(sent);
        }

        /**
         * Paho refuses publishes from now on, fails every in-flight publish's token with the reason for the drop
         * (before the link hears of the drop) and keeps the publishes.
         */
        void connectionLost() {
            connected = false;
            for (Held h : held) {
                h.callback().onFailure(h.token(), new IllegalStateException("Connection lost"));
            }
        }

        /** The PUBACKs for every publish held now. */
        void acknowledgeAll() {
            for (int i = held.size(); i > 0; i--) {
                acknowledge(0);
            }
        }

        /** The PUBACK for the {@code i}-th publish still held, oldest first. */
        void acknowledge(int i) {
            Held h = held.remove(i);
            h.callback().onSuccess(h.token());
        }
    }
}
