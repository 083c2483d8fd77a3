package dev.dabba.gateway;

import dev.dabba.gateway.connect.EpochSinkTask;
import dev.dabba.gateway.connect.MqttSourceTask;
import dev.dabba.gateway.internal.EmbeddedPluginMetrics;
import dev.dabba.gateway.internal.SinkTaskRunner;
import dev.dabba.gateway.internal.SourceTaskRunner;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway without a Kafka Connect worker: runs the connector's own tasks ({@link MqttSourceTask}, and
 * {@link EpochSinkTask} for the return path) in this JVM, with the same acknowledgement, restart and commit
 * behaviour as a worker. For the demo, the tests, and single-host deployments ({@code dabba gateway}).
 *
 * <p>Metrics are the tasks' counters added up ({@link #metrics()}), also published over JMX in the domain
 * {@code dabba.gateway}.
 */
public final class EmbeddedGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedGateway.class);

    private final GatewayConfig config;
    private final Metrics jmx;
    private final List<SourceTaskRunner> sources = new ArrayList<>();
    private SinkTaskRunner relay;

    private EmbeddedGateway(GatewayConfig config) {
        this.config = config;
        this.jmx = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
                new KafkaMetricsContext("dabba.gateway"));
    }

    /** Starts the source tasks and the epoch relay; wall-clock receive times. */
    public static EmbeddedGateway start(GatewayConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Starts the source tasks and the epoch relay, failing with a {@link GatewayException} when any of them cannot
     * connect.
     *
     * @param clock stamps received messages (the Kafka records' timestamp)
     */
    public static EmbeddedGateway start(GatewayConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        EmbeddedGateway g = new EmbeddedGateway(config);
        try {
            for (int i = 0; i < config.sourceTasks(); i++) {
                String clientId = config.source(i).mqtt().clientId();
                g.sources.add(new SourceTaskRunner(clientId, config.sourceTaskProperties(i),
                        config.kafkaClientProperties(), () -> new MqttSourceTask(clock),
                        new EmbeddedPluginMetrics(g.jmx, clientId)));
            }
            if (config.epochRelay()) {
                String name = config.epochRelayProperties().get("mqtt.client.id");
                g.relay = new SinkTaskRunner(name, config.epochsTopic(), config.epochsGroup(),
                        config.source(0).deadLetterTopic(), config.epochRelayProperties(),
                        config.kafkaClientProperties(), new EpochSinkTask(), new EmbeddedPluginMetrics(g.jmx, name));
            }
        } catch (RuntimeException e) {
            g.close();
            throw new GatewayException("the gateway could not start: " + e.getMessage(), e);
        }
        LOG.info("gateway started: {} source task(s) on {}, epoch relay {}", config.sourceTasks(),
                config.source(0).subscription(), config.epochRelay() ? "on " + config.epochsTopic() : "off");
        return g;
    }

    /** The configuration it runs. */
    public GatewayConfig config() {
        return config;
    }

    /** Every task's counters added up. */
    public GatewayMetrics.Snapshot metrics() {
        GatewayMetrics.Snapshot s = GatewayMetrics.Snapshot.EMPTY;
        for (SourceTaskRunner r : sources) {
            s = s.plus(r.metrics());
        }
        return relay == null ? s : s.plus(relay.metrics());
    }

    /** Usage records Kafka acknowledged so far. */
    public long acceptedRecords() {
        return metrics().recordsWritten();
    }

    /** MQTT messages rejected (dead-lettered) so far. */
    public long rejectedMessages() {
        return metrics().rejectedTotal();
    }

    /**
     * Stops the source tasks as a crash would (MQTT connections dropped without DISCONNECT, pending Kafka writes
     * abandoned, nothing more acknowledged), then closes the rest. For tests of recovery: a gateway started again
     * with the same client ids gets every unacknowledged message redelivered.
     */
    public void halt() {
        for (SourceTaskRunner r : sources) {
            r.halt();
        }
        close();
    }

    /**
     * Stops gracefully: each source task waits briefly for Kafka to acknowledge what it already sent, acknowledges
     * those messages, and disconnects, leaving its session (and any unacknowledged message) with the broker.
     */
    @Override
    public void close() {
        for (SourceTaskRunner r : sources) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping {} failed: {}", r, e.toString());
            }
        }
        if (relay != null) {
            try {
                relay.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping the epoch relay failed: {}", e.toString());
            }
        }
        jmx.close();
    }
}
