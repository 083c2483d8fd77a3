package dev.dabba.deploy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfigFile;
import dev.dabba.agent.Profile;
import dev.dabba.deploy.DabbaCli;
import dev.dabba.record.Msisdn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The field configuration examples in {@code deploy/agent/examples} validate through {@code dabba agent run --config
 * FILE --check} (the agent's own loader and validator), with the profile and settings they are examples of. Each is
 * copied into a directory with the secrets it names (password file, CA), as an installed {@code /etc/dabba-agent}
 * holds them.
 */
class AgentExamplesTest {

    private static Path example(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        return dir.resolve("deploy/agent/examples").resolve(name);
    }

    private static Path installed(String name, Path etc) throws Exception {
        Files.writeString(etc.resolve("mqtt-password"), "not-a-real-password\n");
        Files.writeString(etc.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        Path config = etc.resolve("agent.yaml");
        Files.copy(example(name), config);
        return config;
    }

    private static String check(Path config) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("agent", "run", "--config", config.toString(), "--check");
        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    @Test
    void theTowerExample_validates_asATowerWithItsNeighboursAndPrometheusReachableHealth(@TempDir Path etc)
            throws Exception {
        Path config = installed("tower.yaml", etc);

        assertThat(check(config)).contains("config OK: MUMBAI_ANDHERI (tower)")
                .contains("ssl://mqtt.dabba.example:8883");
        AgentConfig cfg = AgentConfigFile.load(config);
        assertThat(cfg.profile()).isEqualTo(Profile.TOWER);
        assertThat(cfg.handover().neighbours()).extracting(Object::toString)
                .containsExactly("MUMBAI_BKC", "MUMBAI_BANDRA", "MUMBAI_DADAR");
        assertThat(cfg.mqtt().password()).isEqualTo("not-a-real-password");
        assertThat(cfg.outbox().maxBytes()).isEqualTo(1L << 30);
        assertThat(cfg.health().host()).isEqualTo("0.0.0.0");
        assertThat(cfg.health().port()).isEqualTo(9741);
    }

    @Test
    void theSensorExample_validates_asASensorWithItsOwnSimAndGossip(@TempDir Path etc) throws Exception {
        Path config = installed("sensor.yaml", etc);

        assertThat(check(config)).contains("config OK: SENSOR_BKC_JUNCTION_01 (sensor)");
        AgentConfig cfg = AgentConfigFile.load(config);
        assertThat(cfg.profile()).isEqualTo(Profile.SENSOR);
        assertThat(cfg.sensor().msisdn()).isEqualTo(Msisdn.of("+919000000001"));
        assertThat(cfg.sensor().gossipInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(cfg.outbox().maxBytes()).isEqualTo(64L << 20);
    }

    @Test
    void anExampleWithATypo_failsTheCheck_namingTheSetting(@TempDir Path etc) throws Exception {
        Path config = installed("sensor.yaml", etc);
        Files.writeString(config, Files.readString(config).replace("gossipInterval:", "gossipIntervall:"));
        StringWriter err = new StringWriter();

        int exit = DabbaCli.commandLine().setErr(new PrintWriter(err))
                .execute("agent", "run", "--config", config.toString(), "--check");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("sensor.gossipIntervall");
    }
}
