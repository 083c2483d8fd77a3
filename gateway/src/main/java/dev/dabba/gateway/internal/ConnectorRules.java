package dev.dabba.gateway.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The worker-level settings a gateway connector depends on, checked in {@code validate()} and again in
 * {@code start()}: the records are wire-format bytes, so converters must pass bytes through untouched, and the
 * source must never be told a record was written when it was not.
 */
public final class ConnectorRules {

    /** The converter class every byte-exact key, value and header needs. */
    public static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private ConnectorRules() {
    }

    /** Problems of an MQTT source connector configuration, by key; empty when it is fine. */
    public static Map<String, String> sourceProblems(Map<String, String> props) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String key : List.of("key.converter", "value.converter", "header.converter")) {
            requireBytes(props, key, problems);
        }
        String tolerance = props.get("errors.tolerance");
        if (tolerance != null && !tolerance.trim().equalsIgnoreCase("none")) {
            problems.put("errors.tolerance", "must be 'none' for the MQTT source: with 'all', Connect reports a "
                    + "record it failed to write as committed, and the gateway would acknowledge an MQTT message "
                    + "whose records are not in Kafka");
        }
        return problems;
    }

    /** Problems of an epoch sink connector configuration, by key; empty when it is fine. */
    public static Map<String, String> sinkProblems(Map<String, String> props) {
        Map<String, String> problems = new LinkedHashMap<>();
        requireBytes(props, "value.converter", problems);
        return problems;
    }

    private static void requireBytes(Map<String, String> props, String key, Map<String, String> problems) {
        String value = props.get(key);
        if (value == null || !value.trim().equals(BYTES)) {
            problems.put(key, "must be " + BYTES + " (was " + (value == null ? "the worker's default" : value)
                    + "): the gateway's records are wire-format bytes and must reach Kafka unchanged");
        }
    }

    /** {@code validated} with each problem added as an error of its key. */
    public static Config withProblems(Config validated, Map<String, String> props, Map<String, String> problems) {
        if (problems.isEmpty()) {
            return validated;
        }
        Map<String, ConfigValue> byName = new LinkedHashMap<>();
        for (ConfigValue v : validated.configValues()) {
            byName.put(v.name(), v);
        }
        problems.forEach((key, message) -> byName
                .computeIfAbsent(key, k -> new ConfigValue(k, null, List.of(), new java.util.ArrayList<>()))
                .addErrorMessage(message));
        return new Config(List.copyOf(byName.values()));
    }

    /** One line naming every problem, for an exception. */
    public static String describe(Map<String, String> problems) {
        StringBuilder sb = new StringBuilder();
        problems.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append(' ').append(v));
        return sb.toString();
    }
}
