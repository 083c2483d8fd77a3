package dev.dabba.gateway.connect;

import dev.dabba.clock.Epoch;
import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.gateway.internal.ConnectMetrics;
import dev.dabba.gateway.internal.GatewayVersion;
import dev.dabba.gateway.internal.MonotoneEpochGate;
import dev.dabba.gateway.internal.PahoClients;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.WireFormatException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays epoch announcements from Kafka ({@code dabba.epochs}, value = {@code RecordCodec.encodeEpoch} bytes) to
 * the agents as the retained MQTT message on {@code ROOT/epochs}, only ever moving forward.
 *
 * <p>On start it reads the retained announcement from the broker and never publishes anything older; while running
 * it stays subscribed, so epochs another relay announced count too. Of each batch of Kafka records it publishes only
 * the newest epoch that extends the announced one (QoS 1, retained) and waits for the broker's acknowledgement
 * before Connect commits the offsets; a failed publish is retried by Connect. Older epochs are skipped (replays are
 * normal), undecodable or non-monotone ones go to Connect's errant-record reporter (the dead-letter topic) and are
 * counted. When the broker has no retained announcement at all (a new or wiped broker) the task re-reads the
 * compacted topic from the start so that the newest epoch is announced again.
 */
public final class EpochSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(EpochSinkTask.class);
    private static final int QOS = 1;

    private final RecordCodec codec = RecordCodec.standard();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final MonotoneEpochGate gate = new MonotoneEpochGate();
    private final Object gateLock = new Object();
    private EpochSinkConfig config;
    private MqttAsyncClient client;
    private ConnectMetrics registered;
    private String topic;

    @Override
    public String version() {
        return GatewayVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new EpochSinkConfig(props);
        topic = config.mqtt().topics().epochs();
        registered = ConnectMetrics.register(context, metrics);
        try {
            connect();
        } catch (MqttException e) {
            close();
            throw new ConnectException("epoch relay " + config.mqtt().clientId() + " cannot connect to "
                    + config.mqtt().serverUris() + ": " + e.getMessage() + " (reason code " + e.getReasonCode()
                    + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new ConnectException("interrupted while starting the epoch relay", e);
        }
    }

    private void connect() throws MqttException, InterruptedException {
        client = PahoClients.client(config.mqtt());
        MqttConnectionOptions options = PahoClients.options(config.mqtt());
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        long timeout = config.mqtt().connectionTimeout().toMillis();
        client.connect(options).waitForCompletion(timeout);
        metrics.mqttConnected();
        CountDownLatch retained = new CountDownLatch(1);
        // A client-wide callback: Paho 1.2.5 fails on per-subscription listeners without subscription identifiers.
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String t, MqttMessage message) {
                learn(message);
                retained.countDown();
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
                LOG.warn("epoch relay disconnected: {}", response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                LOG.warn("epoch relay MQTT error: {}", exception.toString());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                if (reconnect) {
                    metrics.mqttConnected();
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        IMqttToken subAck = client.subscribe(new MqttSubscription(topic, QOS));
        subAck.waitForCompletion(timeout);
        PahoClients.requireGranted(subAck, topic);
        if (!retained.await(config.retainedWait().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.info("epoch relay found no retained announcement on {} within {} ms", topic,
                    config.retainedWait().toMillis());
        }
    }

    private void learn(MqttMessage message) {
        if (message.getPayload().length == 0) {
            return;
        }
        try {
            Epoch e = codec.decodeEpoch(message.getPayload());
            synchronized (gateLock) {
                gate.learnt(e);
            }
            metrics.epochKnown(e.number());
        } catch (WireFormatException | IllegalArgumentException ex) {
            LOG.warn("epoch relay ignores an undecodable announcement on {}: {}", topic, ex.getMessage());
        }
    }

    /** Without a retained announcement on the broker, re-reads the (compacted) topic so the newest is relayed. */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        boolean known;
        synchronized (gateLock) {
            known = gate.announced().isPresent();
        }
        if (!known) {
            for (TopicPartition tp : partitions) {
                context.offset(tp, 0L);
            }
            LOG.info("epoch relay re-reads {} from the start: the broker announces no epoch yet", partitions);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        ConnectMetrics taskMetrics = registered;
        if (taskMetrics != null) {
            taskMetrics.retryPending(); // names an earlier instance of this task held at start()
        }
        if (records.isEmpty()) {
            return;
        }
        Epoch toPublish;
        synchronized (gateLock) {
            for (SinkRecord r : records) {
                if (r.value() == null) {
                    continue; // a tombstone retiring an old epoch: nothing to announce
                }
                if (!(r.value() instanceof byte[])) {
                    reject(r, "value is a " + r.value().getClass().getName() + ", not bytes: set value.converter to "
                            + "ByteArrayConverter");
                    continue;
                }
                MonotoneEpochGate.Decision d = gate.offer((byte[]) r.value());
                switch (d.verdict()) {
                    case STALE:
                        metrics.epochStale();
                        break;
                    case REJECT:
                        reject(r, d.reason());
                        break;
                    default:
                        break;
                }
            }
            toPublish = gate.pending().orElse(null);
        }
        if (toPublish == null) {
            return;
        }
        try {
            MqttMessage message = new MqttMessage(codec.encodeEpoch(toPublish));
            message.setQos(QOS);
            message.setRetained(true);
            client.publish(topic, message).waitForCompletion(config.publishTimeout().toMillis());
        } catch (MqttException | RuntimeException e) {
            synchronized (gateLock) {
                gate.abandon();
            }
            throw new RetriableException("epoch relay could not publish epoch " + toPublish.number() + " to " + topic
                    + ": " + e.getMessage(), e);
        }
        synchronized (gateLock) {
            gate.published();
        }
        metrics.epochPublished(toPublish.number());
        LOG.info("epoch relay announced epoch {} on {} (retained)", toPublish.number(), topic);
    }

    private void reject(SinkRecord r, String reason) {
        metrics.epochRejected();
        LOG.warn("epoch relay rejects {}-{}@{}: {}", r.topic(), r.kafkaPartition(), r.kafkaOffset(), reason);
        ErrantRecordReporter reporter;
        try {
            reporter = context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            reporter = null;
        }
        if (reporter != null) {
            reporter.report(r, new DataException(reason));
        }
    }

    @Override
    public void stop() {
        close();
    }

    private void close() {
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(config.mqtt().connectionTimeout().toMillis());
                }
                client.close(true);
            } catch (MqttException | RuntimeException e) {
                LOG.debug("epoch relay close: {}", e.toString());
            }
            client = null;
        }
        if (registered != null) {
            registered.close();
            registered = null;
        }
    }

    /** This task's counters. */
    public GatewayMetrics metrics() {
        return metrics;
    }
}
