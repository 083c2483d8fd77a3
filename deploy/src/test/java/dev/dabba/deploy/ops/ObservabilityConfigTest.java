package dev.dabba.deploy.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.billing.BillServer;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.FreePorts;
import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.jobs.JobMetrics;
import java.lang.reflect.Field;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker;
import org.apache.flink.runtime.metrics.MetricNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The Grafana dashboard, the Prometheus scrape configuration and the alert rules in {@code deploy/} against the
 * metrics the components really register: a dashboard panel or alert on a renamed metric fails here, not in
 * production.
 *
 * <p>The names come from the code: the agent's and the billing API's by scraping a real agent (started against an
 * unreachable broker) and a real bill server (against an unreachable database); the billing job's from
 * {@link JobMetrics} and Flink's own metric-name constants; the gateway's from {@link GatewayMetrics} through the JMX
 * exporter's naming (prefix {@code dabba_gateway_}, hyphens to underscores); Connect's task status from the exporter
 * rules.
 */
class ObservabilityConfigTest {

    private static final String DASHBOARD = "deploy/grafana/dabba-dashboard.json";
    private static final String ALERTS = "deploy/prometheus/alerts.yaml";
    private static final String PROMETHEUS = "deploy/prometheus/prometheus.yml";
    private static final String OPERATIONS = "docs/operations.md";

    /** Topics the dashboard must cover, by panel title. */
    private static final List<String> REQUIRED_PANELS = List.of("Agent outbox depth", "Agent outbox bytes",
            "Publish rate", "End-to-end lag", "Causal buffer size", "Released with flag", "Dead letters",
            "Bill updates and revisions", "Kafka Connect task status", "Flink checkpoints", "Billing job running",
            "API requests");

    /** Alerts the rules must define. */
    private static final List<String> REQUIRED_ALERTS = List.of("DabbaAgentOutboxFull", "DabbaAgentOutboxFilling",
            "DabbaAgentDisconnected", "DabbaDeadLettersRising", "DabbaCausalBufferGrowing", "DabbaFlaggedReleases",
            "DabbaBillingJobNotRunning", "DabbaCheckpointFailures", "DabbaEndToEndLagHigh", "DabbaApiDown");

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Set<String> registered;

