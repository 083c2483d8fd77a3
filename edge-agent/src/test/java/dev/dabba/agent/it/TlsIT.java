package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.LocalMosquitto;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS against a real Mosquitto started by the test with certificates made by openssl (both from
 * Debian's packages; the test skips, saying so, where either is missing).
 */
class TlsIT {

    @TempDir
    Path dir;

    private LocalMosquitto mosquitto;
    private int port;

    private static Path binary(String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ", see " + dir.resolve("openssl.log")).isZero();
    }

    @BeforeEach
    void startTlsMosquitto() throws Exception {
        Path openssl = binary("/usr/bin/openssl", "/usr/local/bin/openssl");
        assumeTrue(LocalMosquitto.binary().isPresent(),
                "no mosquitto binary (apt-get install mosquitto) to run a TLS broker");
        assumeTrue(openssl != null, "no openssl binary (apt-get install openssl) to make test certificates");
        String o = openssl.toString();
        run(o, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=dabba-test-ca");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(o, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                "/CN=localhost");
        run(o, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.crt", "-days", "2", "-extfile", "server.ext");
        run(o, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
                "/CN=dabba-agent-TLS_TOWER");
        run(o, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "client.crt", "-days", "2");
        port = FreePorts.pick();
        mosquitto = LocalMosquitto.start(dir, port, "listener " + port + " 127.0.0.1\n"
                + "cafile " + dir.resolve("ca.crt") + "\n"
                + "certfile " + dir.resolve("server.crt") + "\n"
                + "keyfile " + dir.resolve("server.key") + "\n"
                + "require_certificate true\n"
                + "allow_anonymous true\n"
                + "persistence false\n");
    }

    @AfterEach
    void stop() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    private AgentConfig config(AgentConfig.TlsSettings tls) {
        String uri = "ssl://127.0.0.1:" + port;
        return AgentConfig.of(NodeId.of("TLS_TOWER"), uri, dir.resolve("state"))
                .withMqtt(AgentConfig.MqttSettings.of(uri).withTls(tls).withTopics(Brokers.uniqueTopics()));
    }

    @Test
    void mutualTls_connectsAndPublishes() {
        AgentConfig cfg = config(new AgentConfig.TlsSettings(dir.resolve("ca.crt"), dir.resolve("client.crt"),
                dir.resolve("client.key"), true));
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            assertThat(agent.awaitConnected(Duration.ofSeconds(30))).as(agent.status().lastError()).isTrue();
            agent.record(Msisdn.of("+919876543210"), Instant.parse("2026-11-26T04:30:00Z"),
                    new Usage.Sms(Msisdn.of("+919876543211")));
            agent.flush(Duration.ofSeconds(30));
            assertThat(agent.pendingCount()).isZero();
        }
    }

    @Test
    void withoutAClientCertificate_theBrokerRefuses_andTheAgentKeepsTheRecordsAndSaysWhy() {
        AgentConfig cfg = config(new AgentConfig.TlsSettings(dir.resolve("ca.crt"), null, null, true));
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            agent.record(Msisdn.of("+919876543210"), Instant.parse("2026-11-26T04:30:00Z"),
                    new Usage.Sms(Msisdn.of("+919876543211")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> agent.metrics().get("dabba_agent_mqtt_connect_failures_total") >= 1);
            assertThat(agent.isConnected()).isFalse();
            assertThat(agent.status().lastError()).isNotEmpty();
            assertThat(agent.pendingCount()).isEqualTo(1);
        }
    }

    @Test
    void aBrokerCertificateFromAnotherCa_isRejected() throws Exception {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.crt",
                "-days", "2", "-subj", "/CN=someone-else");
        AgentConfig cfg = config(new AgentConfig.TlsSettings(dir.resolve("other.crt"), dir.resolve("client.crt"),
                dir.resolve("client.key"), true));
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> agent.metrics().get("dabba_agent_mqtt_connect_failures_total") >= 1);
            assertThat(agent.isConnected()).isFalse();
            assertThat(List.of(agent.status().lastError())).isNotEmpty();
        }
    }
}
