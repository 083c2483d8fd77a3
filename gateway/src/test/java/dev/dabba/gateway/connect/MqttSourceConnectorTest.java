package dev.dabba.gateway.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

class MqttSourceConnectorTest {

    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private static Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", MqttSourceConnector.class.getName());
        c.put("key.converter", BYTES);
        c.put("value.converter", BYTES);
        c.put("header.converter", BYTES);
        c.put(MqttClientSettings.SERVER_URIS, "tcp://mqtt:1883");
        return c;
    }

    private static Map<String, List<String>> errors(Config validated) {
        return validated.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    @Test
    void taskConfigs_giveEveryTaskItsOwnStableClientId_andTheSharedSubscription() {
        MqttSourceConnector connector = new MqttSourceConnector();
        connector.start(config());
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).extracting(t -> t.get(MqttClientSettings.CLIENT_ID))
                .containsExactly("dabba-gateway-0", "dabba-gateway-1", "dabba-gateway-2");
        assertThat(new MqttSourceConfig(tasks.get(2)).subscription())
                .isEqualTo("$share/dabba-gateway/dabba/v1/records/+");
    }

    @Test
    void taskConfigs_withoutSharedGroup_runOneTask_sinceEachPlainSubscriberGetsEveryMessage() {
        Map<String, String> c = config();
        c.put(MqttSourceConfig.SHARED_GROUP, "");
        MqttSourceConnector connector = new MqttSourceConnector();
        connector.start(c);
        List<Map<String, String>> tasks = connector.taskConfigs(4);
        assertThat(tasks).hasSize(1);
        assertThat(new MqttSourceConfig(tasks.get(0)).subscription()).isEqualTo("dabba/v1/records/+");
    }

    @Test
    void exactlyOnce_isUnsupported_becauseAPubackCannotJoinAKafkaTransaction() {
        assertThat(new MqttSourceConnector().exactlyOnceSupport(config())).isEqualTo(ExactlyOnceSupport.UNSUPPORTED);
    }

    @Test
    void validate_acceptsTheDocumentedConfiguration() {
        assertThat(errors(new MqttSourceConnector().validate(config()))).isEmpty();
    }

    @Test
    void validate_rejectsConvertersThatChangeBytes_missingConverters_andErrorToleranceAll() {
        Map<String, String> c = config();
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.remove("header.converter");
        c.put("errors.tolerance", "all");
        Map<String, List<String>> errors = errors(new MqttSourceConnector().validate(c));
        assertThat(errors).containsOnlyKeys("value.converter", "header.converter", "errors.tolerance");
        assertThat(errors.get("header.converter").get(0)).contains("the worker's default");
    }

    @Test
    void validate_namesTheKey_ofBadBrokerUrisAndTopicRoots() {
        Map<String, String> c = config();
        c.put(MqttClientSettings.SERVER_URIS, "mqtt:1883");
        c.put(MqttClientSettings.TOPIC_ROOT, "dabba/#");
        c.put(MqttSourceConfig.IDENTITY_MODE, "trust-me");
        assertThat(errors(new MqttSourceConnector().validate(c)))
                .containsOnlyKeys(MqttClientSettings.SERVER_URIS, MqttClientSettings.TOPIC_ROOT,
                        MqttSourceConfig.IDENTITY_MODE);
    }

    @Test
    void start_refusesErrorToleranceAll_evenWithoutValidation() {
        Map<String, String> c = config();
        c.put("errors.tolerance", "all");
        assertThatThrownBy(() -> new MqttSourceConnector().start(c)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("errors.tolerance");
    }

    @Test
    void config_readsTlsAndCredentials_intoPahoSettings() {
        Map<String, String> c = config();
        c.put(MqttClientSettings.USERNAME, "gateway");
        c.put(MqttClientSettings.PASSWORD, "secret");
        c.put(MqttClientSettings.SSL_TRUSTSTORE_LOCATION, "/etc/ts.jks");
        c.put(MqttClientSettings.SSL_TRUSTSTORE_PASSWORD, "ts-secret");
        MqttClientSettings s = new MqttSourceConfig(c).mqtt();
        assertThat(s.username()).isEqualTo("gateway");
        assertThat(s.password()).isEqualTo("secret");
        assertThat(s.sslProperties()).containsEntry("com.ibm.ssl.trustStore", "/etc/ts.jks")
                .containsEntry("com.ibm.ssl.trustStorePassword", "ts-secret");
        assertThat(s.toString()).doesNotContain("secret");
    }

    @Test
    void epochSink_runsOneTask_andNeedsTheByteArrayValueConverter() {
        Map<String, String> c = new HashMap<>();
        c.put(MqttClientSettings.SERVER_URIS, "tcp://mqtt:1883");
        c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        assertThat(errors(new EpochSinkConnector().validate(c))).containsOnlyKeys("value.converter");
        c.put("value.converter", BYTES);
        EpochSinkConnector sink = new EpochSinkConnector();
        sink.start(c);
        assertThat(sink.taskConfigs(5)).hasSize(1);
        assertThat(new EpochSinkConfig(c).mqtt().clientId()).isEqualTo(EpochSinkConfig.DEFAULT_CLIENT_ID);
    }
}
