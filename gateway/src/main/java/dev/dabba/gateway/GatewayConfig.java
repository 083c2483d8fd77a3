package dev.dabba.gateway;

import dev.dabba.gateway.connect.EpochSinkConfig;
import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.connect.MqttSourceConnector;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;

/**
 * What the embedded gateway runs: the MQTT source (same keys as the Connect connector, see
 * {@link MqttSourceConfig}), the epoch relay (see {@link EpochSinkConfig}), and the runner's own keys: where Kafka
 * is and how many source tasks to run. Loaded from one properties file ({@code dabba gateway --config FILE}) or
 * built in code; validated when built, with messages naming the key.
 *
 * <p>Keys of the runner itself:
 * <ul>
 *   <li>{@code kafka.bootstrap.servers} (required) and any other {@code kafka.*} key, passed to the Kafka clients
 *       without the prefix (e.g. {@code kafka.security.protocol});</li>
 *   <li>{@code gateway.source.tasks} (default 1): source tasks, each with its own MQTT client id and shared
 *       subscription;</li>
 *   <li>{@code gateway.epochs.relay} (default true): also relay epoch announcements from
 *       {@code gateway.topic.epochs} (default {@code dabba.epochs}) with consumer group
 *       {@code gateway.epochs.group} (default {@code dabba-gateway-epochs}).</li>
 * </ul>
 */
public final class GatewayConfig {

    public static final String KAFKA_PREFIX = "kafka.";
    public static final String KAFKA_BOOTSTRAP_SERVERS = KAFKA_PREFIX + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String SOURCE_TASKS = "gateway.source.tasks";
    public static final String EPOCH_RELAY = "gateway.epochs.relay";
    public static final String EPOCHS_TOPIC = "gateway.topic.epochs";
    public static final String EPOCHS_GROUP = "gateway.epochs.group";

    private final Map<String, String> props;
    private final int sourceTasks;
    private final boolean epochRelay;

    private GatewayConfig(Map<String, String> props) {
        this.props = Collections.unmodifiableMap(new LinkedHashMap<>(props));
        String bootstrap = props.get(KAFKA_BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new ConfigException(KAFKA_BOOTSTRAP_SERVERS, bootstrap, "must name the Kafka brokers");
        }
        this.sourceTasks = parseInt(SOURCE_TASKS, props.getOrDefault(SOURCE_TASKS, "1"));
        if (sourceTasks < 1) {
            throw new ConfigException(SOURCE_TASKS, sourceTasks, "must be at least 1");
        }
        String relay = props.getOrDefault(EPOCH_RELAY, "true").trim();
        if (!relay.equals("true") && !relay.equals("false")) {
            throw new ConfigException(EPOCH_RELAY, relay, "must be true or false");
        }
        this.epochRelay = Boolean.parseBoolean(relay);
        MqttSourceConfig source = new MqttSourceConfig(sourceTaskProperties(0));
        if (sourceTasks > 1 && source.sharedGroup().isEmpty()) {
            throw new ConfigException(MqttSourceConfig.SHARED_GROUP, "", "is empty, so only one source task can "
                    + "subscribe; set a group to run " + sourceTasks);
        }
        if (epochRelay) {
            new EpochSinkConfig(epochRelayProperties());
        }
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be an integer");
        }
    }

    /** A configuration from properties (the file's keys); validates every key. */
    public static GatewayConfig fromProperties(Map<String, String> props) {
        return new GatewayConfig(props);
    }

    /** Loads a properties file; validates every key. */
    public static GatewayConfig load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read gateway configuration " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k).trim());
        }
        return new GatewayConfig(m);
    }

    /** A builder for a gateway reading from {@code mqttUri} and writing to {@code kafkaBootstrapServers}. */
    public static Builder builder(String mqttUri, String kafkaBootstrapServers) {
        return new Builder(mqttUri, kafkaBootstrapServers);
    }

    /** Every key as given. */
    public Map<String, String> properties() {
        return props;
    }

    /** How many source tasks to run. */
    public int sourceTasks() {
        return sourceTasks;
    }

    /** Whether to run the epoch relay. */
    public boolean epochRelay() {
        return epochRelay;
    }

    /** The Kafka topic of epoch announcements. */
    public String epochsTopic() {
        return props.getOrDefault(EPOCHS_TOPIC, KafkaTopics.EPOCHS);
    }

    /** The relay's consumer group. */
    public String epochsGroup() {
        return props.getOrDefault(EPOCHS_GROUP, "dabba-gateway-epochs");
    }

    /** The Kafka client properties: every {@code kafka.*} key without its prefix. */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> m = new HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                m.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return m;
    }

    /** The configuration of source task {@code index}, as the connector would give it. */
    public Map<String, String> sourceTaskProperties(int index) {
        return MqttSourceConnector.taskConfig(props, index);
    }

    /** The parsed configuration of source task {@code index}. */
    public MqttSourceConfig source(int index) {
        return new MqttSourceConfig(sourceTaskProperties(index));
    }

    /** The epoch relay's configuration: the shared MQTT keys and client id {@code PREFIX-epochs}. */
    public Map<String, String> epochRelayProperties() {
        Map<String, String> m = new HashMap<>(props);
        m.put(MqttClientSettings.CLIENT_ID, props.getOrDefault(MqttSourceConfig.CLIENT_ID_PREFIX,
                MqttSourceConfig.DEFAULT_CLIENT_ID_PREFIX) + "-epochs");
        return m;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(props);
        shown.replaceAll((k, v) -> k.contains("password") ? "[hidden]" : v);
        return "GatewayConfig" + shown;
    }

    /** Builds a {@link GatewayConfig}; any key of the file format can be set with {@link #set(String, String)}. */
    public static final class Builder {
        private final Map<String, String> props = new LinkedHashMap<>();

        private Builder(String mqttUri, String kafkaBootstrapServers) {
            set(MqttClientSettings.SERVER_URIS, Objects.requireNonNull(mqttUri, "mqttUri"));
            set(KAFKA_BOOTSTRAP_SERVERS, Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers"));
        }

        /** Any key, as in the properties file. */
        public Builder set(String key, String value) {
            props.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        /** The MQTT topic layout (default {@code dabba/v1}). */
        public Builder topics(MqttTopics topics) {
            return set(MqttClientSettings.TOPIC_ROOT, topics.root());
        }

        /** Source tasks, each with its own client id, sharing the subscription (default 1). */
        public Builder sourceTasks(int tasks) {
            return set(SOURCE_TASKS, Integer.toString(tasks));
        }

        /** The MQTT client-id prefix: source task n is {@code PREFIX-n}, the relay {@code PREFIX-epochs}. */
        public Builder clientIdPrefix(String prefix) {
            return set(MqttSourceConfig.CLIENT_ID_PREFIX, prefix);
        }

        /** The shared-subscription group; empty for a plain subscription (one task only). */
        public Builder sharedGroup(String group) {
            return set(MqttSourceConfig.SHARED_GROUP, group);
        }

        /** The gateway's MQTT credentials. */
        public Builder credentials(String username, String password) {
            set(MqttClientSettings.USERNAME, username);
            return set(MqttClientSettings.PASSWORD, password);
        }

        /** Whether to relay epoch announcements (default true). */
        public Builder epochRelay(boolean relay) {
            return set(EPOCH_RELAY, Boolean.toString(relay));
        }

        /** Validates and builds. */
        public GatewayConfig build() {
            return new GatewayConfig(props);
        }
    }
}
