package dev.dabba.gateway.connect;

import dev.dabba.gateway.BatchTranslator;
import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.gateway.internal.ConnectMetrics;
import dev.dabba.gateway.internal.GatewayVersion;
import dev.dabba.gateway.internal.SourceConnection;
import dev.dabba.gateway.internal.TrackedSourceRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads record batches from MQTT and hands Connect one Kafka record per usage record (or one dead letter per bad
 * message), acknowledging each MQTT message only after Kafka acknowledged every record made from it, in arrival
 * order.
 *
 * <p>Connect calls {@link #commitRecord(SourceRecord, RecordMetadata)} once per record after the producer's
 * acknowledgement (after the transaction commits on an exactly-once worker); each call counts the record's message
 * down, and PUBACKs go out when the oldest messages have nothing outstanding. When the MQTT connection is lost the
 * task drops everything received over it and reconnects with backoff under the same client id: the broker resumes
 * the persistent session and redelivers what was not acknowledged. Delivery is therefore at-least-once, and a
 * redelivered record carries the same event id (and the same bytes) as its first copy.
 *
 * <p>The embedded runner ({@code dev.dabba.gateway.EmbeddedGateway}) runs this same class without a worker.
 */
public final class MqttSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSourceTask.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

    private final Clock clock;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private MqttSourceConfig config;
    private BatchTranslator translator;
    private ConnectMetrics registered;
    private volatile SourceConnection connection;
    private volatile boolean stopping;
    private Duration backoff = FIRST_BACKOFF;
    private long nextAttemptNanos;

    /** The constructor Connect uses: wall-clock receive times. */
    public MqttSourceTask() {
        this(Clock.systemUTC());
    }

    /** A task stamping received messages with {@code clock}. */
    public MqttSourceTask(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String version() {
        return GatewayVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new MqttSourceConfig(props);
        translator = config.translator();
        metrics.inFlightGauge(() -> {
            SourceConnection c = connection;
            return c == null ? 0 : c.tracker().inFlight();
        });
        registered = ConnectMetrics.register(context, metrics);
        try {
            connection = SourceConnection.open(config, metrics, clock);
        } catch (MqttException e) {
            throw new ConnectException("gateway source " + config.mqtt().clientId() + " cannot connect to "
                    + config.mqtt().serverUris() + ": " + describe(e), e);
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        ConnectMetrics taskMetrics = registered;
        if (taskMetrics != null) {
            taskMetrics.retryPending(); // names an earlier instance of this task held at start()
        }
        SourceConnection c = connection;
        if (c == null || c.isLost()) {
            c = reconnect(c);
            if (c == null) {
                return null;
            }
        }
        List<SourceConnection.Inbound> messages = c.take(config.pollMaxMessages(), config.pollTimeout());
        if (messages.isEmpty()) {
            return null;
        }
        List<SourceRecord> out = new ArrayList<>();
        for (SourceConnection.Inbound m : messages) {
            BatchTranslator.Translation t = translator.translate(m.topic(), m.payload(), m.publisherId(),
                    m.receivedAt());
            if (t instanceof BatchTranslator.Rejected) {
                BatchTranslator.Rejected r = (BatchTranslator.Rejected) t;
                metrics.messageRejected(r.reason());
                LOG.warn("gateway source {} dead-letters a message on {}: {}", config.mqtt().clientId(), m.topic(),
                        r.message());
                out.add(TrackedSourceRecord.of(r.deadLetter(), m.delivery(), r.reason()));
            } else {
                for (ProducerRecord<byte[], byte[]> record : t.records()) {
                    out.add(TrackedSourceRecord.of(record, m.delivery(), null));
                }
            }
            m.delivery().expect(t.records().size());
        }
        return out;
    }

    private SourceConnection reconnect(SourceConnection lost) throws InterruptedException {
        if (lost != null) {
            lost.closeAbruptly();
            connection = null;
        }
        long wait = nextAttemptNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Math.min(config.pollTimeout().toMillis(), Math.max(1, wait / 1_000_000)));
            return null;
        }
        if (stopping) {
            return null;
        }
        try {
            SourceConnection c = SourceConnection.open(config, metrics, clock);
            connection = c;
            backoff = FIRST_BACKOFF;
            return c;
        } catch (MqttException e) {
            LOG.warn("gateway source {} cannot reconnect to {} ({}); next attempt in {} ms", config.mqtt().clientId(),
                    config.mqtt().serverUris(), describe(e), backoff.toMillis());
            nextAttemptNanos = System.nanoTime() + backoff.toNanos();
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(config.reconnectBackoffMax()) > 0 ? config.reconnectBackoffMax() : doubled;
            return null;
        }
    }

    /**
     * Counts one record of its MQTT message as acknowledged by Kafka. {@code metadata} is null when a
     * transformation dropped the record, which is as final as a write; the connector refuses
     * {@code errors.tolerance=all}, the one other case where Connect passes null (a record it failed to write).
     */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (!(record instanceof TrackedSourceRecord)) {
            return;
        }
        TrackedSourceRecord tracked = (TrackedSourceRecord) record;
        if (metadata != null) {
            if (tracked.isDeadLetter()) {
                metrics.deadLetterWritten();
            } else {
                metrics.recordWritten();
            }
        }
        try {
            tracked.delivery().recordAcknowledged();
        } catch (IllegalStateException e) {
            LOG.error("gateway source {}: {}", config.mqtt().clientId(), e.getMessage());
        }
    }

    /**
     * Stops: waits up to {@code mqtt.shutdown.drain.ms} for Kafka to acknowledge what was handed over (so those
     * messages are acknowledged rather than redelivered), then disconnects, leaving the session with the broker.
     */
    @Override
    public void stop() {
        stopping = true;
        SourceConnection c = connection;
        if (c != null) {
            c.closeGracefully(config.shutdownDrain());
        }
        if (registered != null) {
            registered.close();
            registered = null;
        }
    }

    /**
     * Drops the MQTT connection at once without acknowledging anything more, as a crash would; for the embedded
     * runner's {@code halt()}. Everything unacknowledged is redelivered to the next task with this client id.
     */
    public void kill() {
        stopping = true;
        SourceConnection c = connection;
        if (c != null) {
            c.closeAbruptly();
        }
    }

    /** This task's counters. */
    public GatewayMetrics metrics() {
        return metrics;
    }

    private static String describe(MqttException e) {
        return e.getMessage() + " (reason code " + e.getReasonCode() + ")"
                + (e.getCause() != null ? ": " + e.getCause().getMessage() : "");
    }
}
