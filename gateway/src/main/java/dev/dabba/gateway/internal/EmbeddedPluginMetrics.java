package dev.dabba.gateway.internal;

import java.util.LinkedHashMap;
import java.util.Objects;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.MetricValueProvider;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;

/**
 * Plugin metrics for a task run by the embedded runner: Kafka's metrics registry under group
 * {@code gateway-task-metrics}, tagged with the task's name, so that the runner's {@code Metrics} (with a JMX
 * reporter) publishes them the way a Connect worker would.
 */
public final class EmbeddedPluginMetrics implements PluginMetrics {

    /** The metric group of every gateway task metric. */
    public static final String GROUP = "gateway-task-metrics";

    private final Metrics metrics;
    private final String task;

    public EmbeddedPluginMetrics(Metrics metrics, String task) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.task = Objects.requireNonNull(task, "task");
    }

    @Override
    public MetricName metricName(String name, String description, LinkedHashMap<String, String> tags) {
        LinkedHashMap<String, String> all = new LinkedHashMap<>();
        all.put("task", task);
        all.putAll(tags);
        return metrics.metricName(name, GROUP, description, all);
    }

    @Override
    public void addMetric(MetricName metricName, MetricValueProvider<?> metricValueProvider) {
        metrics.addMetric(metricName, metricValueProvider);
    }

    @Override
    public void removeMetric(MetricName metricName) {
        metrics.removeMetric(metricName);
    }

    @Override
    public Sensor addSensor(String name) {
        return metrics.sensor(task + "." + name);
    }

    @Override
    public void removeSensor(String name) {
        metrics.removeSensor(task + "." + name);
    }
}
