package dev.dabba.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AgentConfigFileTest {

    private static final Path BASE = Path.of("/etc/dabba-agent");
    private static final String MINIMAL = "node: MUMBAI_BKC\nmqtt:\n  brokerUri: tcp://broker:1883\n";

    private static String fullExample() throws IOException {
        try (var in = AgentConfigFileTest.class.getResourceAsStream("/agent-full.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void minimalFile_getsTheDocumentedDefaults() {
        AgentConfig c = AgentConfigFile.parse(MINIMAL, "test", BASE);
        assertThat(c.node()).isEqualTo(NodeId.of("MUMBAI_BKC"));
        assertThat(c.profile()).isEqualTo(Profile.TOWER);
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/var/lib/dabba-agent"));
        assertThat(c.clientId()).isEqualTo("dabba-agent-MUMBAI_BKC");
        assertThat(c.mqtt().topics().root()).isEqualTo("dabba/v1");
        assertThat(c.mqtt().sessionExpiry()).isEqualTo(Duration.ofHours(24));
        assertThat(c.outbox()).isEqualTo(AgentConfig.OutboxSettings.DEFAULTS);
        assertThat(c.batch()).isEqualTo(AgentConfig.BatchSettings.DEFAULTS);
        assertThat(c.handover()).isEqualTo(AgentConfig.HandoverSettings.DEFAULTS);
        assertThat(c.input()).isEqualTo(new AgentConfig.HttpSettings(true, "127.0.0.1", 7741, 4 << 20));
        assertThat(c.health()).isEqualTo(new AgentConfig.HttpSettings(true, "127.0.0.1", 9741, 4 << 20));
        assertThat(c.mqtt().tls()).isNull();
    }

    @Test
    void fullExample_parses_withEverySettingAsWritten(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("mqtt-password"), "s3cret\n");
        String yaml = fullExample().replace("/etc/dabba-agent/mqtt-password", dir.resolve("mqtt-password").toString());
        AgentConfig c = AgentConfigFile.parse(yaml, "agent-full.yaml", BASE);
        assertThat(c.mqtt().password()).isEqualTo("s3cret");
        assertThat(c.mqtt().username()).isEqualTo("mumbai-bkc");
        assertThat(c.mqtt().tls().mutual()).isTrue();
        assertThat(c.mqtt().tls().caFile()).isEqualTo(Path.of("/etc/dabba-agent/ca.crt"));
        assertThat(c.outbox().maxBytes()).isEqualTo(256L << 20);
        assertThat(c.batch().maxBytes()).isEqualTo(256 * 1024);
        assertThat(c.batch().linger()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.handover().neighbours()).containsExactly(NodeId.of("MUMBAI_ANDHERI"), NodeId.of("MUMBAI_DADAR"));
        assertThat(c.mqtt().toString()).doesNotContain("s3cret");
    }

    @Test
    void theExampleInTheDocs_isThisTestedFile() throws IOException {
        Path doc = Path.of("..", "docs", "agent-config.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf("```yaml\n# dabba-agent configuration");
        assertThat(start).as("docs/agent-config.md has the full example").isPositive();
        int end = text.indexOf("```\n", start + 8);
        assertThat(text.substring(start + 8, end)).isEqualTo(fullExample());
    }

    @Test
    void sensorProfile_needsItsMsisdn() {
        assertThatThrownBy(() -> AgentConfigFile.parse(MINIMAL + "profile: sensor\n", "test", BASE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sensor.msisdn");
        AgentConfig c = AgentConfigFile.parse(MINIMAL + "profile: sensor\nsensor:\n  msisdn: \"+91-9000000001\"\n"
                + "handover:\n  neighbours: [SENSOR_2]\n", "test", BASE);
        assertThat(c.sensor().msisdn().value()).isEqualTo("+919000000001");
    }

    @Test
    void relativePaths_areRelativeToTheConfigFile() {
        AgentConfig c = AgentConfigFile.parse(MINIMAL + "stateDirectory: state\n", "test", BASE);
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/etc/dabba-agent/state"));
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
                Arguments.of("node: 'MUMBAI BKC'\nmqtt:\n  brokerUri: tcp://b:1883\n", "node"),
                Arguments.of("mqtt:\n  brokerUri: tcp://b:1883\n", "node"),
                Arguments.of("node: A\n", "mqtt"),
                Arguments.of("node: A\nmqtt:\n  brokerUri: http://b\n", "mqtt.brokerUri"),
                Arguments.of(MINIMAL + "profile: phone\n", "profile"),
                Arguments.of(MINIMAL + "  keepAlive: soon\n", "mqtt.keepAlive"),
                Arguments.of(MINIMAL + "  inflightWindow: 0\n", "mqtt.inflightWindow"),
                Arguments.of(MINIMAL + "  sessionExpiry: 0s\n", "mqtt.sessionExpiry"),
                Arguments.of(MINIMAL + "  password: x\n", "mqtt.password"),
                Arguments.of(MINIMAL + "  topicRoot: dabba/#\n", "mqtt.topicRoot"),
                Arguments.of(MINIMAL + "  reconnect:\n    jitter: 2\n", "mqtt.reconnect.jitter"),
                Arguments.of(MINIMAL + "  reconnect:\n    initialDelay: 1m\n    maxDelay: 1s\n",
                        "mqtt.reconnect.maxDelay"),
                Arguments.of(MINIMAL + "  tls:\n    certFile: /c.crt\n", "mqtt.tls.certFile"),
                Arguments.of(MINIMAL + "outbox:\n  maxBytes: lots\n", "outbox.maxBytes"),
                Arguments.of(MINIMAL + "outbox:\n  maxBytes: 1MiB\n  segmentBytes: 1MiB\n", "outbox.maxBytes"),
                Arguments.of(MINIMAL + "outbox:\n  segmentBytes: 1KiB\n", "outbox.segmentBytes"),
                Arguments.of(MINIMAL + "outbox:\n  fsync: sometimes\n", "outbox.fsync"),
                Arguments.of(MINIMAL + "outbox:\n  whenFull: drop\n", "outbox.whenFull"),
                Arguments.of(MINIMAL + "outbox:\n  fsyncInterval: 0ms\n", "outbox.fsyncInterval"),
                Arguments.of(MINIMAL + "batch:\n  maxRecords: 0\n", "batch.maxRecords"),
                Arguments.of(MINIMAL + "batch:\n  maxBytes: 100\n", "batch.maxBytes"),
                Arguments.of(MINIMAL + "batch:\n  linger: 2m\n", "batch.linger"),
                Arguments.of(MINIMAL + "batch:\n  zstdLevel: 42\n", "batch.zstdLevel"),
                Arguments.of(MINIMAL + "handover:\n  neighbours: MUMBAI_DADAR\n", "handover.neighbours"),
                Arguments.of(MINIMAL + "handover:\n  neighbours: [MUMBAI_BKC]\n", "handover.neighbours"),
                Arguments.of(MINIMAL + "handover:\n  maxHeld: -1\n", "handover.maxHeld"),
                Arguments.of(MINIMAL + "sensor:\n  msisdn: 12345\n", "sensor.msisdn"),
                Arguments.of(MINIMAL + "input:\n  port: 70000\n", "input.port"),
                Arguments.of(MINIMAL + "input:\n  enabled: maybe\n", "input.enabled"),
                Arguments.of(MINIMAL + "health:\n  port: 7741\n", "input.port"),
                Arguments.of(MINIMAL + "clock:\n  maxOffset: -1s\n", "clock.maxOffset"),
                Arguments.of(MINIMAL + "outbox:\n  maxbytes: 1GiB\n", "outbox.maxbytes"),
                Arguments.of(MINIMAL + "color: blue\n", "color"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidFields")
    void anInvalidSetting_givesAProblemNamingIt(String yaml, String field) {
        assertThatThrownBy(() -> AgentConfigFile.parse(yaml, "agent.yaml", BASE))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigException.Problem::field).contains(field);
                    assertThat(e.getMessage()).contains("agent.yaml").contains(field);
                });
    }

    @Test
    void everyProblem_isReportedAtOnce_withItsLine() {
        String yaml = "node: A\nmqtt:\n  brokerUri: tcp://b:1883\n  keepAlive: x\noutbox:\n  fsync: y\n";
        assertThatThrownBy(() -> AgentConfigFile.parse(yaml, "agent.yaml", BASE))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                new ConfigException.Problem("mqtt.keepAlive", 4,
                                        "must be a duration like 500ms, 30s, 2m, 1h or 1d, was 'x'"),
                                new ConfigException.Problem("outbox.fsync", 6,
                                        "must be one of record, batch, interval, was 'y'")));
    }

    @Test
    void aTypoInAKey_suggestsTheSetting() {
        assertThatThrownBy(() -> AgentConfigFile.parse(MINIMAL + "outbox:\n  maxbytes: 1GiB\n", "a", BASE))
                .hasMessageContaining("did you mean outbox.maxBytes");
    }

    @Test
    void load_ofAMissingFile_namesIt() {
        assertThatThrownBy(() -> AgentConfigFile.load(Path.of("/nonexistent/agent.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/nonexistent/agent.yaml");
    }

    @Test
    void theInstallableDefaultConfig_parses() {
        Path shipped = Path.of("..", "deploy", "agent", "agent.yaml");
        AgentConfig c = AgentConfigFile.load(shipped);
        assertThat(c.profile()).isEqualTo(Profile.TOWER);
        assertThat(List.of(c.input().enabled(), c.health().enabled())).containsOnly(true);
    }
}
