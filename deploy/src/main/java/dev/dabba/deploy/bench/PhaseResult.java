package dev.dabba.deploy.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one phase of one pipeline measured. Times are seconds from the phase's first publish: {@code published} when
 * the broker had acknowledged every record, {@code inKafka} when every record was in Kafka, {@code billed} when
 * every record was on a bill in PostgreSQL (the end-to-end time). {@code jitSeconds} is the CPU time of the JIT
 * compiler threads within the phase's CPU seconds. Latencies are record stamped -> first stored bill
 * containing it, sorted, in nanoseconds; {@code billedCount} may be below {@code records} if the phase timed out.
 */
record PhaseResult(String pipeline, String phase, int records, int billedCount, double stampedSeconds,
        double publishedSeconds, double inKafkaSeconds, double billedSeconds, long[] latencyNanos, double cpuSeconds,
        double jitSeconds, String loadBefore, String loadAfter) {

    /** Records per second end to end: first publish to every record on a bill. */
    double throughput() {
        return billedCount < records ? Double.NaN : records / billedSeconds;
    }

    /** The latency at quantile {@code q} in milliseconds. */
    double latencyMillis(double q) {
        if (latencyNanos.length == 0) {
            return Double.NaN;
        }
        int i = Math.min(latencyNanos.length - 1, (int) Math.floor(q * latencyNanos.length));
        return latencyNanos[i] / 1e6;
    }

    /** Sorts and keeps the latencies. */
    static long[] sorted(long[] latencies, int count) {
        long[] out = Arrays.copyOf(latencies, count);
        Arrays.sort(out);
        return out;
    }

    /** One line for the log. */
    String describe() {
        return String.format(Locale.ROOT, "%s %s: %,d records, %,d on a bill; stamped by %.2f s, acknowledged by the "
                + "broker by %.2f s, in Kafka by %.2f s, on a bill by %.2f s = %,.0f records/s end to end; latency "
                + "p50 %.0f ms, p99 %.0f ms, max %.0f ms; %.1f CPU-s in this JVM, %.1f of them the JIT compilers'; "
                + "load average %s -> %s", pipeline, phase, records, billedCount, stampedSeconds, publishedSeconds,
                inKafkaSeconds, billedSeconds, throughput(), latencyMillis(0.5), latencyMillis(0.99),
                latencyMillis(1.0), cpuSeconds, jitSeconds, loadBefore, loadAfter);
    }
}
