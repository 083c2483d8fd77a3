package dev.dabba.billing.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bill server's metrics in the Prometheus text format (0.0.4), served unauthenticated on {@code GET /metrics}:
 * requests by status code, their total duration, and bill-store failures. Nothing about subscribers or bills.
 * Thread-safe.
 */
public final class ApiMetrics {

    /** Requests answered, labelled {@code status} (the HTTP status code). Counter. */
    public static final String REQUESTS = "dabba_api_requests_total";
    /** Seconds spent answering requests, with {@code _sum} and {@code _count}. Summary. */
    public static final String REQUEST_SECONDS = "dabba_api_request_duration_seconds";
    /** Requests answered 503 because the bill store could not be read. Counter. */
    public static final String STORE_FAILURES = "dabba_api_store_failures_total";
    /** Every metric family name. */
    public static final List<String> NAMES = List.of(REQUESTS, REQUEST_SECONDS, STORE_FAILURES);

    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder count = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();

    public ApiMetrics() {
        for (int status : new int[] {200, 400, 401, 404, 500, 503}) {
            byStatus.put(status, new LongAdder()); // the usual series exist from the start, at 0
        }
    }

    /** One request answered with {@code status} after {@code elapsedNanos}. */
    public void request(int status, long elapsedNanos) {
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        nanos.add(Math.max(0, elapsedNanos));
        count.increment();
    }

    /** One request the store could not answer. */
    public void storeFailure() {
        storeFailures.increment();
    }

    /** The requests answered with {@code status} so far. */
    public long requests(int status) {
        LongAdder a = byStatus.get(status);
        return a == null ? 0 : a.sum();
    }

    /** Every metric, in the Prometheus text exposition format. */
    public String prometheusText() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP ").append(REQUESTS).append(" HTTP requests answered, by status code.\n");
        b.append("# TYPE ").append(REQUESTS).append(" counter\n");
        for (Map.Entry<Integer, LongAdder> e : new TreeMap<>(byStatus).entrySet()) {
            b.append(REQUESTS).append("{status=\"").append(e.getKey()).append("\"} ").append(e.getValue().sum())
                    .append('\n');
        }
        b.append("# HELP ").append(REQUEST_SECONDS).append(" Time spent answering HTTP requests.\n");
        b.append("# TYPE ").append(REQUEST_SECONDS).append(" summary\n");
        b.append(REQUEST_SECONDS).append("_sum ").append(String.format(Locale.ROOT, "%.6f", nanos.sum() / 1e9))
                .append('\n');
        b.append(REQUEST_SECONDS).append("_count ").append(count.sum()).append('\n');
        b.append("# HELP ").append(STORE_FAILURES).append(" Requests answered 503: the bill store could not be read.\n");
        b.append("# TYPE ").append(STORE_FAILURES).append(" counter\n");
        b.append(STORE_FAILURES).append(' ').append(storeFailures.sum()).append('\n');
        return b.toString();
    }
}
