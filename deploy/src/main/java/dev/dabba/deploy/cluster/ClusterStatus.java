package dev.dabba.deploy.cluster;

import java.util.List;
import java.util.NoSuchElementException;

/** Every component's {@link ComponentStatus}, in {@link Component} order. */
public record ClusterStatus(List<ComponentStatus> components) {

    public ClusterStatus {
        components = List.copyOf(components);
    }

    /** The status of one component. */
    public ComponentStatus of(Component component) {
        return components.stream().filter(c -> c.component() == component).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no status for " + component));
    }

    /** Whether every component is healthy. */
    public boolean healthy() {
        return components.stream().allMatch(ComponentStatus::healthy);
    }
}
