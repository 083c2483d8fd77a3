package dev.dabba.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.billing.BillStore;
import dev.dabba.clock.NodeId;
import dev.dabba.deploy.cluster.ClusterSettings;
import dev.dabba.deploy.cluster.Component;
import dev.dabba.deploy.cluster.LocalCluster;
import dev.dabba.deploy.demo.Progress;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
import dev.dabba.reliability.check.BillCheck;
import dev.dabba.reliability.check.CheckResult;
import dev.dabba.reliability.oracle.GeneratedRecord;
import dev.dabba.reliability.oracle.Oracle;
import dev.dabba.reliability.workload.ChildAgent;
import dev.dabba.reliability.workload.HttpRecordStream;
import dev.dabba.reliability.workload.Workload;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The fault-injection suite: a real local cluster (Kafka, Connect with the gateway, a Flink JobManager and
 * TaskManager with the billing job, an MQTT broker and the API, each its own process), tower agents driven by the
 * {@link Workload} (one behind a {@link TcpProxy} to partition it, one with its wall clock 10 minutes ahead, one 10
 * minutes behind) and a standalone agent process fed through its collector input. Each fault is injected while
 * traffic flows; then the suite waits until the report store equals the {@link Oracle}'s bills, to the paisa, with
 * every record billed exactly once. The report (Markdown) says which faults ran and what each checked. A phase that
 * fails prints the job's and the connectors' state and the components' last warnings, and keeps their logs in
 * {@code target/fault-logs/}; at the end the suite also fails if a Connect task died on the way, which a later Connect
 * worker kill would otherwise hide.
 *
 * <p>{@code -Ddabba.faults=short} (the default, in {@code ./mvnw verify}) runs every fault once on a small load with a
 * 20-second partition; {@code -Pfaults-long} runs a bigger load, a 3-minute partition and every fault twice.
 */
class FaultSuiteIT {

