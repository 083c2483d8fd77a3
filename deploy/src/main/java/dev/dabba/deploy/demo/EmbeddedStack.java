package dev.dabba.deploy.demo;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.billing.BillStore;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.EmbeddedGateway;
import dev.dabba.gateway.GatewayConfig;
import dev.dabba.jobs.BillSink;
import dev.dabba.jobs.BillingJob;
import dev.dabba.jobs.EpochBootstrap;
import dev.dabba.jobs.JobSettings;
import dev.dabba.record.KafkaTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM on real components: embedded PostgreSQL, an embedded MQTT broker (HiveMQ CE),
 * Kafka in KRaft mode, the gateway, the billing job on a Flink MiniCluster, and one agent per tower.
 *
 * <p>Everything gets fresh temporary directories and free ports, so runs never see each other's state (unless
 * {@link Options} share a broker or the agents' state with a later stack); {@link #close()} stops it all in reverse
 * order of starting.
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    /** Where the billing job keeps its consumer-group offsets. */
    public static final String JOB_GROUP_ID = "dabba-billing";
    /** The report-store schema the demo writes to. */
    public static final String SCHEMA = BillStore.DEFAULT_SCHEMA;

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<NodeId, EdgeAgent> agents = new LinkedHashMap<>();
    private EmbeddedDatabase database;
    private EmbeddedMqttBroker broker;
    private EmbeddedKafka kafka;
    private EmbeddedGateway gateway;
    private JobClient job;

    private EmbeddedStack() {
    }

    /**
     * Starts every component, reporting each step to {@code progress}; on any failure stops what was started and
     * rethrows.
     *
     * @param towers the towers to start agents for
     */
    public static EmbeddedStack start(Collection<NodeId> towers, Progress progress) {
        return start(towers, progress, Options.FRESH);
    }

    /**
     * What a stack may share with what outlives it, for scenarios that rebuild the backend under running towers.
     *
     * @param broker an MQTT broker to use instead of starting one; the stack does not stop it (null: its own)
     * @param agentState the directory holding the agents' state directories, one per tower; kept after the stack
     *     stops (null: a temporary one, deleted)
     */
    public record Options(EmbeddedMqttBroker broker, Path agentState) {
        /** Everything fresh and private to the stack. */
        public static final Options FRESH = new Options(null, null);
    }

    /** As {@link #start(Collection, Progress)}, sharing what {@code options} names. */
    public static EmbeddedStack start(Collection<NodeId> towers, Progress progress, Options options) {
        EmbeddedStack stack = new EmbeddedStack();
        try {
            stack.startAll(towers, progress, options);
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        } catch (Exception e) {
            stack.close();
            throw new IllegalStateException("the embedded stack failed to start: " + e.getMessage(), e);
        }
    }

    private void startAll(Collection<NodeId> towers, Progress progress, Options options) throws Exception {
        progress.step("starting PostgreSQL (embedded) ...");
        database = track(EmbeddedDatabase.start());
        BillStore store = new BillStore(database.dataSource(), SCHEMA);
        store.migrate();
        progress.detail("ready at " + database.jdbcUrl() + ", report store schema '" + SCHEMA + "' migrated");

        if (options.broker() != null) {
            broker = options.broker();
            progress.step("using the MQTT broker at " + broker.uri());
        } else {
            progress.step("starting the MQTT broker (HiveMQ CE, embedded) ...");
            broker = track(EmbeddedMqttBroker.start());
            progress.detail("ready at " + broker.uri());
        }

        progress.step("starting Kafka (KRaft, single node) ...");
        kafka = track(EmbeddedKafka.start());
        kafka.createTopics(topics());
        progress.detail("ready at " + kafka.bootstrapServers() + "; topics " + KafkaTopics.RECORDS + ", "
                + KafkaTopics.DEAD_LETTERS + ", " + KafkaTopics.BILL_UPDATES + ", " + KafkaTopics.EPOCHS + ", "
                + KafkaTopics.ALERTS);

        progress.step("starting the gateway (MQTT -> Kafka, epochs -> MQTT) ...");
        gateway = track(EmbeddedGateway.start(GatewayConfig.builder(broker.uri(), kafka.bootstrapServers()).build(),
                Clock.systemUTC()));
        progress.detail("subscribed to " + gateway.config().source(0).subscription() + "; relaying "
                + gateway.config().epochsTopic() + " to " + gateway.config().source(0).mqtt().topics().epochs());

        progress.step("starting the billing job on a Flink MiniCluster ...");
        job = startJob();
        progress.detail("job " + job.getJobID() + " is " + awaitRunning(job, Duration.ofSeconds(60)));

        progress.step("starting tower agents ...");
        Path agentState = options.agentState();
        if (agentState == null) {
            Path temporary = Files.createTempDirectory("dabba-agents-");
            started.push(() -> deleteRecursively(temporary));
            agentState = temporary;
        }
        for (NodeId tower : towers) {
            EdgeAgent agent = track(EdgeAgent.start(AgentConfig.of(tower, broker.uri(),
                    agentState.resolve(tower.value())), Clock.systemUTC()));
            agents.put(tower, agent);
        }
        progress.detail(String.join(", ", towers.stream().map(NodeId::value).toList()) + " connected");
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The topics the pipeline uses, with the layout of {@code docs/architecture.md}. */
    public static List<TopicSpec> topics() {
        return List.of(
                new TopicSpec(KafkaTopics.RECORDS, 3, Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(7)))),
                new TopicSpec(KafkaTopics.DEAD_LETTERS, 1,
                        Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(30)))),
                TopicSpec.compacted(KafkaTopics.BILL_UPDATES, 3),
                TopicSpec.compacted(KafkaTopics.EPOCHS, 1),
                new TopicSpec(KafkaTopics.ALERTS, 1, Map.of("retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(30)))));
    }

    private JobClient startJob() throws Exception {
        Configuration conf = new Configuration();
        // Checkpoints on disk: the MiniCluster's default (JobManager memory) fails the job past 5 MiB of state.
        Path checkpoints = Files.createTempDirectory("dabba-checkpoints-");
        started.push(() -> deleteRecursively(checkpoints));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        // As in production: the job continues the epochs topic's lineage, or (a fresh Kafka) opens a new one.
        Epoch bootstrap = EpochBootstrap.latestOrOpen(kafka.bootstrapServers(), Map.of(), KafkaTopics.EPOCHS,
                Duration.ofSeconds(30), System.currentTimeMillis());
        BillingJob.kafka(kafka.bootstrapServers(), JOB_GROUP_ID,
                new BillSink(database.jdbcUrl(), database.user(), null, SCHEMA), bootstrap,
                JobSettings.builder().checkpointInterval(Duration.ofSeconds(2)).epochInterval(Duration.ofSeconds(5))
                        .build())
                .build(env);
        JobClient client = env.executeAsync(BillingJob.NAME);
        started.push(() -> cancel(client));
        return client;
    }

    private static JobStatus awaitRunning(JobClient client, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = client.getJobStatus().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (status == JobStatus.RUNNING) {
                return status;
            }
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the billing job ended while starting: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the billing job is still " + status + " after " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static void cancel(JobClient client) throws Exception {
        JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.push(resource);
        return resource;
    }

    /** The running agents by tower. */
    public Map<NodeId, EdgeAgent> agents() {
        return Map.copyOf(agents);
    }

    /** The report store's database. */
    public EmbeddedDatabase database() {
        return Objects.requireNonNull(database, "not started");
    }

    /** The Kafka broker. */
    public EmbeddedKafka kafka() {
        return Objects.requireNonNull(kafka, "not started");
    }

    /** The MQTT broker. */
    public EmbeddedMqttBroker broker() {
        return Objects.requireNonNull(broker, "not started");
    }

    /** The gateway. */
    public EmbeddedGateway gateway() {
        return Objects.requireNonNull(gateway, "not started");
    }

    /** The billing job. */
    public JobClient job() {
        return Objects.requireNonNull(job, "not started");
    }

    /** Stops everything that was started, last first; failures are logged and the rest still stop. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c, e.toString());
            }
        }
    }
}
