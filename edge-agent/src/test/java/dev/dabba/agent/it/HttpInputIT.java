package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.cli.AgentCommand;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.MqttTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector input and the health, status and metrics endpoints, over HTTP. */
class HttpInputIT {

    private static final String DATA = "{\"type\":\"data\",\"subscriber\":\"+91-9876543210\","
            + "\"start\":\"2026-11-26T04:34:00Z\",\"radio\":\"4G\",\"uplinkBytes\":0,\"downlinkBytes\":52428800}\n";
    private static final String CALL = "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\","
            + "\"start\":\"2026-11-26T04:30:00Z\",\"callee\":\"+91-9876543211\",\"callType\":\"VOICE\","
            + "\"durationSeconds\":180}\n";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private AgentConfig config(String brokerUri, MqttTopics topics) {
        return AgentConfig.of(NodeId.of("MUMBAI_BKC"), brokerUri, dir.resolve("state")).withTopics(topics)
                .withInput(AgentConfig.HttpSettings.on("127.0.0.1", 0))
                .withHealth(AgentConfig.HttpSettings.on("127.0.0.1", 0));
    }

    private HttpResponse<String> post(EdgeAgent agent, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.inputAddress().getPort()
                + "/v1/records")).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(EdgeAgent agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.healthAddress().getPort()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jsonLines_areStamped_answeredWithTheirEventIds_andPublished() throws Exception {
        MqttTopics topics = Brokers.uniqueTopics();
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start();
             RecordListener listener = new RecordListener(broker.uri(), topics, false);
             EdgeAgent agent = EdgeAgent.start(config(broker.uri(), topics), Clock.systemUTC())) {
            HttpResponse<String> ok = post(agent, CALL + DATA);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"accepted\":2").contains("\"id\":\"MUMBAI_BKC#1\"")
                    .contains("\"id\":\"MUMBAI_BKC#2\"");
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == 2);

            HttpResponse<String> bad = post(agent, CALL + DATA.replace("\"4G\"", "\"6G\""));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("nothing was recorded").contains("\"line\":2")
                    .contains("\"field\":\"radio\"");
            assertThat(agent.status().sequence()).as("an invalid request stamps nothing").isEqualTo(2);

            HttpResponse<String> tooBig = post(agent, DATA.repeat(40_000));
            assertThat(tooBig.statusCode()).isEqualTo(413);

            HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + agent.inputAddress().getPort() + "/v1/records")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongMethod.statusCode()).isEqualTo(405);

            HttpResponse<String> health = get(agent, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            HttpResponse<String> metrics = get(agent, "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body()).contains("# TYPE dabba_agent_outbox_records gauge")
                    .contains("dabba_agent_records_stamped_total 2").contains("dabba_agent_mqtt_reconnects_total")
                    .contains("dabba_agent_clock_entries 1").contains("dabba_agent_epoch 0")
                    .contains("dabba_agent_input_requests_total{status=\"400\"} 1");
            assertThat(get(agent, "/status").body()).contains("\"node\":\"MUMBAI_BKC\"").contains("\"sequence\":2");

            StringWriter out = new StringWriter();
            int exit = AgentCommand.commandLine().setOut(new PrintWriter(out)).execute("status", "--url",
                    "http://127.0.0.1:" + agent.healthAddress().getPort());
            assertThat(exit).isZero();
            assertThat(out.toString()).contains("MUMBAI_BKC (tower): UP, connected").contains("sequence 2");
        }
    }

    @Test
    void aFullOutbox_answers503WithRetryAfter_andHealthSaysDown() throws Exception {
        String nowhere = "tcp://127.0.0.1:" + FreePorts.pick();
        AgentConfig cfg = config(nowhere, Brokers.uniqueTopics())
                .withOutbox(AgentConfig.OutboxSettings.DEFAULTS.withMaxBytes(128 * 1024, 64 * 1024));
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            HttpResponse<String> r;
            do {
                r = post(agent, DATA.repeat(100));
            } while (r.statusCode() == 200);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(r.body()).contains("outbox full").contains("\"accepted\":0");
            assertThat(get(agent, "/health").statusCode()).isEqualTo(503);
            assertThat(get(agent, "/health").body()).contains("outbox full");

            StringWriter out = new StringWriter();
            int exit = AgentCommand.commandLine().setOut(new PrintWriter(out)).execute("status", "--url",
                    "http://127.0.0.1:" + agent.healthAddress().getPort());
            assertThat(exit).isEqualTo(1);
            assertThat(out.toString()).contains("FULL").contains("NOT connected");
        }
    }
}
