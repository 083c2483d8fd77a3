package dev.dabba.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.gateway.GatewayMetrics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's metrics in a Connect worker's registry: Kafka's own {@link Metrics} and {@link PluginMetricsImpl},
 * the classes the worker gives a task (tags {@code connector} and {@code task}, as the worker sets them).
 */
class ConnectMetricsTest {

    private static final Map<String, String> TASK_0 = Map.of("connector", "dabba-mqtt-source", "task", "0");

    private final Metrics registry = new Metrics();

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void everyCounter_isAGaugeOfTheTasksOwnMetrics() {
        GatewayMetrics gateway = new GatewayMetrics();
        PluginMetricsImpl plugin = new PluginMetricsImpl(registry, TASK_0);
        ConnectMetrics m = ConnectMetrics.register(context(plugin), gateway);
        gateway.messageReceived(100);
        gateway.messageReceived(50);

        assertThat(m.pending()).isEmpty();
        assertThat(value("mqtt-messages-received-total")).isEqualTo(2L);
        assertThat(registry.metrics().keySet().stream().filter(n -> n.group().equals("plugins")).count())
                .isEqualTo(GatewayMetrics.Snapshot.EMPTY.byName().size());
    }

    @Test
    void namesAnEarlierInstanceOfTheTaskStillHolds_doNotFailTheStart_andAreRegisteredOnceItLetsThemGo()
            throws Exception {
        // The instance the worker is still stopping (after a rebalance: a Kafka broker restart causes one).
        GatewayMetrics old = new GatewayMetrics();
        PluginMetricsImpl oldPlugin = new PluginMetricsImpl(registry, TASK_0);
        ConnectMetrics oldRegistration = ConnectMetrics.register(context(oldPlugin), old);
        old.messageReceived(1);

        // The new instance starts meanwhile, with the same connector and task tags. This used to throw
        // "A metric named ... already exists", and the worker failed the task for good.
        GatewayMetrics young = new GatewayMetrics();
        ConnectMetrics youngRegistration = ConnectMetrics.register(context(new PluginMetricsImpl(registry, TASK_0)),
                young);
        assertThat(youngRegistration.pending()).containsExactlyInAnyOrderElementsOf(
                GatewayMetrics.Snapshot.EMPTY.byName().keySet());
        assertThat(youngRegistration.retryPending()).isFalse();
        assertThat(value("mqtt-messages-received-total")).as("still the old instance's").isEqualTo(1L);

        // The old instance stops: its registration and then the worker's plugin metrics for it are closed.
        oldRegistration.close();
        oldPlugin.close();
        young.messageReceived(10);
        young.messageReceived(20);
        young.messageReceived(30);

        await().atMost(Duration.ofSeconds(10)).until(youngRegistration::retryPending);
        assertThat(youngRegistration.pending()).isEmpty();
        assertThat(value("mqtt-messages-received-total")).as("now the new instance's").isEqualTo(3L);
    }

    @Test
    void withoutPluginMetrics_nothingIsRegisteredAndNothingIsPending() {
        ConnectMetrics m = ConnectMetrics.register(null, new GatewayMetrics());
        assertThat(m.pending()).isEmpty();
        assertThat(m.retryPending()).isTrue();
        m.close();
    }

    private Object value(String name) {
        MetricName metricName = registry.metricName(name, "plugins", "", TASK_0);
        return registry.metric(metricName).metricValue();
    }

    private static SourceTaskContext context(PluginMetrics plugin) {
        return new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return Map.of();
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return null;
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return plugin;
            }
        };
    }
}
