package dev.dabba.gateway.connect;

import dev.dabba.gateway.BatchTranslator;
import dev.dabba.gateway.IdentityPolicy;
import dev.dabba.record.KafkaTopics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of the MQTT source ({@link MqttSourceConnector} and {@link MqttSourceTask}): every key, its
 * type, default and documentation, and typed accessors. The embedded runner uses the same keys.
 */
public final class MqttSourceConfig extends AbstractConfig {

    public static final String CLIENT_ID_PREFIX = "mqtt.client.id.prefix";
    public static final String SHARED_GROUP = "mqtt.shared.group";
    public static final String SESSION_EXPIRY_SECONDS = "mqtt.session.expiry.seconds";
    public static final String RECEIVE_MAXIMUM = "mqtt.receive.maximum";
    public static final String RECONNECT_BACKOFF_MAX_MS = "mqtt.reconnect.backoff.max.ms";
    public static final String SHUTDOWN_DRAIN_MS = "mqtt.shutdown.drain.ms";
    public static final String MAX_PAYLOAD_BYTES = "gateway.max.payload.bytes";
    public static final String RECORDS_TOPIC = "gateway.topic.records";
    public static final String DEAD_LETTER_TOPIC = "gateway.topic.dead.letters";
    public static final String IDENTITY_MODE = "gateway.identity.mode";
    public static final String IDENTITY_USER_PROPERTY = "gateway.identity.user.property";
    public static final String IDENTITY_CLIENT_ID_PREFIX = "gateway.identity.client.id.prefix";
    public static final String POLL_MAX_MESSAGES = "gateway.poll.max.messages";
    public static final String POLL_TIMEOUT_MS = "gateway.poll.timeout.ms";

    /** The default shared-subscription group: every gateway task joins it. */
    public static final String DEFAULT_SHARED_GROUP = "dabba-gateway";
    /** The default MQTT client-id prefix of source tasks; task {@code n} connects as {@code PREFIX-n}. */
    public static final String DEFAULT_CLIENT_ID_PREFIX = "dabba-gateway";

    private static final String GROUP = "MQTT source";
    private static final String GROUP_VALIDATION = "Validation";

    /** Every key of the MQTT source. */
    public static final ConfigDef CONFIG_DEF = define();

    private final MqttClientSettings mqtt;

