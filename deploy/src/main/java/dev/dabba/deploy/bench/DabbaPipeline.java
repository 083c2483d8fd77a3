package dev.dabba.deploy.bench;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.billing.BillStore;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.Database;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.gateway.EmbeddedGateway;
import dev.dabba.gateway.GatewayConfig;
import dev.dabba.jobs.BillSink;
import dev.dabba.jobs.BillingJob;
import dev.dabba.jobs.JobSettings;
import dev.dabba.record.EventId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Dabba's pipeline as production wires it, on the benchmark's broker, Kafka and database: one {@link EdgeAgent} per
 * tower (outbox on disk, batching, zstd, MQTT 5 QoS 1), the gateway's embedded runner (2 source tasks, the epoch
 * relay), the billing job on a Flink MiniCluster with parallelism 2 ({@link BillingJob#kafka}: every operator, the
 * bill-updates, alerts, dead-letter and exactly-once epoch sinks) writing bills to PostgreSQL through
 * {@link BillSink}, timed by {@link TimedBillSink}.
 */
final class DabbaPipeline implements AutoCloseable {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final List<EdgeAgent> agents = new ArrayList<>();
    private EmbeddedGateway gateway;

    private DabbaPipeline() {
    }

    /**
     * Starts the gateway, the job (running bills of up to {@code billCacheRecords} records per bill subtask) and
     * {@code towers} agents; fails if the job does not run within a minute.
     */
    static DabbaPipeline start(String mqttUri, String runId, EmbeddedKafka kafka, Database database, String schema,
            int towers, Path stateDirectory, int billCacheRecords) throws Exception {
        DabbaPipeline p = new DabbaPipeline();
        try {
            p.startAll(mqttUri, runId, kafka, database, schema, towers, stateDirectory, billCacheRecords);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void startAll(String mqttUri, String runId, EmbeddedKafka kafka, Database database, String schema,
            int towers, Path stateDirectory, int billCacheRecords) throws Exception {
        // A topic root and client ids of our own: the machine's broker is shared with other runs.
        MqttTopics topics = new MqttTopics("dabba-bench/" + runId);
        new BillStore(database.dataSource(), schema).migrate();
        gateway = track(EmbeddedGateway.start(GatewayConfig.builder(mqttUri, kafka.bootstrapServers()).topics(topics)
                .clientIdPrefix("dabba-bench-" + runId + "-gw").sharedGroup("dabba-bench-" + runId)
                .sourceTasks(2).build(), Clock.systemUTC()));

        Configuration conf = new Configuration();
        // Checkpoints on disk: the MiniCluster's default (JobManager memory) fails the job past 5 MiB of state.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createDirectories(stateDirectory.resolve("checkpoints")).toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        // Production settings but epochs every 5 s (as docs/benchmarks.md, "Clock", recommends for small deltas).
        BillingJob.kafka(kafka.bootstrapServers(), "dabba-bench-billing",
                        TimedBillSink.timed(new BillSink(database.jdbcUrl(), database.user(), null, schema)),
                        Epoch.GENESIS, JobSettings.builder().epochInterval(Duration.ofSeconds(5))
                                .billCacheRecords(billCacheRecords).build())
                .build(env);
        JobClient job = env.executeAsync(BillingJob.NAME);
        started.push(() -> cancel(job));
        awaitRunning(job);

        for (int i = 0; i < towers; i++) {
            NodeId node = NodeId.of("BENCH_TOWER_" + i);
            AgentConfig config = AgentConfig.of(node, mqttUri, stateDirectory.resolve("agents").resolve(node.value()))
                    .withTopics(topics);
            config = config.withMqtt(config.mqtt().withClientId("dabba-bench-" + runId + "-" + node.value()));
            EdgeAgent agent = track(EdgeAgent.start(config, Clock.systemUTC()));
            agents.add(agent);
        }
        for (EdgeAgent a : agents) {
            if (!a.awaitConnected(Duration.ofSeconds(30))) {
                throw new IllegalStateException(a.node() + " did not connect to " + mqttUri);
            }
        }
    }

    /**
     * Waits until every agent has adopted an epoch in which every tower is a member (so its clocks go out as compact
     * deltas, the steady state); returns the lowest such epoch number, or -1 if that did not happen in time.
     */
    long awaitEpochWithAllTowers(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long lowest = Long.MAX_VALUE;
            boolean all = true;
            for (EdgeAgent a : agents) {
                dev.dabba.clock.Epoch e = a.clock().epoch();
                for (EdgeAgent other : agents) {
                    if (e.members().indexOf(other.node()) < 0) {
                        all = false;
                    }
                }
                lowest = Math.min(lowest, e.number());
            }
            if (all) {
                return lowest;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /** The towers, in the order the workload numbers them. */
    List<NodeId> towers() {
        return agents.stream().map(EdgeAgent::node).toList();
    }

    /**
     * Runs {@code records} steps of {@code workload} through the agents, at {@code rate} records per second (0: as
     * fast as the agents take them), and waits until every record is on a stored bill or {@code timeout} passed.
     * Each stamped record is added to {@code stamped}, so that the baseline can replay the same records.
     */
    PhaseResult run(String phase, Workload workload, int records, double rate, Duration timeout,
            List<UsageRecord> stamped) throws InterruptedException {
        EventId[] ids = new EventId[records];
        long[] stampedAt = new long[records];
        UsageRecord[] made = new UsageRecord[records];
        long kafkaBefore = gateway.acceptedRecords();
        String loadBefore = Machine.loadAverage();
        long cpuBefore = Machine.processCpuNanos();
        long jitBefore = Machine.jitCpuNanos();
        long t0 = System.nanoTime();
        // One thread per tower, as towers stamp in parallel: a tower waiting for a handed-over subscriber's clock
        // (its arrival gate) holds up that tower only. The radio network's order is kept: a subscriber's record at
        // the tower it moved to waits until the old tower has handed it over (and announced the arrival there).
        TowerDrivers drivers = new TowerDrivers(agents);
        java.util.Map<dev.dabba.record.Msisdn, java.util.concurrent.CountDownLatch> lastHandover =
                new java.util.HashMap<>();
        for (int i = 0; i < records; i++) {
            Workload.Step step = workload.next();
            if (rate > 0) {
                pace(t0 + (long) (i * 1e9 / rate));
            }
            stampedAt[i] = System.nanoTime();
            EdgeAgent tower = agents.get(step.tower());
            java.util.concurrent.CountDownLatch after = lastHandover.get(step.subscriber());
            java.util.concurrent.CountDownLatch handedOver = step.handoverTo() < 0 ? null
                    : new java.util.concurrent.CountDownLatch(1);
            if (handedOver != null) {
                lastHandover.put(step.subscriber(), handedOver);
            }
            int index = i;
            drivers.submit(step.tower(), () -> {
                if (after != null) {
                    await(after);
                }
                UsageRecord r = tower.record(step.subscriber(), Instant.now(), step.usage());
                ids[index] = r.id();
                made[index] = r;
                if (handedOver != null) {
                    EdgeAgent next = agents.get(step.handoverTo());
                    next.expectArrival(step.subscriber(), tower.node());
                    tower.handOver(step.subscriber(), next.node());
                    handedOver.countDown();
                }
            });
        }
        drivers.finish(timeout);
        stamped.addAll(java.util.Arrays.asList(made));
        long stampedDone = System.nanoTime();
        CompletableFuture<Long> published = CompletableFuture.supplyAsync(() -> {
            for (EdgeAgent a : agents) {
                a.flush(timeout);
            }
            return System.nanoTime();
        });
        long deadline = t0 + timeout.toNanos();
        long inKafka = 0;
        int billed = 0;
        while (System.nanoTime() < deadline) {
            if (inKafka == 0 && gateway.acceptedRecords() - kafkaBefore >= records) {
                inKafka = System.nanoTime();
            }
            while (billed < records && BillTimes.firstBilled(ids[billed]) != null) {
                billed++;
            }
            if (billed == records && inKafka != 0) {
                break;
            }
            Thread.sleep(10);
        }
        long cpu = Machine.processCpuNanos() - cpuBefore;
        long jit = Machine.jitCpuNanos() - jitBefore;
        long[] latencies = new long[records];
        int n = 0;
        long last = t0;
        for (int i = 0; i < records; i++) {
            Long at = BillTimes.firstBilled(ids[i]);
            if (at != null) {
                latencies[n++] = at - stampedAt[i];
                last = Math.max(last, at);
            }
        }
        long publishedAt = published.isDone() && !published.isCompletedExceptionally() ? published.join() : 0;
        return new PhaseResult("dabba", phase, records, n, (stampedDone - t0) / 1e9, seconds(publishedAt, t0),
                seconds(inKafka, t0), (last - t0) / 1e9, PhaseResult.sorted(latencies, n), cpu / 1e9, jit / 1e9,
                loadBefore, Machine.loadAverage());
    }

    /** Bytes the agents published (compressed batches, MQTT payloads) and records in them, so far. */
    long[] wireBytesAndRecords() {
        long bytes = 0;
        long recordsPublished = 0;
        for (EdgeAgent a : agents) {
            bytes += Math.round(a.metrics().get("dabba_agent_publish_bytes_total"));
            recordsPublished += a.status().sequence();
        }
        return new long[] {bytes, recordsPublished};
    }

    /** Batches the agents published so far. */
    long batches() {
        return agents.stream().mapToLong(a -> Math.round(a.metrics().get("dabba_agent_batches_published_total")))
                .sum();
    }

    static double seconds(long at, long t0) {
        return at == 0 ? Double.NaN : (at - t0) / 1e9;
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a tower waited for a handover", e);
        }
    }

    static void pace(long due) throws InterruptedException {
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void awaitRunning(JobClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            JobStatus status = client.getJobStatus().get(1, TimeUnit.MINUTES);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the billing job is " + status + ", not running");
            }
            Thread.sleep(100);
        }
    }

    private static void cancel(JobClient client) throws Exception {
        if (!client.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.push(resource);
        return resource;
    }

    /** Stops the agents, the job and the gateway, last started first. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("dabba bench: stopping a component failed: " + e);
            }
        }
    }

    /** A single-thread executor per tower, running each tower's steps in workload order. */
    private static final class TowerDrivers {
        private final List<java.util.concurrent.ExecutorService> threads = new ArrayList<>();
        private final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();

        TowerDrivers(List<EdgeAgent> agents) {
            for (EdgeAgent a : agents) {
                threads.add(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "bench-driver-" + a.node().value());
                    t.setDaemon(true);
                    return t;
                }));
            }
        }

        void submit(int tower, Runnable step) {
            threads.get(tower).execute(() -> {
                if (failure.get() != null) {
                    return;
                }
                try {
                    step.run();
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            });
        }

        /** Waits until every tower has run its steps; fails with the first step that failed. */
        void finish(Duration timeout) throws InterruptedException {
            try {
                for (java.util.concurrent.ExecutorService t : threads) {
                    t.shutdown();
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                for (java.util.concurrent.ExecutorService t : threads) {
                    if (!t.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        throw new IllegalStateException("the towers did not stamp their records within " + timeout);
                    }
                }
                if (failure.get() != null) {
                    throw new IllegalStateException("a tower failed to stamp a record: " + failure.get(),
                            failure.get());
                }
            } finally {
                threads.forEach(java.util.concurrent.ExecutorService::shutdownNow);
            }
        }
    }
}
