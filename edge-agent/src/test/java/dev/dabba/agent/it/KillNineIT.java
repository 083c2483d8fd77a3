package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.EventId;
import dev.dabba.record.MqttTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of an agent process in the middle of a stream: every record whose request the agent had answered with
 * 200 reaches the broker after a restart, and no event id ever stands for two different records.
 */
class KillNineIT {

    private static final Pattern ID = Pattern.compile("\"id\":\"(KILL_TOWER#(\\d+))\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicInteger counter = new AtomicInteger();

    @Test
    void everyAcknowledgedRecord_reachesTheBroker_afterKill9AndRestart() throws Exception {
        MqttTopics topics = Brokers.uniqueTopics();
        int[] ports = FreePorts.pick(2);
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start();
             RecordListener listener = new RecordListener(broker.uri(), topics, false)) {
            Path config = dir.resolve("agent.yaml");
            Files.writeString(config, "node: KILL_TOWER\n"
                    + "stateDirectory: " + dir.resolve("state") + "\n"
                    + "mqtt:\n  brokerUri: " + broker.uri() + "\n  topicRoot: " + topics.root() + "\n"
                    + "outbox:\n  fsync: batch\n"
                    + "input:\n  port: " + ports[0] + "\n"
                    + "health:\n  port: " + ports[1] + "\n");
            Path log = dir.resolve("agent.log");
            Set<EventId> acknowledged = new HashSet<>();
            long lastBeforeKill;
            try (ChildAgent first = ChildAgent.start(config, ports[1], log)) {
                await().atMost(Duration.ofSeconds(60)).until(first::healthy);
                for (int i = 0; i < 30; i++) {
                    acknowledged.addAll(post(ports[0], 50));
                }
                // Keep streaming from another thread and kill the agent in the middle of it.
                Thread streamer = new Thread(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        try {
                            List<EventId> ids = post(ports[0], 50);
                            synchronized (acknowledged) {
                                acknowledged.addAll(ids);
                            }
                        } catch (IOException e) {
                            return; // the agent is gone: these lines were never acknowledged
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                streamer.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    synchronized (acknowledged) {
                        return acknowledged.size() >= 3_000;
                    }
                });
                first.kill9();
                streamer.join(30_000);
                assertThat(first.isAlive()).isFalse();
            }
            synchronized (acknowledged) {
                lastBeforeKill = acknowledged.stream().mapToLong(EventId::sequence).max().orElseThrow();
            }
            try (ChildAgent second = ChildAgent.start(config, ports[1], log)) {
                await().atMost(Duration.ofSeconds(60)).until(second::healthy);
                List<EventId> after = post(ports[0], 50);
                assertThat(after).allSatisfy(id -> assertThat(id.sequence()).isGreaterThan(lastBeforeKill));
                acknowledged.addAll(after);
                await().atMost(Duration.ofSeconds(60)).until(() -> listener.ids().containsAll(acknowledged));
                assertThat(listener.conflicting()).as("an event id always stands for the same record").isEmpty();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> second.metrics().contains("dabba_agent_outbox_records 0\n"));
            }
        }
    }

    private List<EventId> post(int port, int lines) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int n = counter.incrementAndGet();
            body.append("{\"type\":\"data\",\"subscriber\":\"+9198").append(String.format("%08d", n % 1000))
                    .append("\",\"start\":\"2026-11-26T04:30:00Z\",\"radio\":\"4G\",\"uplinkBytes\":").append(n)
                    .append(",\"downlinkBytes\":").append(n * 10L).append("}\n");
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/records")).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
        }
        java.util.ArrayList<EventId> ids = new java.util.ArrayList<>();
        Matcher m = ID.matcher(r.body());
        while (m.find()) {
            ids.add(EventId.parse(m.group(1)));
        }
        assertThat(ids).hasSize(lines);
        return ids;
    }
}
