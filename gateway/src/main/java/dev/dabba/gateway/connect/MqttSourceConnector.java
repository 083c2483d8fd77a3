package dev.dabba.gateway.connect;

import dev.dabba.gateway.internal.ConnectorRules;
import dev.dabba.gateway.internal.GatewayVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT source of the Dabba gateway as a Kafka Connect connector: record batches from edge agents in, one Kafka
 * record per usage record (or a dead letter) out, each MQTT message acknowledged only after Kafka acknowledged all
 * of it. Tasks share the load through an MQTT 5 shared subscription ({@code $share/GROUP/ROOT/records/+}); each
 * task has a stable client id ({@code PREFIX-n}) whose persistent session holds its unacknowledged messages while
 * it is down.
 *
 * <p>Delivery is at-least-once with stable event ids, on any worker: a PUBACK cannot take part in a Kafka
 * transaction, so after a crash between Kafka's acknowledgement and the PUBACK the broker redelivers and the
 * records are written again, byte for byte the same, with the same {@code dabba.event-id}. Hence
 * {@link #exactlyOnceSupport(Map)} is {@link ExactlyOnceSupport#UNSUPPORTED}; the stream job drops duplicates by
 * event id, which makes the bills exactly-once in effect.
 */
public final class MqttSourceConnector extends SourceConnector {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSourceConnector.class);

    private Map<String, String> props;
    private MqttSourceConfig config;

    @Override
    public String version() {
        return GatewayVersion.get();
    }

    @Override
    public ConfigDef config() {
        return MqttSourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config validated = super.validate(connectorConfigs);
        return ConnectorRules.withProblems(validated, connectorConfigs,
                ConnectorRules.sourceProblems(connectorConfigs));
    }

    @Override
    public void start(Map<String, String> props) {
        Map<String, String> problems = ConnectorRules.sourceProblems(props);
        if (!problems.isEmpty()) {
            throw new ConfigException("MQTT source connector configuration: " + ConnectorRules.describe(problems));
        }
        this.config = new MqttSourceConfig(props);
        this.props = new HashMap<>(props);
        LOG.info("MQTT source connector reads {} from {}", config.subscription(), config.mqtt().serverUris());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return MqttSourceTask.class;
    }

    /**
     * One configuration per task, each with its own client id {@code PREFIX-n}; a single task when there is no
     * shared group (two plain subscribers would each receive every message).
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int tasks = config.sharedGroup().isPresent() ? maxTasks : 1;
        if (tasks < maxTasks) {
            LOG.warn("MQTT source connector runs 1 task instead of {}: {} is empty, and plain subscribers would "
                    + "each receive every message", maxTasks, MqttSourceConfig.SHARED_GROUP);
        }
        List<Map<String, String>> configs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            configs.add(taskConfig(props, i));
        }
        return configs;
    }

    /** The configuration of task {@code index}: the connector's plus the task's client id. */
    public static Map<String, String> taskConfig(Map<String, String> connectorProps, int index) {
        Map<String, String> task = new HashMap<>(connectorProps);
        String prefix = connectorProps.getOrDefault(MqttSourceConfig.CLIENT_ID_PREFIX,
                MqttSourceConfig.DEFAULT_CLIENT_ID_PREFIX);
        task.put(MqttClientSettings.CLIENT_ID, prefix + "-" + index);
        return task;
    }

    @Override
    public void stop() {
    }

    /** Never exactly-once: see the class comment. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.UNSUPPORTED;
    }
}