    private static final boolean LONG = "long".equals(System.getProperty("dabba.faults", "short"));
    private static final int TOWERS = LONG ? 6 : 4;
    private static final int SUBSCRIBERS = LONG ? 200 : 24;
    private static final int EVENTS_PER_PHASE = LONG ? 2_000 : 120;
    private static final int POSTS_PER_PHASE = LONG ? 40 : 6;
    private static final Duration PARTITION = LONG ? Duration.ofMinutes(3) : Duration.ofSeconds(20);
    private static final Duration CONVERGE = Duration.ofMinutes(LONG ? 10 : 4);
    private static final int ROUNDS = LONG ? 2 : 1;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private LocalCluster cluster;
    private String database;
    private boolean machinePostgres;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + toClose.get(i) + ": " + e);
            }
        }
        if (cluster != null) {
            cluster.down();
        }
        if (machinePostgres && database != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres",
                    null); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + database + " with (force)"); // this test's [a-z0-9_] name
            }
        }
    }

    @Test
    void everyFault_billsEqualTheOracle_noRecordLostOrBilledTwice() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        database = "dabba_faults_" + suffix;
        machinePostgres = canConnect(5432);
        String topicRoot = "dabba-faults/" + suffix;
        int[] own = FreePorts.pickForServices(4);
        ClusterSettings settings = ClusterSettings.builder().workDir(tmp.resolve("cluster")).freePorts()
                .mqttPort(own[0]).reuseMachineMqtt(false)
                .postgresPort(machinePostgres ? 5432 : own[1]).reuseMachinePostgres(machinePostgres)
                .database(database).topicRoot(topicRoot).flinkSlots(2).sourceTasks(2)
                .checkpointInterval(Duration.ofSeconds(3)).epochInterval(Duration.ofSeconds(10))
                .build();
        Path reportDir = Path.of(System.getProperty("dabba.report.dir", tmp.toString()));
        FaultReport report = new FaultReport(reportDir.resolve("fault-report-" + (LONG ? "long" : "short") + ".md"),
                "Dabba fault-injection suite (" + (LONG ? "long" : "short") + ")");
        cluster = LocalCluster.up(settings, new Progress(new PrintWriter(System.out, true)));
        report.setup("local cluster: Kafka " + cluster.kafkaBootstrapServers() + ", Connect " + cluster.connectRestUrl()
                + ", Flink " + cluster.flinkRestUrl() + ", MQTT " + cluster.mqttUri() + " (HiveMQ CE, its own JVM), "
                + cluster.jdbcUrl() + (machinePostgres ? " (this machine's server)" : " (its own server)"));

        // Towers: T1 direct; T2 behind a proxy (the partition); T3 +10 min; T4 -10 min; more direct ones when long.
        TcpProxy proxy = TcpProxy.start("127.0.0.1", settings.mqttPort());
        toClose.add(proxy);
        List<Workload.Tower> towers = new ArrayList<>();
        for (int i = 1; i <= TOWERS; i++) {
            NodeId node = NodeId.of("FAULT_T" + i);
            Duration skew = i == 3 ? Duration.ofMinutes(10) : i == 4 ? Duration.ofMinutes(-10) : Duration.ZERO;
            String broker = i == 2 ? proxy.mqttUri() : cluster.mqttUri();
            AgentConfig c = AgentConfig.of(node, broker, tmp.resolve("agents").resolve(node.value()))
                    .withTopics(new MqttTopics(topicRoot));
            c = c.withMqtt(c.mqtt().withReconnect(new AgentConfig.ReconnectSettings(Duration.ofMillis(200),
                    Duration.ofSeconds(2), 0.5)));
            EdgeAgent agent = EdgeAgent.start(c, Clock.offset(Clock.systemUTC(), skew));
            toClose.add(agent);
            towers.add(new Workload.Tower(agent, skew));
        }
        for (Workload.Tower t : towers) {
            assertThat(t.agent().awaitConnected(Duration.ofSeconds(60))).as(t.agent().node() + " connected").isTrue();
        }
        report.setup(TOWERS + " in-process tower agents in a line, " + SUBSCRIBERS + " roaming subscribers; FAULT_T2 "
                + "behind a TCP proxy; FAULT_T3 wall clock +10 min, FAULT_T4 -10 min");
        Workload workload = new Workload(towers, SUBSCRIBERS, "+919700", 42, Instant.now());

        // A standalone agent process (the dabba-agent jar) fed through its collector input, for kill -9.
        Path agentJar = Path.of(System.getProperty("dabba.agent.jar", "../edge-agent/target/dabba-agent.jar"));
        assertThat(agentJar).as("the agent jar (edge-agent's package phase)").exists();
        int inputPort = own[2];
        int healthPort = own[3];
        Path childDir = tmp.resolve("child");
        ChildAgent[] child = {startChild(agentJar, childDir, topicRoot, inputPort, healthPort)};
        HttpRecordStream posts = new HttpRecordStream(NodeId.of("FAULT_PROC"), inputPort, 10, "+919701", 7,
                Instant.now());
        report.setup("one standalone agent process FAULT_PROC (" + agentJar.getFileName() + ", fsync batch) fed "
                + "through its HTTP collector input, 10 stationary subscribers");

        BillCheck check = new BillCheck(dataSource(), BillStore.DEFAULT_SCHEMA);
        List<GeneratedRecord> all = new ArrayList<>();
        Runnable traffic = () -> {
            workload.run(EVENTS_PER_PHASE);
            for (int i = 0; i < POSTS_PER_PHASE; i++) {
                assertThat(posts.post(20)).as("the collector input answered").isTrue();
            }
        };

        phase(report, check, workload, posts, "baseline", "no fault: traffic only", traffic::run);
        for (int round = 1; round <= ROUNDS; round++) {
            String r = ROUNDS > 1 ? " #" + round : "";
            phase(report, check, workload, posts, "agent kill -9" + r, "SIGKILL of the FAULT_PROC agent process in "
                    + "the middle of a collector request stream, then a restart on the same state directory", () -> {
                        for (int i = 0; i < POSTS_PER_PHASE; i++) {
                            posts.post(20);
                        }
                        CompletableFuture<Boolean> inFlight = CompletableFuture.supplyAsync(() -> posts.post(200));
                        try {
                            child[0].kill9();
                            inFlight.get(60, TimeUnit.SECONDS);
                            child[0] = startChild(agentJar, childDir, topicRoot, inputPort, healthPort);
                            if (posts.hasInDoubt()) {
                                posts.resolveInDoubt(child[0].sequence());
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        traffic.run();
                    });
            phase(report, check, workload, posts, "MQTT broker restart" + r, "the MQTT broker process stopped (SIGTERM) "
                    + "while towers publish, then started again on the same port and data", withFault(traffic,
                            () -> { }, () -> cluster.restart(Component.MQTT_BROKER)));
            phase(report, check, workload, posts, "Kafka broker restart" + r, "SIGKILL of the Kafka broker (KRaft) "
                    + "while records flow, then a restart on the same log directory", withFault(traffic,
                            () -> cluster.kill(Component.KAFKA), () -> cluster.restart(Component.KAFKA)));
            phase(report, check, workload, posts, "Connect worker kill" + r, "SIGKILL of the Kafka Connect worker "
                    + "running the gateway, then a restart", withFault(traffic,
                            () -> cluster.kill(Component.CONNECT), () -> cluster.restart(Component.CONNECT)));
            phase(report, check, workload, posts, "Flink TaskManager kill" + r, "SIGKILL of the TaskManager running the "
                    + "billing job, then a new TaskManager; the job restores from its last checkpoint", withFault(traffic,
                            () -> cluster.kill(Component.TASK_MANAGER),
                            () -> cluster.restart(Component.TASK_MANAGER)));
            phase(report, check, workload, posts, "tower partition" + r, "FAULT_T2 cut from the broker for "
                    + PARTITION.toSeconds() + " s (connections reset, new ones refused) while its subscribers keep "
                    + "using it and the others roam, then the link restored", () -> {
                        NodeId t2 = NodeId.of("FAULT_T2");
                        workload.settleAll();
                        workload.block(t2);
                        proxy.cut();
                        // The phase's events spread over the partition: the load stays what the other phases get.
                        long begin = System.nanoTime();
                        for (int i = 1; i <= EVENTS_PER_PHASE; i++) {
                            workload.step();
                            pace(begin + PARTITION.toNanos() * i / EVENTS_PER_PHASE);
                        }
                        proxy.restore();
                        workload.unblock(t2);
                        traffic.run();
                    });
            phase(report, check, workload, posts, "duplicate flood" + r, "every record in " + KafkaTopics.RECORDS
                    + " written to it three more times (a gateway redelivering), with traffic going on", () -> {
                        traffic.run();
                        flood(3);
                    });
        }
        phase(report, check, workload, posts, "clock skew", "FAULT_T3 +10 min and FAULT_T4 -10 min all along; "
                + "here: every call ended and every handover merged, the final state checked", () -> {
                    workload.endAllCalls();
                    workload.settleAll();
                });
        all.addAll(workload.generated());
        all.addAll(posts.generated());
        System.out.println(report.markdown());
        System.out.println("report: " + report.file());
        assertThat(report.entries()).as(report.markdown()).allMatch(FaultReport.Entry::passed);
        assertThat(failedConnectTasks()).as("Connect tasks that died during the suite (Connect never restarts them; "
                + "a later Connect worker kill did)").isEmpty();
        assertThat(Oracle.bills(all)).isNotEmpty();
    }

    /** Waits until {@code nanoTime}: spreads a partition phase's events over the partition's length. */
    private static void pace(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static Runnable withFault(Runnable traffic, Runnable inject, Runnable heal) {
        return () -> {
            CompletableFuture<Void> load = CompletableFuture.runAsync(traffic);
            inject.run();
            heal.run();
            load.join();
            traffic.run();
        };
    }

    private void phase(FaultReport report, BillCheck check, Workload workload, HttpRecordStream posts, String fault,
            String injected, Runnable body) {
        long start = System.nanoTime();
        String details;
        boolean passed;
        List<String> checked = List.of("report store equals the oracle's bills to the paisa (every line, order, "
                + "amount, totals)", "every generated record billed once: none lost, none twice", "no unexpected bill");
        try {
            body.run();
            List<GeneratedRecord> generated = new ArrayList<>(workload.generated());
            generated.addAll(posts.generated());
            var expected = Oracle.bills(generated);
            CheckResult[] result = {check.compare(expected)};
            try {
                await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(2))
                        .until(() -> (result[0] = check.compare(expected)).matches());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // The pipeline did not converge: the last comparison says what differs, in the report.
            }
            CheckResult last = result[0];
            passed = last.matches();
            details = last.toString() + "; workload " + workload.stats();
        } catch (RuntimeException | Error e) {
            passed = false;
            details = "failed: " + e;
            e.printStackTrace();
        }
        report.add(new FaultReport.Entry(fault, injected, checked, passed, Duration.ofNanos(System.nanoTime() - start),
                details));
        System.out.println("[faults] " + fault + ": " + (passed ? "PASSED" : "FAILED") + " - " + details);
        if (!passed) {
            diagnose(fault);
        }
    }

    /**
     * After a failed phase: the job's and the connectors' state from their REST APIs and the last warnings and errors
     * of every component's log, printed so that CI's output alone can explain the failure, and the logs themselves
     * copied to {@code target/fault-logs/PHASE/} (the cluster's directory is deleted with the test's).
     */
    private void diagnose(String fault) {
        System.out.println("[faults] " + fault + ": diagnostics");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String url : List.of(cluster.flinkRestUrl() + "/jobs/overview",
                cluster.connectRestUrl() + "/connectors?expand=status")) {
            System.out.println("  GET " + url + ": " + abbreviate(get(http, url), 2_000));
        }
        cluster.jobId().ifPresent(id -> {
            String url = cluster.flinkRestUrl() + "/jobs/" + id + "/exceptions?maxExceptions=3";
            System.out.println("  GET " + url + ": " + abbreviate(get(http, url), 3_000));
        });
        Path work = cluster.settings().workDir();
        Path keep = Path.of("target", "fault-logs", fault.replaceAll("[^A-Za-z0-9]+", "-"));
        for (Path dir : List.of(work.resolve("logs"), work.resolve("flink/log"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(FaultSuiteIT::isComponentLog).sorted().toList()) {
                    Files.createDirectories(keep);
                    Files.copy(f, keep.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    List<String> bad;
                    try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
                        bad = lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
                    } catch (java.io.UncheckedIOException e) {
                        continue; // not UTF-8 text
                    }
                    System.out.println("  " + f.getFileName() + ": " + bad.size() + " warnings and errors, the last:");
                    bad.subList(Math.max(0, bad.size() - 12), bad.size())
                            .forEach(l -> System.out.println("    " + abbreviate(l, 400)));
                }
            } catch (java.io.IOException e) {
                System.out.println("  reading " + dir + ": " + e);
            }
        }
        System.out.println("[faults] logs kept in " + keep.toAbsolutePath());
    }

    /** A component's own log ({@code .log}, {@code .out}); not the RocksDB {@code LOG} files of the TaskManager. */
    private static boolean isComponentLog(Path f) {
        String name = f.getFileName().toString();
        return Files.isRegularFile(f) && (name.endsWith(".log") || name.endsWith(".out"));
    }

    /**
     * The Connect tasks that died during the suite, from the worker's log: a later fault (a Connect worker kill)
     * restarts them and hides the failure from the bill checks, so the suite looks for them itself. Also prints how
     * often a task's new instance started while its old one still held its metrics (after rebalances).
     */
    private List<String> failedConnectTasks() throws java.io.IOException {
        Path log = cluster.settings().workDir().resolve("logs/connect.log");
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> failed = new ArrayList<>();
        long held = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("will not recover until manually restarted")) {
                failed.add(lines.get(i) + (i + 1 < lines.size() ? " <- " + lines.get(i + 1) : ""));
            } else if (lines.get(i).contains("still held by an earlier instance of this task")) {
                held++;
            }
        }
        System.out.println("[faults] Connect: " + held + " task starts found their metrics still held by the task's "
                + "earlier instance (registered later)");
        return failed;
    }

    private static String get(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (java.io.IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + " ... (" + (s.length() - max) + " more characters)";
    }

    private ChildAgent startChild(Path jar, Path dir, String topicRoot, int inputPort, int healthPort) {
        try {
            ChildAgent a = ChildAgent.start(jar, dir, "FAULT_PROC", cluster.mqttUri(), topicRoot, inputPort,
                    healthPort);
            toClose.add(a);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .failFast("the agent process exited; log: " + dir.resolve("agent.log"), () -> !a.isAlive())
                    .until(a::healthy);
            return a;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes every record of the records topic {@code copies} more times, keys, values and headers unchanged. */
    private void flood(int copies) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(KafkaTopics.RECORDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            for (int i = 0; i < copies; i++) {
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers()));
                }
            }
            producer.flush();
        }
    }

    private javax.sql.DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(cluster.jdbcUrl());
        ds.setUser(cluster.dbUser());
        return ds;
    }

    private static boolean canConnect(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", null)) {
            return c.isValid(3);
        } catch (Exception e) {
            return false;
        }
    }
}
