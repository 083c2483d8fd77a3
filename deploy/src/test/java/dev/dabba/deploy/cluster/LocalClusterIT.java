package dev.dabba.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.deploy.DabbaCli;
import dev.dabba.embedded.FreePorts;
import dev.dabba.embedded.MosquittoProbe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dabba cluster up}, the simulator against it, the bill through the API, {@code dabba cluster down}: every
 * component in its own process (Kafka, Connect with the gateway plugin, a Flink JobManager and TaskManager with the
 * job), and nothing of it left running afterwards. Once with this machine's Mosquitto and PostgreSQL where they run
 * (the cluster's own where they do not), once with the cluster's own broker and server.
 */
class LocalClusterIT {

    private static final String SUBSCRIBER = "+91-9876543210";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "reuse this machine's services: {0}")
    @ValueSource(booleans = {true, false})
    void up_simulate_billThroughTheApi_down_leavesNoProcess(boolean reuseMachineServices) throws Exception {
        Path work = tmp.resolve("cluster");
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String topicRoot = "dabba-it/" + suffix;
        String database = "dabba_it_" + suffix;
        boolean machineMqtt = reuseMachineServices && MosquittoProbe.isReachable("127.0.0.1", 1883);
        boolean machinePostgres = reuseMachineServices && canConnect(5432);
        int[] own = FreePorts.pickForServices(2);
        int mqttPort = machineMqtt ? 1883 : own[0];
        int postgresPort = machinePostgres ? 5432 : own[1];

        List<String> up = new ArrayList<>(List.of("cluster", "--work-dir", work.toString(), "up", "--free-ports",
                "--mqtt-port", String.valueOf(mqttPort), "--postgres-port", String.valueOf(postgresPort),
                "--topic-root", topicRoot, "--database", database, "--slots", "1", "--source-tasks", "1"));
        if (!reuseMachineServices) {
            up.add("--own-mqtt");
            up.add("--own-postgres");
        }
        Run started = dabba(up.toArray(String[]::new));
        List<Long> pids = new ArrayList<>();
        try {
            assertThat(started.exit).as("dabba cluster up: %s%s", started.out, started.err).isZero();
            assertThat(started.out).contains("cluster up");

            Run status = dabba("cluster", "--work-dir", work.toString(), "status", "--format", "json");
            JsonNode st = new ObjectMapper().readTree(status.out);
            assertThat(status.exit).as(status.out).isZero();
            assertThat(st.get("healthy").asBoolean()).isTrue();
            for (JsonNode c : st.get("components")) {
                c.get("pids").forEach(p -> pids.add(p.asLong()));
                String key = c.get("component").asText();
                boolean expectManaged = switch (key) {
                    case "mqtt" -> !machineMqtt;
                    case "postgres" -> !machinePostgres;
                    default -> true;
                };
                assertThat(c.get("managed").asBoolean()).as(key + " started by the cluster").isEqualTo(expectManaged);
                if (expectManaged) {
                    assertThat(c.get("pids")).as(key + " pids").isNotEmpty();
                }
            }
            // Separate JVMs: Kafka, Connect, JobManager, TaskManager, API (+ MQTT, PostgreSQL supervisor and server).
            assertThat(pids).doesNotHaveDuplicates().doesNotContain(ProcessHandle.current().pid())
                    .hasSizeGreaterThanOrEqualTo(reuseMachineServices ? 5 : 8);

            String mqttUri = endpointOf(st, "mqtt");
            Run sim = dabba("agent", "simulate", "--scenario", "seed", "--broker", mqttUri, "--topic-root", topicRoot,
                    "--state-dir", tmp.resolve("sim").toString());
            assertThat(sim.exit).as("simulate: %s%s", sim.out, sim.err).isZero();

            String token = Files.readString(work.resolve("api-token"), StandardCharsets.UTF_8).trim();
            String api = endpointOf(st, "api");
            HttpClient http = HttpClient.newHttpClient();
            URI billUri = URI.create(api + "api/v1/subscribers/" + SUBSCRIBER + "/bills/latest");
            HttpResponse<String> unauthorized = http.send(HttpRequest.newBuilder(billUri).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unauthorized.statusCode()).isEqualTo(401);

            JsonNode[] bill = new JsonNode[1];
            await("the seed bill through the API").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(billUri)
                                .header("Authorization", "Bearer " + token).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        bill[0] = new ObjectMapper().readTree(r.body());
                        assertThat(bill[0].get("eventCount").asInt()).isEqualTo(6);
                    });
            assertThat(bill[0].get("total").asText()).isEqualTo("21.90");
            assertThat(bill[0].get("totalPaisa").asLong()).isEqualTo(2190);
            assertThat(bill[0].get("calls").asText()).isEqualTo("8.40");
            assertThat(bill[0].get("data").asText()).isEqualTo("13.50");
            List<String> towers = new ArrayList<>();
            bill[0].get("lines").forEach(l -> towers.add(l.get("tower").asText()));
            assertThat(towers).containsSubsequence("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA");
        } finally {
            Run down = dabba("cluster", "--work-dir", work.toString(), "down");
            assertThat(down.exit).as("dabba cluster down: %s%s", down.out, down.err).isZero();
            if (machinePostgres) {
                dropDatabase(database);
            }
        }
        assertThat(pids).as("processes of the cluster still alive after down")
                .noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
        String workPath = work.toString();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            assertThat(all.filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains(workPath)).orElse(false))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))).as("processes naming " + workPath)
                    .isEmpty();
        }
        Run after = dabba("cluster", "--work-dir", work.toString(), "status");
        assertThat(after.exit).isEqualTo(3);
        assertThat(after.out).contains("no cluster runs from");
    }

    private static String endpointOf(JsonNode st, String component) {
        for (JsonNode c : st.get("components")) {
            if (c.get("component").asText().equals(component)) {
                return c.get("endpoint").asText();
            }
        }
        throw new AssertionError("no " + component + " in status");
    }

    private static boolean canConnect(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", null)) {
            return c.isValid(3);
        } catch (Exception e) {
            return false;
        }
    }

    private static void dropDatabase(String database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null);
             Statement st = c.createStatement()) {
            // The name is this test's own [a-z0-9_] identifier.
            st.execute("drop database if exists " + database.toLowerCase(Locale.ROOT) + " with (force)");
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run dabba(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DabbaCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
