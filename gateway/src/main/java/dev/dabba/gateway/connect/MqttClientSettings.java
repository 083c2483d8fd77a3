package dev.dabba.gateway.connect;

import dev.dabba.record.MqttTopics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How a gateway task connects to the MQTT broker: the settings the MQTT source and the epoch sink share, with the
 * configuration keys that define them.
 *
 * @param serverUris brokers to try in order ({@code tcp://host:1883}, {@code ssl://host:8883}, {@code ws://...},
 *     {@code wss://...})
 * @param clientId this task's MQTT client id; stable across restarts so that its persistent session resumes
 * @param username the gateway's MQTT user name, or null
 * @param password the gateway's MQTT password, or null
 * @param topics the topic layout
 * @param keepAlive MQTT keep-alive interval
 * @param connectionTimeout how long to wait for CONNACK and SUBACK
 * @param ssl Paho SSL properties ({@code com.ibm.ssl.*}) for {@code ssl://} and {@code wss://} URIs, empty for the
 *     JVM defaults
 */
public record MqttClientSettings(List<String> serverUris, String clientId, String username, String password,
        MqttTopics topics, Duration keepAlive, Duration connectionTimeout, Map<String, String> ssl) {

    public static final String SERVER_URIS = "mqtt.server.uris";
    public static final String USERNAME = "mqtt.username";
    public static final String PASSWORD = "mqtt.password";
    public static final String CLIENT_ID = "mqtt.client.id";
    public static final String TOPIC_ROOT = "mqtt.topic.root";
    public static final String KEEPALIVE_SECONDS = "mqtt.keepalive.seconds";
    public static final String CONNECTION_TIMEOUT_SECONDS = "mqtt.connection.timeout.seconds";
    public static final String SSL_TRUSTSTORE_LOCATION = "mqtt.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "mqtt.ssl.truststore.password";
    public static final String SSL_KEYSTORE_LOCATION = "mqtt.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "mqtt.ssl.keystore.password";

    private static final String GROUP = "MQTT connection";

    public MqttClientSettings {
        serverUris = List.copyOf(serverUris);
        if (serverUris.isEmpty()) {
            throw new IllegalArgumentException(SERVER_URIS + " must name at least one broker");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException(CLIENT_ID + " must not be blank");
        }
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        ssl = Map.copyOf(ssl);
    }

    /** Adds the shared MQTT keys to {@code def}; {@code defaultClientId} is null when the key is required. */
    static ConfigDef define(ConfigDef def, String defaultClientId, String clientIdDoc) {
        int order = 0;
        return def
                .define(SERVER_URIS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new ServerUriValidator(), Importance.HIGH,
                        "MQTT brokers to connect to, tried in order: tcp://host:1883, ssl://host:8883, "
                                + "ws://host:8000/mqtt or wss://host:443/mqtt.", GROUP,
                        ++order, ConfigDef.Width.LONG, "MQTT brokers")
                .define(CLIENT_ID, Type.STRING, defaultClientId, Importance.MEDIUM, clientIdDoc, GROUP, ++order,
                        ConfigDef.Width.MEDIUM, "MQTT client id")
                .define(USERNAME, Type.STRING, null, Importance.HIGH,
                        "The gateway's MQTT user name; none when empty.", GROUP, ++order, ConfigDef.Width.MEDIUM,
                        "MQTT user name")
                .define(PASSWORD, Type.PASSWORD, null, Importance.HIGH, "The gateway's MQTT password.", GROUP,
                        ++order, ConfigDef.Width.MEDIUM, "MQTT password")
                .define(TOPIC_ROOT, Type.STRING, MqttTopics.DEFAULT.root(), new TopicRootValidator(),
                        Importance.MEDIUM, "The root of the Dabba MQTT topic layout (records, epochs, ...).", GROUP,
                        ++order, ConfigDef.Width.MEDIUM, "MQTT topic root")
                .define(KEEPALIVE_SECONDS, Type.INT, 30, ConfigDef.Range.between(0, 65_535), Importance.LOW,
                        "MQTT keep-alive interval in seconds.", GROUP, ++order, ConfigDef.Width.SHORT,
                        "Keep-alive (s)")
                .define(CONNECTION_TIMEOUT_SECONDS, Type.INT, 30, ConfigDef.Range.between(1, 3_600), Importance.LOW,
                        "How long to wait for the broker to accept a connection or a subscription, in seconds.",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Connection timeout (s)")
                .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.LOW,
                        "Trust store for ssl:// brokers; the JVM's default trust store when empty.", GROUP, ++order,
                        ConfigDef.Width.LONG, "Trust store")
                .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Trust store password.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Trust store password")
                .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.LOW,
                        "Key store with the gateway's client certificate, for brokers that require one.", GROUP,
                        ++order, ConfigDef.Width.LONG, "Key store")
                .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Key store password.", GROUP,
                        ++order, ConfigDef.Width.MEDIUM, "Key store password");
    }

    /** Reads the shared keys from a parsed configuration. */
    static MqttClientSettings from(AbstractConfig c) {
        String clientId = c.getString(CLIENT_ID);
        if (clientId == null || clientId.isBlank()) {
            throw new ConfigException(CLIENT_ID, clientId, "must not be blank");
        }
        Map<String, String> ssl = new java.util.LinkedHashMap<>();
        putIfSet(ssl, "com.ibm.ssl.trustStore", c.getString(SSL_TRUSTSTORE_LOCATION));
        putIfSet(ssl, "com.ibm.ssl.trustStorePassword", value(c.getPassword(SSL_TRUSTSTORE_PASSWORD)));
        putIfSet(ssl, "com.ibm.ssl.keyStore", c.getString(SSL_KEYSTORE_LOCATION));
        putIfSet(ssl, "com.ibm.ssl.keyStorePassword", value(c.getPassword(SSL_KEYSTORE_PASSWORD)));
        return new MqttClientSettings(c.getList(SERVER_URIS), clientId, blankToNull(c.getString(USERNAME)),
                value(c.getPassword(PASSWORD)), new MqttTopics(c.getString(TOPIC_ROOT)),
                Duration.ofSeconds(c.getInt(KEEPALIVE_SECONDS)),
                Duration.ofSeconds(c.getInt(CONNECTION_TIMEOUT_SECONDS)), ssl);
    }

    /** The SSL settings as Paho wants them, or null when there are none. */
    public Properties sslProperties() {
        if (ssl.isEmpty()) {
            return null;
        }
        Properties p = new Properties();
        p.putAll(ssl);
        return p;
    }

    private static void putIfSet(Map<String, String> m, String key, String value) {
        if (value != null && !value.isBlank()) {
            m.put(key, value);
        }
    }

    private static String value(Password p) {
        return p == null ? null : blankToNull(p.value());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return "MqttClientSettings[" + serverUris + ", client " + clientId + ", user " + username + ", root "
                + topics.root() + "]";
    }

    private static final class ServerUriValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> uris = (List<String>) value;
            if (uris == null || uris.isEmpty()) {
                throw new ConfigException(name, value, "must name at least one broker, e.g. tcp://127.0.0.1:1883");
            }
            for (String uri : uris) {
                String lower = uri.toLowerCase(Locale.ROOT);
                if (!(lower.startsWith("tcp://") || lower.startsWith("ssl://") || lower.startsWith("ws://")
                        || lower.startsWith("wss://"))) {
                    throw new ConfigException(name, uri, "must start with tcp://, ssl://, ws:// or wss://");
                }
            }
        }

        @Override
        public String toString() {
            return "tcp://HOST:PORT, ssl://HOST:PORT, ...";
        }
    }

    private static final class TopicRootValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                new MqttTopics((String) value);
            } catch (RuntimeException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a topic path without wildcards, e.g. dabba/v1";
        }
    }
}
