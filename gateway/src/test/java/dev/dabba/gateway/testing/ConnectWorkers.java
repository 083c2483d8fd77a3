package dev.dabba.gateway.testing;

import dev.dabba.gateway.connect.EpochSinkConfig;
import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.connect.MqttSourceConnector;
import dev.dabba.gateway.connect.EpochSinkConnector;
import java.util.LinkedHashMap;
import java.util.Map;

/** Configurations of Connect workers and of the gateway's connectors, as deploy/connect/ has them. */
public final class ConnectWorkers {

    public static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private ConnectWorkers() {
    }

    /**
     * A distributed worker of cluster {@code group} (its own internal topics), REST on {@code listener}, plugins from
     * {@code pluginPath} (empty: the classpath, discovered through the plugins' service manifests).
     */
    public static Map<String, String> worker(String bootstrap, String group, String listener, String pluginPath,
            boolean exactlyOnce) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put("bootstrap.servers", bootstrap);
        w.put("group.id", group);
        w.put("config.storage.topic", group + "-configs");
        w.put("offset.storage.topic", group + "-offsets");
        w.put("status.storage.topic", group + "-status");
        w.put("config.storage.replication.factor", "1");
        w.put("offset.storage.replication.factor", "1");
        w.put("status.storage.replication.factor", "1");
        w.put("offset.storage.partitions", "1");
        w.put("status.storage.partitions", "1");
        w.put("key.converter", BYTES);
        w.put("value.converter", BYTES);
        w.put("listeners", listener);
        if (!pluginPath.isEmpty()) {
            w.put("plugin.path", pluginPath);
        }
        w.put("plugin.discovery", "service_load");
        w.put("offset.flush.interval.ms", "1000");
        // Reassign the tasks of a worker that died at once (the default waits up to 5 minutes for it to return).
        w.put("scheduled.rebalance.max.delay.ms", "0");
        w.put("session.timeout.ms", "6000");
        w.put("heartbeat.interval.ms", "1000");
        if (exactlyOnce) {
            w.put("exactly.once.source.support", "enabled");
        }
        return w;
    }

    /** The MQTT source connector's configuration (see deploy/connect/mqtt-source.json). */
    public static Map<String, String> source(String mqttUri, String root, String clientPrefix, int tasks,
            String recordsTopic, String deadLetterTopic) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", MqttSourceConnector.class.getName());
        c.put("tasks.max", Integer.toString(tasks));
        c.put("key.converter", BYTES);
        c.put("value.converter", BYTES);
        c.put("header.converter", BYTES);
        c.put(MqttClientSettings.SERVER_URIS, mqttUri);
        c.put(MqttClientSettings.TOPIC_ROOT, root);
        c.put(MqttSourceConfig.CLIENT_ID_PREFIX, clientPrefix);
        c.put(MqttSourceConfig.SHARED_GROUP, clientPrefix);
        c.put(MqttSourceConfig.RECORDS_TOPIC, recordsTopic);
        c.put(MqttSourceConfig.DEAD_LETTER_TOPIC, deadLetterTopic);
        return c;
    }

    /** The epoch sink connector's configuration (see deploy/connect/epoch-sink.json). */
    public static Map<String, String> epochSink(String mqttUri, String root, String clientId, String epochsTopic,
            String deadLetterTopic) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", EpochSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", epochsTopic);
        c.put("key.converter", BYTES);
        c.put("value.converter", BYTES);
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", deadLetterTopic);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put(MqttClientSettings.SERVER_URIS, mqttUri);
        c.put(MqttClientSettings.TOPIC_ROOT, root);
        c.put(MqttClientSettings.CLIENT_ID, clientId);
        c.put(EpochSinkConfig.RETAINED_WAIT_MS, "1000");
        return c;
    }
}
