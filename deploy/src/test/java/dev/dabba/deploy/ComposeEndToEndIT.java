package dev.dabba.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.agent.cli.AgentCommand;
import dev.dabba.embedded.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * {@code deploy/compose.yaml} end to end, where Docker runs: brings the stack up (official Kafka, Flink, Mosquitto
 * and PostgreSQL images, the Connect worker with the gateway plugin, the billing job submitted, the billing API),
 * publishes the seed scenario over MQTT with {@code dabba agent simulate}, and reads the bill back through the API:
 * 840 + 1350 = 2190 paisa. Host ports are moved to free ones, so machine services on the default ports do not clash.
 * Skipped, saying why, where there is no Docker; the same path is covered without Docker by
 * {@code SeedScenarioEndToEndIT} (embedded) and the local cluster's test.
 */
class ComposeEndToEndIT {

    private static final String SUBSCRIBER = "+919876543210";
    private static final String TOKEN = "compose-dev-token-0123456789abcdef";

    @Test
    void theComposeStack_billsTheSeedScenario_readThroughTheApi(@TempDir Path state) throws Exception {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "Docker is not available on this machine (no Docker engine answered), so the compose stack cannot "
                        + "run; compose.yaml itself is checked by ComposeConfigTest");
        Path home = Path.of(System.getProperty("dabba.home", "..")).toAbsolutePath().normalize();
        Path compose = home.resolve("deploy/compose.yaml");
        for (String built : List.of("gateway/target", "stream-jobs/target", "deploy/target/lib")) {
            Assumptions.assumeTrue(Files.isDirectory(home.resolve(built)),
                    "the build outputs compose.yaml mounts are missing (" + built + "): run ./mvnw package first");
        }
        Map<String, String> ports = new LinkedHashMap<>();
        for (String name : List.of("KAFKA", "MQTT", "POSTGRES", "CONNECT", "CONNECT_METRICS", "FLINK",
                "JOBMANAGER_METRICS", "TASKMANAGER_METRICS", "API")) {
            ports.put("DABBA_" + name + "_PORT", Integer.toString(FreePorts.pick()));
        }
        try (ComposeContainer stack = new ComposeContainer(compose.toFile())
                .withLocalCompose(true)
                .withEnv(ports)
                .waitingFor("billing-api", Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(10)))) {
            stack.start();
            String mqtt = "tcp://127.0.0.1:" + ports.get("DABBA_MQTT_PORT");
            int exit = AgentCommand.commandLine().execute("simulate", "--broker", mqtt, "--scenario", "seed",
                    "--state-dir", state.toString());
            assertThat(exit).as("dabba agent simulate --scenario seed").isZero();

            HttpClient http = HttpClient.newHttpClient();
            URI bill = URI.create("http://127.0.0.1:" + ports.get("DABBA_API_PORT") + "/api/v1/subscribers/"
                    + SUBSCRIBER + "/bills/latest");
            ObjectMapper json = new ObjectMapper();
            JsonNode body = Awaitility.await("the seed bill through the API").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(bill)
                                .header("Authorization", "Bearer " + TOKEN).build(),
                                HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 ? json.readTree(r.body()) : null;
                    }, b -> b != null && b.path("lines").size() == 6);
            assertThat(body.path("callsPaisa").asLong()).isEqualTo(840);
            assertThat(body.path("dataPaisa").asLong()).isEqualTo(1350);
            assertThat(body.path("totalPaisa").asLong()).isEqualTo(2190);
        }
    }
}
