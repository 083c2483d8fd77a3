package dev.dabba.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.gateway.connect.EpochSinkConnector;
import dev.dabba.gateway.connect.MqttSourceConnector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;

/**
 * Checks a connector configuration (a {@code deploy/connect}, compose or Strimzi one) against the real connector:
 * its class exists and is a Connect connector; every key is either Kafka Connect's own (connector, converter, error,
 * topic-creation and client-override settings) or one the connector's {@code config()} defines; and the connector's
 * own {@code validate()} reports no error for its keys.
 */
final class ConnectorConfigs {

    private static final List<String> FRAMEWORK_PREFIXES = List.of("producer.override.", "consumer.override.",
            "admin.override.", "topic.creation.", "transforms.", "predicates.", "key.converter.",
            "value.converter.", "header.converter.");

    private ConnectorConfigs() {
    }

    /** Fails, naming the file and key, unless {@code config} suits its {@code connector.class}. */
    static void check(String where, Map<String, String> config) throws Exception {
        String className = config.get("connector.class");
        assertThat(className).as("%s connector.class", where).isNotBlank();
        Class<?> type = Class.forName(className);
        assertThat(Connector.class).as("%s: %s is a Connect connector", where, className).isAssignableFrom(type);
        assertThat(type).as("%s: the gateway's connectors", where)
                .isIn(MqttSourceConnector.class, EpochSinkConnector.class);
        Connector connector = (Connector) type.getConstructor().newInstance();
        boolean sink = connector instanceof org.apache.kafka.connect.sink.SinkConnector;
        Set<String> framework = sink ? SinkConnectorConfig.configDef().names()
                : SourceConnectorConfig.configDef().names();
        ConfigDef own = connector.config();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : config.entrySet()) {
            String key = e.getKey();
            if (!own.names().contains(key) && !framework.contains(key)
                    && FRAMEWORK_PREFIXES.stream().noneMatch(key::startsWith)) {
                unknown.add(key);
            }
        }
        assertThat(unknown).as("%s: keys neither Connect nor %s defines", where, type.getSimpleName()).isEmpty();
        List<String> errors = new ArrayList<>();
        for (ConfigValue v : connector.validate(new LinkedHashMap<>(config)).configValues()) {
            for (String message : v.errorMessages()) {
                errors.add(v.name() + ": " + message);
            }
        }
        assertThat(errors).as("%s: %s.validate()", where, type.getSimpleName()).isEmpty();
    }
}
