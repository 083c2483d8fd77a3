package dev.dabba.deploy.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each record first appeared on a bill that reached the report store ({@link System#nanoTime()}), by event id.
 * Static because the billing job's sink runs in this JVM (Flink MiniCluster) but is created from a serialized copy,
 * so it cannot be handed an instance.
 */
final class BillTimes {

    private static final Map<Object, Long> FIRST_BILLED = new ConcurrentHashMap<>();

    private BillTimes() {
    }

    /** Notes that {@code eventId} is on a stored bill now, unless it was before. */
    static void billed(Object eventId, long nanos) {
        FIRST_BILLED.putIfAbsent(eventId, nanos);
    }

    /** When {@code eventId} was first on a stored bill, or null. */
    static Long firstBilled(Object eventId) {
        return FIRST_BILLED.get(eventId);
    }

    /** Forgets everything (between runs). */
    static void clear() {
        FIRST_BILLED.clear();
    }
}
