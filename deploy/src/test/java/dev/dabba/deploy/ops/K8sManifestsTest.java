package dev.dabba.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dabba.deploy.DabbaCli;
import dev.dabba.record.KafkaTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes manifests in {@code deploy/k8s} against the code: kinds and API versions of the operators they
 * target (Strimzi, the Flink Kubernetes Operator, the Prometheus Operator), topics equal to {@link KafkaTopics},
 * connector classes that exist and configurations their {@code config()} and {@code validate()} accept, the
 * FlinkDeployment's entry class and arguments accepted by its main, and the API's arguments by {@code dabba serve}.
 * The connector configurations of {@code deploy/connect} are checked the same way.
 */
class K8sManifestsTest {

    private static final Path K8S = RepoFiles.root().resolve("deploy/k8s");
    private static final Set<String> KINDS = Set.of(
            "v1/Namespace", "v1/Secret", "v1/Service", "apps/v1/Deployment",
            "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding",
            "kafka.strimzi.io/v1beta2/Kafka", "kafka.strimzi.io/v1beta2/KafkaNodePool",
            "kafka.strimzi.io/v1beta2/KafkaTopic", "kafka.strimzi.io/v1beta2/KafkaConnect",
            "kafka.strimzi.io/v1beta2/KafkaConnector", "flink.apache.org/v1beta1/FlinkDeployment",
            "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/ServiceMonitor",
            "kustomize.config.k8s.io/v1beta1/Kustomization");

    private static List<JsonNode> docs;

