package dev.dabba.gateway.internal;

import dev.dabba.gateway.GatewayMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.connector.ConnectorContext;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;

/**
 * Registers a task's {@link GatewayMetrics} as Connect plugin metrics (KIP-877, Kafka 4.1+), one gauge per counter
 * of {@link GatewayMetrics.Snapshot#byName()}; on older workers, or without a context, it registers nothing.
 */
public final class ConnectMetrics implements AutoCloseable {

    private final PluginMetrics plugin;
    private final List<MetricName> names = new ArrayList<>();

    private ConnectMetrics(PluginMetrics plugin) {
        this.plugin = plugin;
    }

    /** Registers {@code metrics} with the task context's plugin metrics, if it has any. */
    public static ConnectMetrics register(Object context, GatewayMetrics metrics) {
        PluginMetrics plugin = pluginMetrics(context);
        ConnectMetrics m = new ConnectMetrics(plugin);
        if (plugin == null) {
            return m;
        }
        for (String name : GatewayMetrics.Snapshot.EMPTY.byName().keySet()) {
            MetricName metricName = plugin.metricName(name, description(name), new LinkedHashMap<>());
            plugin.addMetric(metricName, (Gauge<Long>) (config, now) -> metrics.snapshot().byName().get(name));
            m.names.add(metricName);
        }
        return m;
    }

    private static PluginMetrics pluginMetrics(Object context) {
        try {
            if (context instanceof SourceTaskContext) {
                return ((SourceTaskContext) context).pluginMetrics();
            }
            if (context instanceof SinkTaskContext) {
                return ((SinkTaskContext) context).pluginMetrics();
            }
            if (context instanceof ConnectorContext) {
                return ((ConnectorContext) context).pluginMetrics();
            }
        } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
            return null; // a worker older than Kafka 4.1
        }
        return null;
    }

    private static String description(String name) {
        return "Dabba gateway: " + name.replace('-', ' ');
    }

    @Override
    public void close() {
        if (plugin == null) {
            return;
        }
        for (MetricName n : names) {
            try {
                plugin.removeMetric(n);
            } catch (RuntimeException e) {
                // the worker removes plugin metrics itself when the task stops
            }
        }
        names.clear();
    }
}
