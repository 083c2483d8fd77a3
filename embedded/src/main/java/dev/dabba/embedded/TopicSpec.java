package dev.dabba.embedded;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Kafka topic to create: its name, partition count and topic-level configuration (e.g. {@code cleanup.policy}).
 *
 * @param name       the topic name
 * @param partitions the number of partitions, at least 1
 * @param config     topic configuration overrides, possibly empty
 */
public record TopicSpec(String name, int partitions, Map<String, String> config) {

    /** Validates the fields and copies the configuration. */
    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic " + name + " must be positive, was " + partitions);
        }
        config = Map.copyOf(config);
    }

    /** A topic with default configuration. */
    public static TopicSpec of(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of());
    }

    /** A log-compacted topic ({@code cleanup.policy=compact}), as used for epoch announcements. */
    public static TopicSpec compacted(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of("cleanup.policy", "compact"));
    }

    /** This topic with one more configuration entry. */
    public TopicSpec withConfig(String key, String value) {
        Map<String, String> merged = new TreeMap<>(config);
        merged.put(key, value);
        return new TopicSpec(name, partitions, merged);
    }
}