    public MqttSourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, withDefaultClientId(props));
        this.mqtt = MqttClientSettings.from(this);
    }

    private static Map<String, String> withDefaultClientId(Map<String, String> props) {
        if (props.containsKey(MqttClientSettings.CLIENT_ID)) {
            return props;
        }
        java.util.Map<String, String> m = new java.util.HashMap<>(props);
        m.put(MqttClientSettings.CLIENT_ID, props.getOrDefault(CLIENT_ID_PREFIX, DEFAULT_CLIENT_ID_PREFIX) + "-0");
        return m;
    }

    private static ConfigDef define() {
        ConfigDef def = MqttClientSettings.define(new ConfigDef(), null,
                "This task's MQTT client id. The connector sets it to PREFIX-n for task n; do not set it yourself.");
        int order = 0;
        int vorder = 0;
        return def
                .define(CLIENT_ID_PREFIX, Type.STRING, DEFAULT_CLIENT_ID_PREFIX, new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, "Task n connects with client id PREFIX-n. Keep it stable: the broker keeps "
                                + "each task's persistent session, with the messages it has not acknowledged, under "
                                + "that id.", GROUP, ++order, ConfigDef.Width.MEDIUM, "Client id prefix")
                .define(SHARED_GROUP, Type.STRING, DEFAULT_SHARED_GROUP, Importance.HIGH,
                        "MQTT 5 shared-subscription group: tasks subscribe to $share/GROUP/ROOT/records/+ and the "
                                + "broker spreads messages over them. Empty for a plain subscription, which allows "
                                + "one task only.", GROUP, ++order, ConfigDef.Width.MEDIUM, "Shared group")
                .define(SESSION_EXPIRY_SECONDS, Type.LONG, 86_400L, ConfigDef.Range.between(0L, 4_294_967_295L),
                        Importance.MEDIUM, "How long the broker keeps a task's session, with its unacknowledged "
                                + "messages, while the task is down.", GROUP, ++order, ConfigDef.Width.SHORT,
                        "Session expiry (s)")
                .define(RECEIVE_MAXIMUM, Type.INT, 512, ConfigDef.Range.between(1, 65_535), Importance.MEDIUM,
                        "MQTT 5 Receive Maximum: how many unacknowledged messages the broker may send a task. "
                                + "Bounds the task's memory and the work redone after a crash.", GROUP, ++order,
                        ConfigDef.Width.SHORT, "Receive maximum")
                .define(RECONNECT_BACKOFF_MAX_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(100L), Importance.LOW,
                        "Longest wait between reconnection attempts after the MQTT connection is lost.", GROUP,
                        ++order, ConfigDef.Width.SHORT, "Reconnect backoff max (ms)")
                .define(SHUTDOWN_DRAIN_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0L), Importance.LOW,
                        "On stop, how long to wait for Kafka to acknowledge what was already sent, so that those "
                                + "messages are acknowledged instead of redelivered.", GROUP, ++order,
                        ConfigDef.Width.SHORT, "Shutdown drain (ms)")
                .define(POLL_MAX_MESSAGES, Type.INT, 64, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Most MQTT messages one poll() hands to Connect.", GROUP, ++order, ConfigDef.Width.SHORT,
                        "Messages per poll")
                .define(POLL_TIMEOUT_MS, Type.LONG, 200L, ConfigDef.Range.between(1L, 10_000L), Importance.LOW,
                        "Longest a poll() waits for a message before returning nothing.", GROUP, ++order,
                        ConfigDef.Width.SHORT, "Poll timeout (ms)")
                .define(RECORDS_TOPIC, Type.STRING, KafkaTopics.RECORDS, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Kafka topic for usage records (one per record, keyed by MSISDN).",
                        GROUP_VALIDATION, ++vorder, ConfigDef.Width.MEDIUM, "Records topic")
                .define(DEAD_LETTER_TOPIC, Type.STRING, KafkaTopics.DEAD_LETTERS, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Kafka topic for rejected MQTT messages (raw payload, headers say why).",
                        GROUP_VALIDATION, ++vorder, ConfigDef.Width.MEDIUM, "Dead-letter topic")
                .define(MAX_PAYLOAD_BYTES, Type.INT, BatchTranslator.DEFAULT_MAX_PAYLOAD_BYTES,
                        ConfigDef.Range.atLeast(1), Importance.MEDIUM, "Largest accepted batch in bytes; larger ones "
                                + "are dead-lettered without decoding.", GROUP_VALIDATION, ++vorder,
                        ConfigDef.Width.SHORT, "Max payload (bytes)")
                .define(IDENTITY_MODE, Type.STRING, IdentityPolicy.Mode.TOPIC.configName(),
                        ConfigDef.ValidString.in(IdentityPolicy.Mode.TOPIC.configName(),
                                IdentityPolicy.Mode.TOPIC_AND_USER_PROPERTY.configName()),
                        Importance.HIGH, "'topic': batch origin must equal the topic's node (the broker's ACL binds "
                                + "devices to their topic). 'topic-and-user-property': also require the publisher's "
                                + "client id, stamped by the broker in an MQTT 5 user property, to be the origin's.",
                        GROUP_VALIDATION, ++vorder, ConfigDef.Width.MEDIUM, "Identity mode")
                .define(IDENTITY_USER_PROPERTY, Type.STRING, IdentityPolicy.DEFAULT_USER_PROPERTY,
                        new ConfigDef.NonEmptyString(), Importance.LOW,
                        "The MQTT 5 user property carrying the publisher's client id.", GROUP_VALIDATION, ++vorder,
                        ConfigDef.Width.MEDIUM, "Identity user property")
                .define(IDENTITY_CLIENT_ID_PREFIX, Type.STRING, IdentityPolicy.DEFAULT_CLIENT_ID_PREFIX,
                        Importance.LOW, "Agents connect as PREFIX + node id.", GROUP_VALIDATION, ++vorder,
                        ConfigDef.Width.MEDIUM, "Agent client id prefix");
    }

    /** The MQTT connection settings of this task. */
    public MqttClientSettings mqtt() {
        return mqtt;
    }

    /** The task's client-id prefix. */
    public String clientIdPrefix() {
        return getString(CLIENT_ID_PREFIX);
    }

    /** The shared-subscription group, empty for a plain subscription. */
    public Optional<String> sharedGroup() {
        String g = getString(SHARED_GROUP);
        return g == null || g.isBlank() ? Optional.empty() : Optional.of(g.trim());
    }

    /** The subscription filter: {@code $share/GROUP/ROOT/records/+} or {@code ROOT/records/+}. */
    public String subscription() {
        String filter = mqtt.topics().recordsFilter();
        return sharedGroup().map(g -> "$share/" + g + "/" + filter).orElse(filter);
    }

    public Duration sessionExpiry() {
        return Duration.ofSeconds(getLong(SESSION_EXPIRY_SECONDS));
    }

    public int receiveMaximum() {
        return getInt(RECEIVE_MAXIMUM);
    }

    public Duration reconnectBackoffMax() {
        return Duration.ofMillis(getLong(RECONNECT_BACKOFF_MAX_MS));
    }

    public Duration shutdownDrain() {
        return Duration.ofMillis(getLong(SHUTDOWN_DRAIN_MS));
    }

    public int pollMaxMessages() {
        return getInt(POLL_MAX_MESSAGES);
    }

    public Duration pollTimeout() {
        return Duration.ofMillis(getLong(POLL_TIMEOUT_MS));
    }

    public String recordsTopic() {
        return getString(RECORDS_TOPIC);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC);
    }

    /** The identity policy the translator enforces. */
    public IdentityPolicy identity() {
        return new IdentityPolicy(IdentityPolicy.Mode.fromConfigName(getString(IDENTITY_MODE)),
                getString(IDENTITY_USER_PROPERTY), getString(IDENTITY_CLIENT_ID_PREFIX));
    }

    /** The translator this configuration describes. */
    public BatchTranslator translator() {
        return new BatchTranslator(mqtt.topics(), recordsTopic(), deadLetterTopic(), getInt(MAX_PAYLOAD_BYTES),
                identity());
    }
}
