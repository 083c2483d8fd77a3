package dev.dabba.gateway.connect;

import dev.dabba.gateway.internal.ConnectorRules;
import dev.dabba.gateway.internal.GatewayVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * The return path of the Dabba gateway as a Kafka Connect sink connector: epoch announcements from
 * {@code dabba.epochs} to the agents as the retained message on {@code ROOT/epochs}. Always one task: announcements
 * are totally ordered and the retained message is one value.
 */
public final class EpochSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return GatewayVersion.get();
    }

    @Override
    public ConfigDef config() {
        return EpochSinkConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return ConnectorRules.withProblems(super.validate(connectorConfigs), connectorConfigs,
                ConnectorRules.sinkProblems(connectorConfigs));
    }

    @Override
    public void start(Map<String, String> props) {
        Map<String, String> problems = ConnectorRules.sinkProblems(props);
        if (!problems.isEmpty()) {
            throw new ConfigException("epoch sink connector configuration: " + ConnectorRules.describe(problems));
        }
        new EpochSinkConfig(props);
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return EpochSinkTask.class;
    }

    /** One task, whatever {@code tasks.max} says. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(new HashMap<>(props));
    }

    @Override
    public void stop() {
    }
}
