package dev.dabba.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.gateway.connect.EpochSinkConnector;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.connect.MqttSourceConnector;
import dev.dabba.gateway.internal.ConnectorRules;
import dev.dabba.record.MqttTopics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    /** deploy/connect/ beside this module: the files operators copy must stay valid. */
    private static final Path DEPLOY = Paths.get("..", "deploy", "connect");

    @Test
    void builder_derivesClientIdsAndTheSubscription_fromOnePrefixAndGroup() {
        GatewayConfig c = GatewayConfig.builder("tcp://mqtt:1883", "kafka:9092").topics(new MqttTopics("t/v1"))
                .clientIdPrefix("gw").sharedGroup("grp").sourceTasks(2).build();
        assertThat(c.source(1).mqtt().clientId()).isEqualTo("gw-1");
        assertThat(c.source(0).subscription()).isEqualTo("$share/grp/t/v1/records/+");
        assertThat(c.epochRelayProperties()).containsEntry("mqtt.client.id", "gw-epochs");
        assertThat(c.kafkaClientProperties()).containsEntry("bootstrap.servers", "kafka:9092");
    }

    @Test
    void severalTasksWithoutSharedGroup_areRefused_namingTheKey() {
        assertThatThrownBy(() -> GatewayConfig.builder("tcp://mqtt:1883", "kafka:9092").sharedGroup("")
                .sourceTasks(2).build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(MqttSourceConfig.SHARED_GROUP);
    }

    @Test
    void badValues_areRefused_namingTheKey() {
        assertThatThrownBy(() -> GatewayConfig.builder("tcp://mqtt:1883", "kafka:9092")
                .set(MqttSourceConfig.RECEIVE_MAXIMUM, "0").build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(MqttSourceConfig.RECEIVE_MAXIMUM);
        assertThatThrownBy(() -> GatewayConfig.fromProperties(Map.of("mqtt.server.uris", "tcp://m:1883")))
                .hasMessageContaining(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS);
        assertThatThrownBy(() -> GatewayConfig.builder("tcp://mqtt:1883", "kafka:9092")
                .set(GatewayConfig.EPOCH_RELAY, "yes").build()).hasMessageContaining(GatewayConfig.EPOCH_RELAY);
    }

    @Test
    void toString_hidesPasswords() {
        GatewayConfig c = GatewayConfig.builder("tcp://mqtt:1883", "kafka:9092").credentials("gw", "s3cret")
                .build();
        assertThat(c.toString()).contains("[hidden]").doesNotContain("s3cret");
    }

    @Test
    void deployedEmbeddedConfiguration_isValid() {
        GatewayConfig c = GatewayConfig.load(DEPLOY.resolve("gateway.properties"));
        assertThat(c.sourceTasks()).isEqualTo(2);
        assertThat(c.epochRelay()).isTrue();
    }

    @Test
    void deployedConnectorConfigurations_passTheConnectorsOwnValidation() throws IOException {
        Map<String, String> source = json(DEPLOY.resolve("mqtt-source.json"));
        assertThat(new MqttSourceConnector().validate(source).configValues())
                .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
        assertThat(ConnectorRules.sourceProblems(source)).isEmpty();
        Map<String, String> sink = json(DEPLOY.resolve("epoch-sink.json"));
        assertThat(new EpochSinkConnector().validate(sink).configValues())
                .extracting(ConfigValue::errorMessages).allSatisfy(e -> assertThat(e).isEmpty());
    }

    @Test
    void deployedWorkerConfiguration_isAValidDistributedWorkerConfig() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(DEPLOY.resolve("worker.properties"))) {
            p.load(in);
        }
        Map<String, String> props = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        DistributedConfig config = new DistributedConfig(props);
        assertThat(config.getString("group.id")).isEqualTo("dabba-connect");
    }

    @Test
    void command_check_validatesTheFile_andPrintsWhatItWouldRun() {
        StringWriter out = new StringWriter();
        int exit = new GatewayCommand().commandLine().setOut(new PrintWriter(out))
                .execute("--config", DEPLOY.resolve("gateway.properties").toString(), "--check");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("is valid").contains("$share/dabba-gateway/dabba/v1/records/+");
    }

    @Test
    void command_withInvalidFile_exitsWithUsageError_namingTheKey(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "kafka.bootstrap.servers=k:9092\nmqtt.server.uris=mqtt:1883\n");
        StringWriter err = new StringWriter();
        int exit = new GatewayCommand().commandLine().setErr(new PrintWriter(err))
                .execute("--config", file.toString(), "--check");
        assertThat(exit).isEqualTo(GatewayCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("mqtt.server.uris");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> json(Path file) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(file.toFile(), Map.class);
    }
}
