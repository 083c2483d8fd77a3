package dev.dabba.agent;

import dev.dabba.clock.ClockSkewException;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent on one tower: stamps usage records with the tower's clocks ({@link TowerClock}), publishes them in
 * batches over MQTT 5 with QoS 1, and exchanges clocks with neighbouring towers on handover.
 *
 * <p>This first cut keeps unpublished records in memory; the durable outbox comes with the edge-agent issue.
 */
public final class TowerAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TowerAgent.class);
    private static final int QOS_AT_LEAST_ONCE = 1;
    private static final long SESSION_EXPIRY_SECONDS = 3_600L;

    private final AgentConfig config;
    private final Clock wallClock;
    private final MqttAsyncClient client;
    private final TowerClock towerClock;
    private final RecordCodec codec = RecordCodec.standard();
    private final EpochRegistry epochs = new EpochRegistry();
    private final Object lock = new Object();
    private final List<UsageRecord> pending = new ArrayList<>();
    private final Map<Msisdn, BlockingQueue<Handover>> handovers = new ConcurrentHashMap<>();

    private TowerAgent(AgentConfig config, Clock wallClock) throws MqttException {
        this.config = config;
        this.wallClock = wallClock;
        this.towerClock = new TowerClock(config.node(), new HybridLogicalClock(wallClock, config.maxClockOffset()));
        this.client = new MqttAsyncClient(config.brokerUri(), config.clientId(), new MemoryPersistence());
    }

    /** Connects to the broker, subscribes to this tower's handovers and announces it online. */
    public static TowerAgent start(AgentConfig config, Clock wallClock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(wallClock, "wallClock");
        try {
            TowerAgent agent = new TowerAgent(config, wallClock);
            agent.connect();
            return agent;
        } catch (MqttException e) {
            throw new AgentException(config.node() + ": cannot connect to " + config.brokerUri() + ": " + e, e);
        }
    }

    private void connect() throws MqttException {
        client.setCallback(new Callback());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        options.setAutomaticReconnect(true);
        options.setKeepAliveInterval(30);
        if (config.username() != null) {
            options.setUserName(config.username());
        }
        if (config.password() != null) {
            options.setPassword(config.password().getBytes(StandardCharsets.UTF_8));
        }
        MqttMessage will = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8));
        will.setQos(QOS_AT_LEAST_ONCE);
        will.setRetained(true);
        options.setWill(config.topics().status(config.node()), will);
        long timeout = config.publishTimeout().toMillis();
        client.connect(options).waitForCompletion(timeout);
        client.subscribe(config.topics().handover(config.node()), QOS_AT_LEAST_ONCE).waitForCompletion(timeout);
        client.publish(config.topics().status(config.node()), "online".getBytes(StandardCharsets.UTF_8),
                QOS_AT_LEAST_ONCE, true).waitForCompletion(timeout);
        LOG.info("{} connected to {}", config.node(), config.brokerUri());
    }

    /** The node this agent stamps records as. */
    public NodeId node() {
        return config.node();
    }

    /** The tower's current vector clock. */
    public VectorClock clock() {
        synchronized (lock) {
            return towerClock.clock();
        }
    }

    /**
     * Stamps a usage record: ticks the tower's own clock entry and its hybrid clock, and queues the record for the
     * next {@link #flush()}.
     */
    public UsageRecord record(Msisdn subscriber, Instant start, Usage usage) {
        synchronized (lock) {
            UsageRecord record = towerClock.stamp(subscriber, start, usage);
            pending.add(record);
            return record;
        }
    }

    /**
     * Publishes every queued record, in batches of at most {@code maxBatchRecords}, and waits for the broker to
     * acknowledge each; records stay queued if a publish fails.
     *
     * @return the number of records published
     */
    public int flush() {
        int published = 0;
        while (true) {
            List<UsageRecord> batch;
            synchronized (lock) {
                if (pending.isEmpty()) {
                    return published;
                }
                batch = List.copyOf(pending.subList(0, Math.min(pending.size(), config.maxBatchRecords())));
            }
            byte[] payload = codec.encodeBatch(new RecordBatch(config.node(), batch));
            publish(config.topics().records(config.node()), payload);
            synchronized (lock) {
                pending.subList(0, batch.size()).clear();
            }
            published += batch.size();
        }
    }

    /** The number of records stamped but not yet acknowledged by the broker. */
    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /**
     * Hands {@code subscriber} over to tower {@code target}: publishes this tower's clocks to it, so the target
     * merges them before stamping the subscriber's next record. Queued records are flushed first.
     */
    public Handover handOver(Msisdn subscriber, NodeId target) {
        flush();
        Handover handover;
        synchronized (lock) {
            handover = towerClock.handover(subscriber, target);
        }
        publish(config.topics().handover(target), codec.encodeHandover(handover));
        LOG.debug("{} handed {} over to {} with clock {}", config.node(), subscriber, target, handover.clock());
        return handover;
    }

    /**
     * Waits until a handover of {@code subscriber} to this tower has been received and merged.
     *
     * @throws AgentException if none arrives within {@code timeout}
     */
    public Handover awaitHandover(Msisdn subscriber, Duration timeout) {
        try {
            Handover h = queueFor(subscriber).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (h == null) {
                throw new AgentException(config.node() + ": no handover of " + subscriber + " arrived within "
                        + timeout);
            }
            return h;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(config.node() + ": interrupted waiting for a handover of " + subscriber, e);
        }
    }

    /** Merges a handover from a neighbour: a receive event, so the clock learns but does not tick. */
    void receive(Handover handover) {
        if (!handover.to().equals(config.node())) {
            LOG.warn("{} ignored a handover addressed to {}", config.node(), handover.to());
            return;
        }
        synchronized (lock) {
            try {
                towerClock.receive(handover);
            } catch (ClockSkewException e) {
                LOG.warn("{} merged a handover from {} but not its skewed hybrid timestamp: {}", config.node(),
                        handover.from(), e.getMessage());
            }
        }
        queueFor(handover.subscriber()).add(handover);
    }

    private BlockingQueue<Handover> queueFor(Msisdn subscriber) {
        return handovers.computeIfAbsent(subscriber, k -> new LinkedBlockingQueue<>());
    }

    private void publish(String topic, byte[] payload) {
        try {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(QOS_AT_LEAST_ONCE);
            IMqttToken token = client.publish(topic, message);
            token.waitForCompletion(config.publishTimeout().toMillis());
        } catch (MqttException e) {
            throw new AgentException(config.node() + ": publish to " + topic + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.publish(config.topics().status(config.node()), "offline".getBytes(StandardCharsets.UTF_8),
                        QOS_AT_LEAST_ONCE, true).waitForCompletion(config.publishTimeout().toMillis());
                client.disconnect().waitForCompletion(config.publishTimeout().toMillis());
            }
        } catch (MqttException e) {
            LOG.warn("{}: clean disconnect failed: {}", config.node(), e.toString());
        } finally {
            try {
                client.close(true);
            } catch (MqttException e) {
                LOG.warn("{}: close failed: {}", config.node(), e.toString());
            }
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (!topic.equals(config.topics().handover(config.node()))) {
                LOG.warn("{} ignored a message on unexpected topic {}", config.node(), topic);
                return;
            }
            try {
                receive(codec.decodeHandover(message.getPayload(), epochs));
            } catch (UnknownEpochException e) {
                // Epoch distribution to agents comes with the edge-agent issue; until then agents stay in genesis.
                LOG.error("{} cannot merge a handover on {} yet: {}", config.node(), topic, e.getMessage());
            } catch (WireFormatException e) {
                LOG.warn("{} rejected a malformed handover on {}: {}", config.node(), topic, e.getMessage());
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("{} disconnected from {}: {}", config.node(), config.brokerUri(), response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("{} MQTT error: {}", config.node(), exception.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (reconnect) {
                LOG.info("{} reconnected to {}", config.node(), serverUri);
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
