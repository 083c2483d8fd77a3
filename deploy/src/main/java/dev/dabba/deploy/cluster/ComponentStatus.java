package dev.dabba.deploy.cluster;

import java.util.List;
import java.util.Objects;

/**
 * One component's health as {@link LocalCluster#status()} saw it.
 *
 * @param component what
 * @param managed   whether the cluster started (and so owns) its processes; false for the machine's Mosquitto or
 *                  PostgreSQL that the cluster reuses
 * @param pids      the process ids the cluster started for it (empty when not managed)
 * @param endpoint  where it answers, e.g. {@code 127.0.0.1:9092} or {@code http://127.0.0.1:8083}
 * @param healthy   whether every process is alive and the component answered a health probe
 * @param detail    what the probe saw, e.g. {@code RUNNING [RUNNING, RUNNING]} or the reason it is unhealthy
 */
public record ComponentStatus(Component component, boolean managed, List<Long> pids, String endpoint,
        boolean healthy, String detail) {

    public ComponentStatus {
        Objects.requireNonNull(component, "component");
        pids = List.copyOf(pids);
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(detail, "detail");
    }
}
