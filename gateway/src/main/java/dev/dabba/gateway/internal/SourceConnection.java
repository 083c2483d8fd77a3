package dev.dabba.gateway.internal;

import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.gateway.connect.MqttSourceConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection of a source task: a Paho MQTT 5 client with manual acknowledgements and a persistent session,
 * the queue of messages received over it, and the tracker that releases their PUBACKs in arrival order.
 *
 * <p>A connection is used once: when it is lost it is discarded with everything it holds, and the task opens a new
 * one under the same client id, so the broker resumes the session and redelivers every message that was not
 * acknowledged. Acknowledgements of the old connection's messages are then dropped (its tracker is closed), which
 * can never acknowledge a packet identifier the broker has since given to another message.
 */
public final class SourceConnection implements MqttCallback, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceConnection.class);
    /** Records are read at QoS 1 at most: Paho 1.2.5 does not defer QoS 2 acknowledgements in manual-ack mode. */
    private static final int SUBSCRIPTION_QOS = 1;

    /** A message received and not yet handed to Kafka. */
    public record Inbound(OrderedAckTracker.Delivery delivery, String topic, byte[] payload, String publisherId,
            Instant receivedAt) {
    }

    private final MqttSourceConfig config;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final MqttAsyncClient client;
    private final OrderedAckTracker tracker;
    private final BlockingQueue<Inbound> inbox;
    private final String identityProperty;
    private volatile boolean lost;
    private volatile boolean closed;

    private SourceConnection(MqttSourceConfig config, GatewayMetrics metrics, Clock clock) throws MqttException {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.client = PahoClients.client(config.mqtt());
        this.tracker = new OrderedAckTracker(this::acknowledge);
        // The broker sends at most receiveMaximum unacknowledged QoS 1 messages; the rest of the room is for QoS 0.
        this.inbox = new LinkedBlockingQueue<>(config.receiveMaximum() + 1_024);
        this.identityProperty = config.identity().userProperty();
    }

    /** Connects (resuming the session if the broker has one) and subscribes; fails with the broker's reason. */
    public static SourceConnection open(MqttSourceConfig config, GatewayMetrics metrics, Clock clock)
            throws MqttException {
        SourceConnection c = new SourceConnection(config, metrics, clock);
        try {
            c.connect();
            return c;
        } catch (MqttException | RuntimeException e) {
            c.closeAbruptly();
            throw e;
        }
    }

    private void connect() throws MqttException {
        client.setManualAcks(true);
        client.setCallback(this);
        MqttConnectionOptions options = PahoClients.options(config.mqtt());
        options.setCleanStart(false);
        options.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
        options.setReceiveMaximum(config.receiveMaximum());
        long timeout = config.mqtt().connectionTimeout().toMillis();
        IMqttToken connAck = client.connect(options);
        connAck.waitForCompletion(timeout);
        metrics.mqttConnected();
        String filter = config.subscription();
        IMqttToken subAck = client.subscribe(new MqttSubscription(filter, SUBSCRIPTION_QOS));
        subAck.waitForCompletion(timeout);
        PahoClients.requireGranted(subAck, filter);
        LOG.info("gateway source {} subscribed to {} on {} (session present: {}, receive maximum {})",
                config.mqtt().clientId(), filter, client.getCurrentServerURI(), connAck.getSessionPresent(),
                config.receiveMaximum());
    }

    /** The tracker of this connection's messages. */
    public OrderedAckTracker tracker() {
        return tracker;
    }

    /** Whether the connection was lost; a lost connection delivers nothing more and acknowledges nothing. */
    public boolean isLost() {
        return lost;
    }

    /**
     * Waits up to {@code timeout} for the first message, then takes whatever else is queued, up to {@code max}.
     *
     * @return the messages in arrival order, empty if none came
     */
    public List<Inbound> take(int max, Duration timeout) throws InterruptedException {
        Inbound first = inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        List<Inbound> out = new ArrayList<>(Math.min(max, inbox.size() + 1));
        out.add(first);
        inbox.drainTo(out, max - 1);
        return out;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
        if (closed || lost) {
            return;
        }
        OrderedAckTracker.Delivery d = tracker.arrived(message.getId(), message.getQos());
        byte[] payload = message.getPayload();
        metrics.messageReceived(payload.length);
        inbox.put(new Inbound(d, topic, payload, publisherId(message.getProperties()), clock.instant()));
    }

    private String publisherId(MqttProperties properties) {
        if (properties == null || properties.getUserProperties() == null) {
            return null;
        }
        String found = null;
        for (UserProperty p : properties.getUserProperties()) {
            if (identityProperty.equals(p.getKey())) {
                // Several values can only come from a client trying to smuggle one past the broker's stamp: keep
                // them all, so that the identity check fails on them.
                found = found == null ? p.getValue() : found + ", " + p.getValue();
            }
        }
        return found;
    }

    private void acknowledge(OrderedAckTracker.Delivery d) {
        if (d.qos() == 0 || closed || lost) {
            return;
        }
        try {
            client.messageArrivedComplete(d.messageId(), d.qos());
            metrics.messageAcknowledged();
        } catch (MqttException | RuntimeException e) {
            // Not acknowledged: the broker redelivers the message on the next connection.
            LOG.warn("gateway source {} could not acknowledge {}: {}", config.mqtt().clientId(), d, e.toString());
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        markLost("disconnected by the broker: " + response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        markLost("MQTT error: " + exception);
    }

    private void markLost(String why) {
        if (closed || lost) {
            return;
        }
        lost = true;
        tracker.close();
        metrics.mqttConnectionLost();
        LOG.warn("gateway source {} lost its MQTT connection ({}); unacknowledged messages will be redelivered",
                config.mqtt().clientId(), why);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    /**
     * Disconnects cleanly after waiting up to {@code drain} for what was handed to Kafka to be acknowledged; the
     * session and every unacknowledged message stay with the broker.
     */
    public void closeGracefully(Duration drain) {
        if (closed) {
            return;
        }
        try {
            if (!lost && !tracker.awaitHandedOut(drain)) {
                LOG.info("gateway source {} stops with messages still waiting for Kafka; the broker will redeliver "
                        + "them", config.mqtt().clientId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        tracker.close();
        try {
            if (client.isConnected()) {
                client.disconnect(config.mqtt().connectionTimeout().toMillis())
                        .waitForCompletion(config.mqtt().connectionTimeout().toMillis());
            }
        } catch (MqttException e) {
            LOG.debug("gateway source {} disconnect failed: {}", config.mqtt().clientId(), e.toString());
        }
        closeClient();
    }

    /** Drops the connection at once, without DISCONNECT and without acknowledging anything more: a crash. */
    public void closeAbruptly() {
        closed = true;
        tracker.close();
        try {
            client.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("gateway source {} forced disconnect: {}", config.mqtt().clientId(), e.toString());
        }
        closeClient();
    }

    private void closeClient() {
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("gateway source {} close: {}", config.mqtt().clientId(), e.toString());
        }
    }

    @Override
    public void close() {
        closeGracefully(config.shutdownDrain());
    }
}
