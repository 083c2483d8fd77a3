package dev.dabba.gateway.internal;

import dev.dabba.gateway.GatewayMetrics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.connector.ConnectorContext;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a task's {@link GatewayMetrics} as Connect plugin metrics (KIP-877, Kafka 4.1+), one gauge per counter
 * of {@link GatewayMetrics.Snapshot#byName()}; on older workers, or without a context, it registers nothing.
 *
 * <p>A name still held by an earlier instance of the same task is registered later, not refused. The worker restarts
 * a task after a rebalance (a Kafka broker restart causes one) and starts the new instance once the old one has had
 * {@code task.shutdown.graceful.timeout.ms} to stop, even if it has not: the old instance may still be draining to
 * Kafka and still holds its metrics, whose names (connector and task tags) are the new instance's too. Kafka's
 * {@code Metrics} refuses a name twice, and that refusal in {@code start()} used to fail the task for good ("will
 * not recover until manually restarted"), which stopped the gateway until someone restarted it. The task now calls
 * {@link #retryPending()} as it works, and the names are registered once the old instance has let them go.
 */
public final class ConnectMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectMetrics.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PluginMetrics plugin;
    private final GatewayMetrics metrics;
    private final List<MetricName> names = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();
    private long nextRetryNanos;

    private ConnectMetrics(PluginMetrics plugin, GatewayMetrics metrics) {
        this.plugin = plugin;
        this.metrics = metrics;
    }

    /**
     * Registers {@code metrics} with the task context's plugin metrics, if it has any; names another instance of the
     * task still holds are left pending, for {@link #retryPending()}.
     */
    public static ConnectMetrics register(Object context, GatewayMetrics metrics) {
        PluginMetrics plugin = pluginMetrics(context);
        ConnectMetrics m = new ConnectMetrics(plugin, metrics);
        if (plugin == null) {
            return m;
        }
        m.pending.addAll(GatewayMetrics.Snapshot.EMPTY.byName().keySet());
        m.addPending();
        if (!m.pending.isEmpty()) {
            LOG.info("{} of {} gateway metrics are still held by an earlier instance of this task (still "
                    + "stopping, after a rebalance or a restart); they are registered once it lets them go",
                    m.pending.size(), m.pending.size() + m.names.size());
        }
        return m;
    }

    /** Names not registered yet: held by an earlier instance of the task when last tried. */
    public synchronized List<String> pending() {
        return List.copyOf(pending);
    }

    /**
     * Tries the pending names again, at most once a second (cheap to call on every poll). Returns true when nothing
     * is pending any more.
     */
    public synchronized boolean retryPending() {
        if (pending.isEmpty()) {
            return true;
        }
        long now = System.nanoTime();
        if (now - nextRetryNanos < 0) {
            return false;
        }
        addPending();
        if (pending.isEmpty()) {
            LOG.info("gateway metrics registered, now that the task's earlier instance has stopped");
        }
        return pending.isEmpty();
    }

    private synchronized void addPending() {
        for (Iterator<String> it = pending.iterator(); it.hasNext(); ) {
            String name = it.next();
            MetricName metricName;
            try {
                metricName = plugin.metricName(name, description(name), new LinkedHashMap<>());
                plugin.addMetric(metricName, (Gauge<Long>) (config, now) -> metrics.snapshot().byName().get(name));
            } catch (IllegalArgumentException taken) {
                continue; // held by the task's earlier instance: next time
            } catch (IllegalStateException closed) {
                pending.clear(); // this instance's plugin metrics are closed: the task is stopping
                return;
            }
            names.add(metricName);
            it.remove();
        }
        nextRetryNanos = System.nanoTime() + RETRY_NANOS;
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
    public synchronized void close() {
        pending.clear();
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
