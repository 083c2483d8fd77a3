package dev.dabba.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dabba.record.KafkaTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code deploy/compose.yaml} without Docker: every image pinned (no {@code latest}, versions the build uses), one
 * service per host port, every file it mounts present (build outputs named as the build names them), the connector
 * configurations it creates accepted by the connectors, the topics it creates named as the code names them, and the
 * billing job submitted with arguments its main accepts.
 */
class ComposeConfigTest {

    /** {@code "${DABBA_X_PORT:-1234}:5678"}: a host port that a variable may move, and its default. */
    private static final Pattern HOST_PORT = Pattern.compile("\\$\\{DABBA_[A-Z_]+_PORT:-(\\d+)}:\\d+");
    private static final Path DEPLOY = RepoFiles.root().resolve("deploy");
    private static JsonNode compose;

    @BeforeAll
    static void parse() {
        compose = RepoFiles.yaml("deploy/compose.yaml");
    }

    private static Map<String, JsonNode> services() {
        Map<String, JsonNode> s = new LinkedHashMap<>();
        compose.path("services").properties().forEach(e -> s.put(e.getKey(), e.getValue()));
        return s;
    }

    @Test
    void theStackHasEveryComponent() {
        assertThat(services().keySet()).contains("kafka", "kafka-topics", "mosquitto", "postgres", "connect",
                "connectors", "jobmanager", "taskmanager", "job", "billing-api");
    }

    @Test
    void everyImage_isPinned_andMatchesTheVersionsTheBuildUses() {
        String flink = Poms.property("flink.version");
        String kafka = Poms.property("kafka.version");
        for (Map.Entry<String, JsonNode> e : services().entrySet()) {
            String image = e.getValue().path("image").asText();
            assertThat(image).as("service %s image", e.getKey()).matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+");
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertThat(tag).as("service %s", e.getKey()).isNotEqualTo("latest").matches(".*\\d.*");
            if (image.startsWith("flink:")) {
                assertThat(tag).as("Flink image of %s", e.getKey()).startsWith(flink + "-").contains("java17");
            }
            if (image.startsWith("apache/kafka:")) {
                assertThat(tag).as("Kafka image of %s", e.getKey()).isEqualTo(kafka);
            }
            if (image.startsWith("eclipse-temurin:")) {
                assertThat(tag).as("Java of %s", e.getKey()).startsWith("17");
            }
        }
    }

    @Test
    void hostPorts_areUnique_andTheDocumentedOnes() {
        Map<Integer, String> byPort = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : services().entrySet()) {
            for (JsonNode p : e.getValue().path("ports")) {
                Matcher m = HOST_PORT.matcher(p.asText());
                assertThat(m.matches()).as("port mapping %s of %s", p.asText(), e.getKey()).isTrue();
                int host = Integer.parseInt(m.group(1));
                String previous = byPort.put(host, e.getKey());
                assertThat(previous).as("host port %d of %s", host, e.getKey()).isNull();
            }
        }
        assertThat(byPort).containsExactlyInAnyOrderEntriesOf(Map.of(9092, "kafka", 1883, "mosquitto",
                5432, "postgres", 8083, "connect", 9404, "connect", 8081, "jobmanager", 9249, "jobmanager",
                9250, "taskmanager", 8080, "billing-api"));
    }

    @Test
    void everyMountedFile_existsOrIsTheBuildOutputOfThatName() throws Exception {
        String version = Poms.projectVersion();
        Map<String, String> buildOutputs = Map.of(
                "../gateway/target/dabba-gateway-" + version + "-connect-plugin.jar", "gateway plugin",
                "../stream-jobs/target/dabba-stream-jobs-" + version + "-job.jar", "job jar",
                "./target/agents/jmx_prometheus_javaagent-" + Poms.managedVersion("jmx_prometheus_javaagent")
                        + ".jar", "JMX exporter agent",
                "./target/classes", "deploy classes",
                "./target/lib", "deploy runtime class path");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : services().entrySet()) {
            for (JsonNode v : e.getValue().path("volumes")) {
                String source = v.asText().split(":")[0];
                if (!source.startsWith(".")) {
                    assertThat(compose.path("volumes").has(source)).as("named volume %s is declared", source)
                            .isTrue();
                    continue;
                }
                if (source.contains("/target/")) {
                    assertThat(buildOutputs).as("%s mounts a build output the build makes", e.getKey())
                            .containsKey(source);
                } else if (!Files.exists(DEPLOY.resolve(source))) {
                    missing.add(e.getKey() + ": " + source);
                }
            }
        }
        assertThat(missing).as("mounted files missing from deploy/").isEmpty();
    }

    @Test
    void theConnectorsItCreates_areAcceptedByTheGatewaysConnectors() throws Exception {
        for (String file : List.of("compose/mqtt-source.json", "compose/epoch-sink.json")) {
            Map<String, String> config = new LinkedHashMap<>();
            RepoFiles.JSON.readTree(DEPLOY.resolve(file).toFile()).properties()
                    .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            ConnectorConfigs.check(file, config);
        }
    }

    @Test
    void theTopicsItCreates_areTheCodesTopics() throws Exception {
        Matcher m = Pattern.compile("--topic (\\S+)").matcher(Files.readString(DEPLOY.resolve(
                "compose/create-topics.sh")));
        List<String> topics = new ArrayList<>();
        while (m.find()) {
            topics.add(m.group(1));
        }
        assertThat(topics).containsExactlyInAnyOrder(KafkaTopics.RECORDS, KafkaTopics.DEAD_LETTERS,
                KafkaTopics.BILL_UPDATES, KafkaTopics.EPOCHS, KafkaTopics.ALERTS);
    }

    @Test
    void theJobIsSubmittedWithArgumentsItsMainAccepts() throws Exception {
        String script = Files.readString(DEPLOY.resolve("compose/submit-job.sh")).replace("\\\n", " ");
        Matcher m = Pattern.compile("-c (\\S+) /opt/dabba/dabba-stream-jobs-job.jar ([^\\n]+)").matcher(script);
        assertThat(m.find()).as("submit-job.sh runs flink run -c MAIN JAR ARGS").isTrue();
        Class<?> main = Class.forName(m.group(1));
        assertThat(main.getName()).isEqualTo("dev.dabba.jobs.BillingJobMain");
        String[] args = m.group(2).trim().split("\\s+");
        CommandLine.ParseResult parsed = new CommandLine(main.getConstructor().newInstance()).parseArgs(args);
        assertThat(parsed.matchedOptionValue("--bootstrap-servers", "")).isEqualTo("kafka:19092");
        assertThat(parsed.matchedOptionValue("--jdbc-url", "")).isEqualTo("jdbc:postgresql://postgres:5432/dabba");
        assertThat(services().get("job").path("volumes").toString()).contains("/opt/dabba/dabba-stream-jobs-job.jar");
    }
}
