package dev.dabba.agent.internal.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The agent's metrics: monotone counters and sampled gauges, rendered in the Prometheus text exposition format
 * (version 0.0.4).
 *
 * <p>Hand-written rather than Micrometer: the agent has about thirty metrics, no tags beyond a label or two and no
 * histograms, and on a Pi with a 32 MiB heap the few dozen classes here cost less than a metrics library's.
 * Thread-safe; counters are {@link LongAdder}s, so the stamping path never contends on them.
 */
public final class Metrics {

    /** A monotone counter. */
    public static final class Counter {
        private final LongAdder adder = new LongAdder();

        public void increment() {
            adder.increment();
        }

        public void add(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("counters only go up, was " + n);
            }
            adder.add(n);
        }

        public long value() {
            return adder.sum();
        }
    }

    private record Family(String name, String help, String type) {
    }

    private record Series(Family family, String labels, Counter counter, DoubleSupplier gauge) {
        double value() {
            return counter != null ? counter.value() : gauge.getAsDouble();
        }
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, Series> series = new ConcurrentHashMap<>();

    /** A counter without labels. */
    public Counter counter(String name, String help) {
        return counter(name, help, "");
    }

    /**
     * A counter with labels, written {@code key="value",...}; the same name and labels always give the same counter.
     */
    public Counter counter(String name, String help, String labels) {
        Family family = family(name, help, "counter");
        Series s = series.computeIfAbsent(key(name, labels), k -> new Series(family, labels, new Counter(), null));
        if (s.counter == null) {
            throw new IllegalArgumentException(name + " is a gauge, not a counter");
        }
        return s.counter;
    }

    /** A gauge sampled from {@code value} whenever metrics are read. */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauge(name, help, "", value);
    }

    /** A gauge with labels. */
    public void gauge(String name, String help, String labels, DoubleSupplier value) {
        Family family = family(name, help, "gauge");
        series.put(key(name, labels), new Series(family, labels, null, Objects.requireNonNull(value, "value")));
    }

    private Family family(String name, String help, String type) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, was '" + name + "'");
        }
        Family f = families.computeIfAbsent(name, n -> new Family(n, help, type));
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException(name + " is already a " + f.type);
        }
        return f;
    }

    private static String key(String name, String labels) {
        return labels.isEmpty() ? name : name + "{" + labels + "}";
    }

    /** The current value of a series, by {@code name} or {@code name{labels}}; 0 when it does not exist. */
    public double value(String seriesKey) {
        Series s = series.get(seriesKey);
        return s == null ? 0 : s.value();
    }

    /** Every series and its current value, keyed {@code name} or {@code name{labels}}, sorted. */
    public Map<String, Double> snapshot() {
        Map<String, Double> out = new TreeMap<>();
        series.forEach((k, s) -> out.put(k, s.value()));
        return out;
    }

    /** All metrics in the Prometheus text format, families sorted by name. */
    public String prometheusText() {
        Map<String, List<Series>> byFamily = new TreeMap<>();
        for (Series s : series.values()) {
            byFamily.computeIfAbsent(s.family.name, k -> new ArrayList<>()).add(s);
        }
        StringBuilder sb = new StringBuilder(4096);
        for (Map.Entry<String, List<Series>> e : byFamily.entrySet()) {
            Family f = e.getValue().get(0).family;
            sb.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            e.getValue().sort((a, b) -> a.labels.compareTo(b.labels));
            for (Series s : e.getValue()) {
                sb.append(f.name);
                if (!s.labels.isEmpty()) {
                    sb.append('{').append(s.labels).append('}');
                }
                sb.append(' ').append(format(s.value())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