    @BeforeAll
    static void registeredMetricNames(@TempDir Path dir) throws Exception {
        Set<String> names = new TreeSet<>();
        names.add("up"); // Prometheus's own, per scrape target
        AgentConfig agent = AgentConfig.of(NodeId.of("MUMBAI_BKC"), "tcp://127.0.0.1:" + FreePorts.pick(),
                dir.resolve("agent")).withHealth(AgentConfig.HttpSettings.DISABLED)
                .withInput(AgentConfig.HttpSettings.DISABLED);
        try (EdgeAgent a = EdgeAgent.start(agent, Clock.systemUTC())) {
            names.addAll(exposition(a.prometheusMetrics()));
        }
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
        try (BillServer api = BillServer.start(BillServer.Config.loopback(0, nowhere, "token-0123456789abcdef"))) {
            String body = HTTP.send(HttpRequest.newBuilder(api.uri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            names.addAll(exposition(body));
        }
        for (String name : JobMetrics.ALL) {
            names.add(JobMetrics.prometheusName(name));
        }
        names.add("flink_jobmanager_" + MetricNames.NUM_RUNNING_JOBS);
        names.add("flink_jobmanager_job_" + MetricNames.NUM_RESTARTS);
        for (String constant : List.of("NUMBER_OF_COMPLETED_CHECKPOINTS_METRIC",
                "NUMBER_OF_FAILED_CHECKPOINTS_METRIC", "LATEST_COMPLETED_CHECKPOINT_DURATION_METRIC",
                "LATEST_COMPLETED_CHECKPOINT_SIZE_METRIC")) {
            Field f = DefaultCheckpointStatsTracker.class.getDeclaredField(constant);
            f.setAccessible(true);
            names.add("flink_jobmanager_job_" + f.get(null));
        }
        for (String name : GatewayMetrics.Snapshot.EMPTY.byName().keySet()) {
            names.add("dabba_gateway_" + name.replace('-', '_'));
        }
        for (JsonNode rule : RepoFiles.yaml("deploy/prometheus/connect-jmx-exporter.yaml").path("rules")) {
            String name = rule.path("name").asText();
            if (!name.contains("$")) {
                names.add(name);
            }
        }
        registered = names;
    }

    /** The metric names of a Prometheus text exposition: families and samples. */
    private static Set<String> exposition(String text) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = IDENT.matcher(line);
                if (m.lookingAt()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    /** The metric names a PromQL expression reads. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"[^\"]*\"", "\"\"")         // label values
                .replaceAll("\\{[^}]*}", " ")                      // label matchers
                .replaceAll("\\[[^]]*]", " ")                      // ranges and subqueries
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!function && !number && !PROMQL_WORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    @Test
    void metricNames_ofAPromqlExpression_skipFunctionsLabelsAndKeywords() {
        assertThat(metricNames("sum by (status) (rate(dabba_api_requests_total{status=\"503\"}[5m])) > 0 "
                + "or absent(up{job=\"dabba-api\"})")).containsExactly("dabba_api_requests_total", "up");
        assertThat(metricNames("deriv(sum(x_total)[15m:1m]) > 1e3 and max(y) < 10")).containsExactly("x_total", "y");
    }

    @Test
    void theRegisteredNames_includeEachComponentsKeyMetrics() {
        assertThat(registered).contains("dabba_agent_outbox_records", "dabba_agent_outbox_bytes",
                "dabba_agent_records_published_total", "dabba_api_requests_total",
                "dabba_gateway_dead_letters_written_total", "kafka_connect_task_status",
                "flink_taskmanager_job_task_operator_dabbaCausalBufferRecords",
                "flink_jobmanager_job_numberOfFailedCheckpoints");
    }

    @Test
    void theDashboard_hasAPanelForEveryRequiredTopic_andReadsOnlyRegisteredMetrics() {
        JsonNode dashboard = readJson(DASHBOARD);
        Map<String, JsonNode> panels = new LinkedHashMap<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (!p.path("type").asText().equals("row")) {
                panels.put(p.path("title").asText(), p);
            }
        }
        assertThat(panels.keySet()).containsAll(REQUIRED_PANELS);
        List<String> unknown = new ArrayList<>();
        for (JsonNode p : panels.values()) {
            assertThat(p.path("datasource").path("type").asText()).as("panel %s datasource", p.path("title"))
                    .isEqualTo("prometheus");
            assertThat(p.path("description").asText()).as("panel %s description", p.path("title")).isNotBlank();
            assertThat(p.path("targets")).as("panel %s targets", p.path("title")).isNotEmpty();
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                assertThat(expr).as("panel %s", p.path("title")).isNotBlank();
                for (String name : metricNames(expr)) {
                    if (!registered.contains(name)) {
                        unknown.add(p.path("title").asText() + ": " + name);
                    }
                }
            }
        }
        assertThat(unknown).as("metrics no component registers").isEmpty();
    }

    @Test
    void everyAlert_hasASeveritySummaryDescriptionAndRunbook_andReadsOnlyRegisteredMetrics() {
        Set<String> anchors = RepoFiles.anchors(OPERATIONS);
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (JsonNode group : RepoFiles.yaml(ALERTS).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.has("alert")).as("only alerting rules in %s", ALERTS).isTrue();
                alerts.put(rule.path("alert").asText(), rule);
            }
        }
        assertThat(alerts.keySet()).containsAll(REQUIRED_ALERTS);
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : alerts.entrySet()) {
            JsonNode rule = e.getValue();
            String name = e.getKey();
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).startsWith(OPERATIONS + "#");
            assertThat(anchors).as("%s runbook %s is a heading of %s", name, runbook, OPERATIONS)
                    .contains(runbook.substring(runbook.indexOf('#') + 1));
            assertThat(runbook).as("%s has its own section", name).endsWith("#" + RepoFiles.slug(name));
            for (String metric : metricNames(rule.path("expr").asText())) {
                if (!registered.contains(metric)) {
                    unknown.add(name + ": " + metric);
                }
            }
        }
        assertThat(unknown).as("metrics no component registers").isEmpty();
    }

    @Test
    void prometheus_scrapesEveryComponent_andLoadsTheAlertRules() {
        JsonNode config = RepoFiles.yaml(PROMETHEUS);
        assertThat(config.path("rule_files")).extracting(JsonNode::asText).containsExactly("alerts.yaml");
        Map<String, String> targets = new LinkedHashMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            targets.put(job.path("job_name").asText(),
                    job.path("static_configs").path(0).path("targets").path(0).asText());
        }
        assertThat(targets).containsExactlyInAnyOrderEntriesOf(Map.of(
                "dabba-agents", "127.0.0.1:9741",
                "dabba-connect", "127.0.0.1:9404",
                "flink-jobmanager", "127.0.0.1:9249",
                "flink-taskmanager", "127.0.0.1:9250",
                "dabba-api", "127.0.0.1:8080"));
        // Jobs named in alert expressions (up{job="..."}) are scraped.
        Matcher m = Pattern.compile("job=\"([^\"]+)\"").matcher(readText(ALERTS));
        while (m.find()) {
            assertThat(targets).containsKey(m.group(1));
        }
    }

    @Test
    void promtool_acceptsTheConfig_andTheAlertRulesPassTheirUnitTests() throws Exception {
        java.util.Optional<Path> promtool = java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                .map(d -> Path.of(d, "promtool")).filter(java.nio.file.Files::isExecutable).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(promtool.isPresent(),
                "promtool is not installed here (Debian: apt-get install prometheus), so the rule unit tests in "
                        + "deploy/prometheus/alerts-test.yaml cannot run; the checks above still do");
        Path dir = RepoFiles.root().resolve("deploy/prometheus");
        for (List<String> args : List.of(List.of("check", "config", "prometheus.yml"),
                List.of("test", "rules", "alerts-test.yaml"))) {
            List<String> cmd = new ArrayList<>();
            cmd.add(promtool.get().toString());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        }
    }

    private static JsonNode readJson(String relative) {
        try {
            return RepoFiles.JSON.readTree(RepoFiles.file(relative).toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readText(String relative) {
        try {
            return java.nio.file.Files.readString(RepoFiles.file(relative));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