    @BeforeAll
    static void parse() throws Exception {
        docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                docs.addAll(RepoFiles.yamlDocuments(f));
            }
        }
    }

    private static List<JsonNode> ofKind(String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode one(String kind) {
        List<JsonNode> all = ofKind(kind);
        assertThat(all).as("exactly one %s", kind).hasSize(1);
        return all.get(0);
    }

    @Test
    void everyDocument_isAKnownKindAtItsApiVersion_inTheDabbaNamespace() {
        assertThat(docs).isNotEmpty();
        for (JsonNode d : docs) {
            String kind = d.path("apiVersion").asText() + "/" + d.path("kind").asText();
            assertThat(KINDS).as("apiVersion/kind").contains(kind);
            if (kind.endsWith("/Kustomization") || kind.equals("v1/Namespace")) {
                continue;
            }
            assertThat(d.path("metadata").path("name").asText()).as("%s name", kind).matches("[a-z0-9.-]+");
            assertThat(d.path("metadata").path("namespace").asText()).as("%s namespace", kind).isEqualTo("dabba");
        }
    }

    @Test
    void theKustomization_listsEveryManifestButTheOptionalMonitoring() throws Exception {
        JsonNode k = one("Kustomization");
        List<String> listed = new ArrayList<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files;
        try (Stream<Path> s = Files.list(K8S)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml") && !n.equals("monitoring.yaml"))
                    .collect(Collectors.toSet());
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void kafka_runsInKRaftModeWithANodePoolOfControllersAndBrokers() {
        JsonNode kafka = one("Kafka");
        assertThat(kafka.path("metadata").path("annotations").path("strimzi.io/kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.path("metadata").path("annotations").path("strimzi.io/node-pools").asText())
                .isEqualTo("enabled");
        JsonNode pool = one("KafkaNodePool");
        assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                .isEqualTo(kafka.path("metadata").path("name").asText());
        assertThat(pool.path("spec").path("roles")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("controller", "broker");
        assertThat(kafka.path("spec").path("kafka").path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
    }

    @Test
    void theTopics_areTheCodesTopics_withTheArchitecturesLayout() {
        String cluster = one("Kafka").path("metadata").path("name").asText();
        Map<String, JsonNode> topics = new LinkedHashMap<>();
        for (JsonNode t : ofKind("KafkaTopic")) {
            assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(cluster);
            topics.put(t.path("spec").path("topicName").asText(), t.path("spec"));
        }
        assertThat(topics.keySet()).containsExactlyInAnyOrder(KafkaTopics.RECORDS, KafkaTopics.DEAD_LETTERS,
                KafkaTopics.BILL_UPDATES, KafkaTopics.EPOCHS, KafkaTopics.ALERTS);
        for (JsonNode t : topics.values()) {
            assertThat(t.path("replicas").asInt()).isEqualTo(3);
            assertThat(t.path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
        }
        JsonNode epochs = topics.get(KafkaTopics.EPOCHS);
        assertThat(epochs.path("partitions").asInt()).isEqualTo(1);
        assertThat(epochs.path("config").path("cleanup.policy").asText()).isEqualTo("compact");
        assertThat(epochs.path("config").path("retention.ms").asLong()).isEqualTo(-1);
        assertThat(epochs.path("config").path("min.compaction.lag.ms").asLong()).isEqualTo(3_600_000);
        assertThat(topics.get(KafkaTopics.BILL_UPDATES).path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        JsonNode records = topics.get(KafkaTopics.RECORDS);
        assertThat(records.path("partitions").asInt()).isBetween(12, 48);
        assertThat(records.path("config").path("retention.ms").asLong()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(topics.get(KafkaTopics.DEAD_LETTERS).path("config").path("retention.ms").asLong())
                .isEqualTo(30L * 24 * 3600 * 1000);
    }

    @Test
    void kafkaConnect_buildsTheGatewayPlugin_andExportsMetricsWithTheExporterRules() {
        JsonNode connect = one("KafkaConnect");
        assertThat(connect.path("metadata").path("annotations").path("strimzi.io/use-connector-resources").asText())
                .isEqualTo("true");
        assertThat(connect.path("spec").path("bootstrapServers").asText())
                .isEqualTo(one("Kafka").path("metadata").path("name").asText() + "-kafka-bootstrap:9092");
        String url = connect.path("spec").path("build").path("plugins").path(0).path("artifacts").path(0)
                .path("url").asText();
        assertThat(url).endsWith("/dabba-gateway-" + Poms.projectVersion() + "-connect-plugin.jar");
        assertThat(connect.path("spec").path("metricsConfig").path("valueFrom").path("configMapKeyRef")
                .path("key").asText()).isEqualTo("connect-jmx-exporter.yaml");
        assertThat(RepoFiles.file("deploy/prometheus/connect-jmx-exporter.yaml")).exists();
    }

    @Test
    void theConnectors_nameRealClasses_andTheirConfigurationsAreAcceptedByThem() throws Exception {
        String cluster = one("KafkaConnect").path("metadata").path("name").asText();
        List<JsonNode> connectors = ofKind("KafkaConnector");
        assertThat(connectors).hasSize(2);
        for (JsonNode c : connectors) {
            String name = c.path("metadata").path("name").asText();
            assertThat(c.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(cluster);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("connector.class", c.path("spec").path("class").asText());
            config.put("tasks.max", c.path("spec").path("tasksMax").asText());
            c.path("spec").path("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            assertThat(config).as("%s: class and tasksMax are spec fields", name)
                    .doesNotContainValue("");
            ConnectorConfigs.check("KafkaConnector " + name, config);
        }
    }

    @Test
    void theConnectorConfigsOfDeployConnect_areAcceptedByTheConnectors() throws Exception {
        for (String file : List.of("deploy/connect/mqtt-source.json", "deploy/connect/epoch-sink.json")) {
            Map<String, String> config = new LinkedHashMap<>();
            RepoFiles.JSON.readTree(RepoFiles.file(file).toFile()).properties()
                    .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            ConnectorConfigs.check(file, config);
        }
    }

    @Test
    void theFlinkDeployment_runsTheBillingJobsMain_withArgumentsItAccepts_fromTheImageThatHoldsTheJar()
            throws Exception {
        JsonNode spec = one("FlinkDeployment").path("spec");
        String flink = Poms.property("flink.version");
        assertThat(spec.path("flinkVersion").asText())
                .isEqualTo("v" + flink.substring(0, flink.lastIndexOf('.')).replace('.', '_'));
        JsonNode job = spec.path("job");
        Class<?> main = Class.forName(job.path("entryClass").asText());
        assertThat(main.getName()).isEqualTo("dev.dabba.jobs.BillingJobMain");
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        CommandLine.ParseResult parsed = new CommandLine(main.getConstructor().newInstance())
                .parseArgs(args.toArray(String[]::new));
        assertThat(parsed.matchedOptionValue("--bootstrap-servers", ""))
                .isEqualTo(one("Kafka").path("metadata").path("name").asText() + "-kafka-bootstrap:9092");
        assertThat(args).as("no password in the arguments").doesNotContain("--db-password");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        String jar = job.path("jarURI").asText();
        assertThat(jar).startsWith("local://");
        String dockerfile = Files.readString(K8S.resolve("images/billing-job.Dockerfile"));
        assertThat(dockerfile).contains("FROM flink:" + flink + "-java17")
                .contains("stream-jobs/target/dabba-stream-jobs-" + Poms.projectVersion() + "-job.jar "
                        + jar.substring("local://".length()));
    }

    @Test
    void theFlinkDeployment_keepsStateInRocksDb_withIncrementalCheckpoints_inKeysFlinkReads() {
        java.util.Map<String, String> conf = new java.util.TreeMap<>();
        one("FlinkDeployment").path("spec").path("flinkConfiguration").properties()
                .forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
        org.apache.flink.configuration.Configuration flink = org.apache.flink.configuration.Configuration.fromMap(conf);
        assertThat(flink.get(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(org.apache.flink.configuration.CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(flink.get(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .as("the checkpoint directory, under the key this Flink reads").startsWith("s3://");
        assertThat(flink.get(org.apache.flink.configuration.CheckpointingOptions.SAVEPOINT_DIRECTORY))
                .startsWith("s3://");
    }

    @Test
    void theBillingApi_servesWithArgumentsDabbaServeAccepts_andItsSecretsExist() {
        JsonNode deployment = ofKind("Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().equals("dabba-billing-api")).findFirst()
                .orElseThrow();
        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").path(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args.get(0)).isEqualTo("serve");
        CommandLine.ParseResult parsed = DabbaCli.commandLine().parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().matchedOptionValue("--token-file", (Object) null)).isNotNull();
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/api/v1/health");
        Set<String> secrets = ofKind("Secret").stream().map(s -> s.path("metadata").path("name").asText())
                .collect(Collectors.toSet());
        assertThat(secrets).contains("dabba-api-token", "dabba-db", "dabba-mqtt");
        JsonNode service = ofKind("Service").stream()
                .filter(s -> s.path("metadata").path("name").asText().equals("dabba-billing-api")).findFirst()
                .orElseThrow();
        assertThat(service.path("spec").path("selector").path("app").asText())
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels").path("app").asText());
    }
}
