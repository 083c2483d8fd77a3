package dev.dabba.agent.internal.mqtt;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfig.MqttSettings;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.record.NoDelaySocketFactory;
import dev.dabba.record.NoDelaySslSocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.internal.MqttConnectionState;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's MQTT 5 connection (Paho): a persistent session (clean start off, a session expiry), QoS 1, a retained
 * {@code online}/{@code offline} status with a last will, and reconnection with exponential backoff and jitter
 * (Paho's own automatic reconnect is off: it has no jitter).
 *
 * <p>Incoming messages are acknowledged manually: the handler calls the completion it is given once it has
 * processed the message durably, and only then does the broker hear the PUBACK, so a message is never lost to a
 * crash in between.
 */
public final class MqttLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttLink.class);
    /** Publishes to keep free of the broker's receive maximum for handovers, acks and status. */
    private static final int RESERVED_INFLIGHT = 2;
    /** MQTT 5 DISCONNECT reason codes: normal (the will is discarded), and "disconnect with will message". */
    private static final int DISCONNECT_NORMALLY = 0x00;
    private static final int DISCONNECT_WITH_WILL = 0x04;
    /**
     * The longest {@link #close} waits for the offline status, and then for in-flight publishes before it
     * disconnects (at most {@code mqtt.publishTimeout} each): the agent's systemd unit allows 30 s for a stop.
     */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** What the link tells its owner. */
    public interface Listener {
        /** Connected (and subscribed); {@code window} is how many batches may be in flight. */
        void connected(boolean sessionPresent, int window);

        /** The connection was lost or could not be made. */
        void disconnected(String reason);

        /** A message arrived; call {@code complete} once it has been handled, to acknowledge it to the broker. */
        void messageArrived(String topic, MqttMessage message, Runnable complete);

        /** A publish was acknowledged, so an in-flight slot is free again (called on the client's thread). */
        default void publishCompleted() {
        }
    }

    private final AgentConfig config;
    private final MqttSettings mqtt;
    private final List<String> subscriptions;
    private final Listener listener;
    private final MqttAsyncClient client;
    private final ScheduledExecutorService connector;
    private final Backoff backoff;
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private final Metrics.Counter reconnects;
    private final Metrics.Counter losses;
    private final Metrics.Counter failures;
    private final Metrics.Counter stalls;
    private volatile boolean connected;
    private volatile boolean closing;
    private volatile String lastError = "not connected yet";
    private boolean everConnected;
    private boolean aliasWarningLogged;
    /** The online status could not go out on this connection yet (see {@link #announceOnline}). */
    private volatile boolean onlineOwed;
    private static final java.lang.reflect.Field CONNECTION_STATE = connectionStateField();
    private java.util.concurrent.ScheduledFuture<?> pendingAttempt;
    /** The online status is not waited for; a failure only means Paho sends it again on the next connection. */
    private final MqttActionListener statusListener = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            LOG.debug("{}: online status acknowledged", config.node());
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
            LOG.debug("{}: online status not acknowledged on this connection: {}", config.node(), String.valueOf(e));
        }
    };

    public MqttLink(AgentConfig config, List<String> subscriptions, Listener listener, Metrics metrics,
            DoubleSupplier random) {
        this.config = config;
        this.mqtt = config.mqtt();
        this.subscriptions = List.copyOf(subscriptions);
        this.listener = listener;
        this.backoff = new Backoff(mqtt.reconnect(), random);
        this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dabba-mqtt-connect-" + config.node());
            t.setDaemon(true);
            return t;
        });
        this.reconnects = metrics.counter("dabba_agent_mqtt_reconnects_total",
                "Successful connections after the first one.");
        this.losses = metrics.counter("dabba_agent_mqtt_connection_losses_total", "Connections lost.");
        this.failures = metrics.counter("dabba_agent_mqtt_connect_failures_total", "Connection attempts that failed.");
        this.stalls = metrics.counter("dabba_agent_mqtt_stall_reconnects_total",
                "Connections the agent dropped itself because PUBACKs stopped coming on them (reconnected at once).");
        metrics.gauge("dabba_agent_mqtt_connected", "1 while connected to the broker.", () -> connected ? 1 : 0);
        metrics.gauge("dabba_agent_mqtt_held_publishes",
                "Publishes the MQTT client holds until their PUBACK, resent on every reconnect.", this::heldPublishes);
        try {
            this.client = new MqttAsyncClient(mqtt.brokerUri(), config.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("mqtt.brokerUri: " + e.getMessage(), e);
        }
        client.setManualAcks(true);
        client.setCallback(new Callback());
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        connector.execute(this::attempt);
    }

    /** Waits for the first successful connection; false if it did not happen in time. */
    public boolean awaitFirstConnection(Duration timeout) throws InterruptedException {
        return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the link is connected now. */
    public boolean isConnected() {
        return connected && client.isConnected();
    }

    /**
     * Publishes the MQTT client holds until their PUBACK, this connection's and earlier ones' (it sends those again on
     * every new connection of the session), the status included.
     */
    public int heldPublishes() {
        try {
            return client.getPendingTokens().length;
        } catch (RuntimeException e) {
            return 0; // closed: Paho has let its token store go
        }
    }

    /**
     * Whether the MQTT client still holds the publish of {@code token} until its PUBACK. Paho fails the tokens of a
     * dropped connection with the reason for the drop and keeps their publishes (the session is persistent), sending
     * them again on the next connection; a publish the broker refused, or one refused at once, is gone.
     */
    public boolean holds(IMqttToken token) {
        try {
            for (IMqttToken t : client.getPendingTokens()) {
                if (t == token) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return false; // closed
        }
    }

    /**
     * Drops the current connection and makes a new one, without waiting: for a connection that stays up but on
     * which the broker's PUBACKs stopped (a broker or a middlebox that lost packets; the keep-alive sees nothing
     * wrong). MQTT sends a publish again only on a new connection, so this is how the publishes the client holds go
     * again; a second copy published on the same connection would queue behind them. A broker that throttles the
     * tower (HiveMQ's overload protection stops reading from a publisher) looks the same from here, for as long as it
     * throttles; the publisher asks only after {@code mqtt.publishTimeout}, so such a broker sees at most one
     * reconnect, and one resend of what the client holds, per timeout. The link says DISCONNECT
     * normally (the broker keeps the session and drops the will, so the status stays {@code online}) and connects
     * again after the usual backoff. Nothing happens if the link is down or closing.
     */
    public void reconnect(String reason) {
        try {
            connector.execute(() -> dropForReconnect(reason));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void dropForReconnect(String reason) {
        if (closing || !connected || !client.isConnected()) {
            return;
        }
        stalls.increment();
        LOG.warn("{}: dropping the connection to {} and connecting again ({}); the MQTT client holds {}",
                config.node(), mqtt.brokerUri(), reason, describeHeld());
        try {
            client.disconnectForcibly(0, 1_000, DISCONNECT_NORMALLY, new MqttProperties());
        } catch (MqttException e) {
            LOG.debug("{}: dropping the connection: {}", config.node(), e.toString());
        }
        // Paho calls no callback for a disconnect of its own client's making
        lost("dropped by the agent: " + reason);
    }

    /** The publishes the client holds, by topic: how many, their message ids, how many carry a failure. */
    String describeHeld() {
        Map<String, List<String>> byTopic = new TreeMap<>();
        try {
            for (IMqttToken t : client.getPendingTokens()) {
                String[] topics = t.getTopics();
                String topic = topics == null || topics.length == 0 ? "?" : topics[0];
                byTopic.computeIfAbsent(topic, k -> new ArrayList<>())
                        .add(t.getMessageId() + (t.getException() == null ? "" : "!") + (t.isComplete() ? "c" : ""));
            }
        } catch (RuntimeException e) {
            return "nothing (closed)";
        }
        if (byTopic.isEmpty()) {
            return "nothing";
        }
        StringBuilder b = new StringBuilder();
        byTopic.forEach((topic, ids) -> b.append(b.length() == 0 ? "" : "; ").append(ids.size()).append(" on ")
                .append(topic).append(" (message ids ").append(String.join(" ", ids)).append(')'));
        return b.append(" (! failed on an earlier connection, c completed); written and unacknowledged on this"
                + " connection: ").append(client.getInFlightMessageCount()).toString();
    }

    /** Why the link is not connected, or what last went wrong. */
    public String lastError() {
        return lastError;
    }

    private void attempt() {
        pendingAttempt = null;
        if (closing || client.isConnected()) {
            return;
        }
        try {
            IMqttToken token = client.connect(options());
            token.waitForCompletion(mqtt.connectTimeout().toMillis());
            refuseOutgoingTopicAliases();
            boolean sessionPresent = token.getSessionPresent();
            MqttProperties response = token.getResponseProperties();
            Integer receiveMaximum = response == null ? null : response.getReceiveMaximum();
            MqttSubscription[] subs = subscriptions.stream().map(t -> new MqttSubscription(t, 1))
                    .toArray(MqttSubscription[]::new);
            if (subs.length > 0) {
                client.subscribe(subs).waitForCompletion(mqtt.connectTimeout().toMillis());
            }
            // Not waited for: Paho queues the status behind every publish it resends from the last connection, so
            // on a slow link its PUBACK can take longer than the connect timeout, and failing the connection for it
            // would requeue the same publishes ahead of the next status, for ever.
            if (announceOnline() == null) {
                LOG.info("{}: every in-flight slot is taken by publishes resent from the last connection; the online"
                        + " status goes once one is acknowledged", config.node());
            }
            int window = mqtt.inflightWindow();
            if (receiveMaximum != null) {
                window = Math.max(1, Math.min(window, receiveMaximum - RESERVED_INFLIGHT));
            }
            if (everConnected) {
                reconnects.increment();
            }
            everConnected = true;
            backoff.reset();
            connected = true;
            lastError = "";
            LOG.info("{} connected to {} (session {}, window {})", config.node(), mqtt.brokerUri(),
                    sessionPresent ? "resumed" : "new", window);
            firstConnect.countDown();
            listener.connected(sessionPresent, window);
        } catch (MqttException | RuntimeException e) {
            failures.increment();
            lastError = describe(e);
            try {
                // also when still connecting: a CONNECT the broker never answered (it hung, or a proxy in between
                // did) leaves Paho connecting for ever, refusing every later attempt ("Connect already in progress")
                client.disconnectForcibly(0, 1_000, false);
            } catch (MqttException dropFailed) {
                LOG.debug("{}: dropping the failed connection: {}", config.node(), dropFailed.toString());
            }
            scheduleReconnect("connecting to " + mqtt.brokerUri() + " failed: " + lastError);
        }
    }

    /**
     * Publishes the retained {@code online} status; null if every in-flight slot is taken, which happens when the
     * previous connection dropped with a full window: Paho resends those publishes first, and the status then goes
     * when one of them is acknowledged ({@link Callback#deliveryComplete}). Failing the connection instead would cut
     * the resends off before their acknowledgements, and the next connection would find the window full again.
     * Runs on the connector thread only.
     */
    private IMqttToken announceOnline() throws MqttException {
        onlineOwed = true;
        try {
            IMqttToken token = client.publish(mqtt.topics().status(config.node()),
                    "online".getBytes(StandardCharsets.UTF_8), 1, true, null, statusListener);
            onlineOwed = false;
            return token;
        } catch (MqttException e) {
            if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                throw e;
            }
            return null;
        }
    }

    private void announceOnlineIfOwed() {
        if (!onlineOwed || closing || !client.isConnected()) {
            return;
        }
        try {
            announceOnline();
        } catch (MqttException e) {
            LOG.debug("{}: publishing the online status failed: {}", config.node(), e.toString());
        }
    }

    /**
     * Stops Paho from replacing topic names with topic aliases on this connection. Paho 1.2.5 uses every alias the
     * broker's CONNACK allows, and stores an in-flight QoS 1 PUBLISH after it has stripped the topic name; after a
     * reconnect it resends that alias-only PUBLISH, which the new connection cannot map (aliases live for one
     * network connection), so the broker disconnects with reason 0x94 and the agent loops on reconnects for ever
     * (eclipse-paho/paho.mqtt.java#1104; Mosquitto and HiveMQ both allow aliases by default). Paho has no option to
     * turn them off, so the connection state's alias maximum is set to 0 before anything is published on it: every
     * PUBLISH keeps its topic name, at the cost of a few bytes per batch. It also matters for refused publishes: Paho
     * gives a new topic its alias before it checks its in-flight limit and keeps the alias when it refuses the publish
     * (32202, which the publisher retries), so the retry would go out with an alias the broker never learned and be
     * answered with DISCONNECT 0x82. If Paho's internals change, the agent logs an error and brokers should be
     * configured without aliases ({@code max_topic_alias 0} in Mosquitto).
     */
    private void refuseOutgoingTopicAliases() {
        if (CONNECTION_STATE == null) {
            if (!aliasWarningLogged) {
                aliasWarningLogged = true;
                LOG.error("{}: cannot turn off MQTT topic aliases in this Paho version; configure the broker with "
                        + "a topic alias maximum of 0, or a broker restart can leave the agent unable to reconnect",
                        config.node());
            }
            return;
        }
        try {
            ((MqttConnectionState) CONNECTION_STATE.get(client)).setOutgoingTopicAliasMaximum(0);
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.error("{}: cannot turn off MQTT topic aliases: {}", config.node(), e.toString());
        }
    }

    /** Whether outgoing topic aliases are off on the current connection (false before the first connection). */
    public boolean topicAliasesOff() {
        try {
            return CONNECTION_STATE != null
                    && Integer.valueOf(0).equals(((MqttConnectionState) CONNECTION_STATE.get(client))
                            .getOutgoingTopicAliasMaximum());
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    private static java.lang.reflect.Field connectionStateField() {
        try {
            java.lang.reflect.Field f = MqttAsyncClient.class.getDeclaredField("mqttConnection");
            f.setAccessible(true);
            return f.getType() == MqttConnectionState.class ? f : null;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    private void scheduleReconnect(String reason) {
        if (closing) {
            return;
        }
        if (pendingAttempt != null && !pendingAttempt.isDone()) {
            return;
        }
        Duration delay = backoff.nextDelay();
        LOG.warn("{}: {}; next attempt in {} ms (attempt {})", config.node(), reason, delay.toMillis(),
                backoff.failures() + 1);
        try {
            pendingAttempt = connector.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(mqtt.sessionExpiry().getSeconds());
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval((int) Math.min(65535, mqtt.keepAlive().getSeconds()));
        o.setConnectionTimeout((int) Math.max(1, mqtt.connectTimeout().getSeconds()));
        // Held handovers stay unacknowledged until their epoch is known; leave room for them and a few more.
        o.setReceiveMaximum(Math.min(65535, config.handover().maxHeld() + 16));
        if (mqtt.username() != null) {
            o.setUserName(mqtt.username());
        }
        if (mqtt.password() != null) {
            o.setPassword(mqtt.password().getBytes(StandardCharsets.UTF_8));
        }
        // Nagle off: handover clocks and their acks are small QoS 1 messages, each held back by it otherwise
        if (mqtt.tls() != null) {
            o.setSocketFactory(new NoDelaySslSocketFactory(Tls.socketFactory(mqtt.tls())));
            o.setHttpsHostnameVerificationEnabled(mqtt.tls().verifyHostname());
        } else if (NoDelaySocketFactory.servesAll(List.of(mqtt.brokerUri()))) {
            o.setSocketFactory(new NoDelaySocketFactory());
        }
        MqttMessage will = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        will.setRetained(true);
        o.setWill(mqtt.topics().status(config.node()), will);
        return o;
    }

    /**
     * Publishes with QoS {@code qos}; {@code callback} hears the PUBACK or the failure.
     *
     * @throws MqttException if Paho refuses at once (not connected, too many in flight); also "not connected" while
     *     a connection is being set up, until its topic aliases are off ({@link #refuseOutgoingTopicAliases}): a
     *     PUBLISH given an alias in that moment and then left in flight by a dropped connection was resent without
     *     its topic name on every later connection, and the broker refused each (reason 0x94), for ever
     */
    public IMqttToken publish(String topic, byte[] payload, int qos, boolean retained, MqttProperties properties,
            MqttActionListener callback) throws MqttException {
        if (!connected) {
            throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }
        MqttMessage message = new MqttMessage(payload, qos, retained, properties);
        return client.publish(topic, message, null, callback);
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            int id = message.getId();
            int qos = message.getQos();
            Runnable complete = () -> {
                if (qos > 0) {
                    try {
                        client.messageArrivedComplete(id, qos);
                    } catch (MqttException e) {
                        LOG.debug("{}: acknowledging message {} failed (it will be redelivered): {}", config.node(),
                                id, e.toString());
                    }
                }
            };
            try {
                listener.messageArrived(topic, message, complete);
            } catch (RuntimeException e) {
                LOG.error("{}: handling a message on {} failed; it stays unacknowledged and the broker will redeliver"
                        + " it", config.node(), topic, e);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            lost(response == null ? "disconnected" : "disconnected: " + response.getReasonString() + " ("
                    + response.getReturnCode() + ")"
                    + (response.getException() == null ? "" : " " + describe(response.getException())));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("{}: MQTT error: {}", config.node(), describe(exception));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            if (onlineOwed) {
                try {
                    connector.execute(MqttLink.this::announceOnlineIfOwed);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                }
            }
            listener.publishCompleted();
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private void lost(String reason) {
        if (connected) {
            losses.increment(); // counted before the link reads as down, so the two never disagree
        }
        lastError = reason;
        connected = false;
        listener.disconnected(reason);
        if (!closing) {
            connector.execute(() -> scheduleReconnect("connection lost (" + reason + ")"));
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause();
        return e.getMessage() + (cause != null && cause != e ? " (" + cause + ")" : "");
    }

    /**
     * Announces {@code offline}, disconnects and releases the client, within about {@link #CLOSE_WAIT} twice. The
     * status goes by itself only when the client holds no other publish: it would queue behind those, as the
     * {@code online} status does, so otherwise (or when it is not acknowledged in time) the link disconnects with
     * reason 0x04 and the broker publishes the will, the same retained {@code offline}. Publishes still unacknowledged
     * at the end are in the agent's outbox and go again after the restart.
     */
    @Override
    public void close() {
        closing = true;
        connector.shutdownNow();
        long wait = Math.min(mqtt.publishTimeout().toMillis(), CLOSE_WAIT.toMillis());
        try {
            if (client.isConnected()) {
                int reason = DISCONNECT_WITH_WILL;
                int held = heldPublishes();
                if (held == 0) {
                    try {
                        client.publish(mqtt.topics().status(config.node()),
                                "offline".getBytes(StandardCharsets.UTF_8), 1, true).waitForCompletion(wait);
                        reason = DISCONNECT_NORMALLY;
                    } catch (MqttException e) {
                        LOG.info("{}: the offline status did not go ({}); disconnecting with the last will",
                                config.node(), e.toString());
                    }
                } else {
                    LOG.info("{}: {} publishes unacknowledged; disconnecting with the last will, which says offline",
                            config.node(), held);
                }
                client.disconnect(wait, null, null, reason, new MqttProperties()).waitForCompletion(wait);
            }
        } catch (MqttException e) {
            LOG.warn("{}: clean disconnect failed: {}", config.node(), e.toString());
        } finally {
            connected = false;
            try {
                client.close(true);
            } catch (MqttException e) {
                LOG.debug("{}: close failed: {}", config.node(), e.toString());
            }
        }
    }
}
