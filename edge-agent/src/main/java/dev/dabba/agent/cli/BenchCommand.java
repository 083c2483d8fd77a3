package dev.dabba.agent.cli;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.FsyncPolicy;
import dev.dabba.agent.UsageEvent;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.agent.TowerClock;
import dev.dabba.clock.HybridLogicalClock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dabba agent bench}: how many records per second one agent publishes with QoS 1 to a broker, with its
 * outbox on disk, and its resident memory; against a baseline measured in the same run: one record per MQTT
 * message, each publish waiting for its PUBACK (how an agent without batching or an outbox would publish).
 * Run it with the JVM options of the systemd unit ({@code -Xmx32m ...}); see {@code deploy/agent/bench.sh}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure publish throughput (QoS 1, outbox on disk) and resident memory against a baseline.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:1883", description = "Default: ${DEFAULT-VALUE}.")
    String broker;

    @Option(names = "--records", defaultValue = "1000000", description = "Records through the agent "
            + "(default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--baseline-records", defaultValue = "20000", description = "Records through the baseline "
            + "(default: ${DEFAULT-VALUE}).")
    int baselineRecords;

    @Option(names = "--chunk", defaultValue = "1", description = "Records per API call: 1 = record(), more = "
            + "recordAll() as the HTTP input does per request (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--fsync", defaultValue = "batch", description = "Outbox fsync policy: record, batch, interval "
            + "(default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the outbox goes (default: a temporary "
            + "directory, deleted afterwards).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        MqttTopics topics = new MqttTopics("dabba-bench/" + UUID.randomUUID());
        Path state = stateDir != null ? Files.createDirectories(stateDir) : Files.createTempDirectory("dabba-bench-");
        NodeId node = NodeId.of("BENCH_TOWER");
        Random random = new Random(42);
        Msisdn[] subscribers = new Msisdn[10_000];
        for (int i = 0; i < subscribers.length; i++) {
            subscribers[i] = Msisdn.of("+9198" + String.format("%08d", i));
        }
        out.printf("dabba agent bench: %d records (chunk %d, fsync %s) to %s; baseline %d records; JVM max heap %d "
                + "MiB%n", records, chunk, fsync, broker, baselineRecords, Runtime.getRuntime().maxMemory() >> 20);
        out.flush();

        AgentConfig config = AgentConfig.of(node, broker, state.resolve("agent")).withTopics(topics)
                .withOutbox(AgentConfig.OutboxSettings.DEFAULTS.withFsync(FsyncPolicy.valueOf(fsync.toUpperCase(
                        java.util.Locale.ROOT))));
        double agentRate;
        long rssPeak;
        long rssNow;
        long stamped;
        try (EdgeAgent agent = EdgeAgent.start(config, Clock.systemUTC())) {
            if (!agent.awaitConnected(Duration.ofSeconds(30))) {
                spec.commandLine().getErr().println("no broker at " + broker);
                return 1;
            }
            warmUp(agent, subscribers, random);
            Instant at = Instant.now();
            long t0 = System.nanoTime();
            List<UsageEvent> events = new ArrayList<>(chunk);
            for (int i = 0; i < records; i++) {
                Msisdn s = subscribers[random.nextInt(subscribers.length)];
                Usage usage = usage(random, subscribers);
                if (chunk == 1) {
                    agent.record(s, at, usage);
                } else {
                    events.add(new UsageEvent(s, at, usage));
                    if (events.size() == chunk) {
                        agent.recordAll(events);
                        events.clear();
                    }
                }
            }
            if (!events.isEmpty()) {
                agent.recordAll(events);
            }
            long stampedNanos = System.nanoTime() - t0;
            agent.flush(Duration.ofMinutes(10));
            long elapsed = System.nanoTime() - t0;
            agentRate = records / (elapsed / 1e9);
            stamped = agent.status().sequence();
            rssPeak = procStatus("VmHWM");
            rssNow = procStatus("VmRSS");
            out.printf("agent:    %,d records stamped and stored in %.2f s, all acknowledged after %.2f s: %,.0f "
                    + "records/s published (QoS 1, outbox fsync %s); %d batches, %,d payload bytes%n", records,
                    stampedNanos / 1e9, elapsed / 1e9, agentRate, fsync,
                    Math.round(agent.metrics().get("dabba_agent_batches_published_total")),
                    Math.round(agent.metrics().get("dabba_agent_publish_bytes_total")));
            out.printf("          publish failures %d, rewinds %d, busy retries %d%n",
                    Math.round(agent.metrics().get("dabba_agent_publish_failures_total")),
                    Math.round(agent.metrics().get("dabba_agent_publish_rewinds_total")),
                    Math.round(agent.metrics().get("dabba_agent_publish_busy_retries_total")));
            out.printf("memory:   RSS peak %d MiB, RSS now %d MiB, heap used %d MiB of max %d MiB%n", rssPeak >> 10,
                    rssNow >> 10, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
            out.flush();
        }
        double baselineRate = baseline(topics, node, subscribers, random);
        out.printf("baseline: %,.0f records/s (one record per MQTT message, QoS 1, waiting for each PUBACK)%n",
                baselineRate);
        out.printf("ratio:    %.1fx the baseline; last sequence %d%n", agentRate / baselineRate, stamped);
        out.flush();
        if (stateDir == null) {
            deleteRecursively(state);
        }
        return 0;
    }

    private static void warmUp(EdgeAgent agent, Msisdn[] subscribers, Random random) {
        Instant at = Instant.now();
        for (int i = 0; i < 20_000; i++) {
            agent.record(subscribers[random.nextInt(subscribers.length)], at, usage(random, subscribers));
        }
        agent.flush(Duration.ofMinutes(1));
    }

    private static Usage usage(Random random, Msisdn[] subscribers) {
        int kind = random.nextInt(10);
        if (kind < 5) {
            long down = 1024L * (1 + random.nextInt(50_000));
            return new Usage.Data(RadioType.values()[random.nextInt(3)], down / 10, down);
        }
        if (kind < 9) {
            return new Usage.Call(subscribers[random.nextInt(subscribers.length)],
                    CallType.values()[random.nextInt(3)], 1 + random.nextInt(600));
        }
        return new Usage.Sms(subscribers[random.nextInt(subscribers.length)]);
    }

    private double baseline(MqttTopics topics, NodeId node, Msisdn[] subscribers, Random random) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker, "dabba-bench-baseline-" + UUID.randomUUID(),
                new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(30_000);
        try {
            TowerClock clock = new TowerClock(node, new HybridLogicalClock(Clock.systemUTC(), Duration.ofMinutes(1)));
            RecordCodec codec = RecordCodec.standard();
            String topic = topics.records(node);
            Instant at = Instant.now();
            for (int i = 0; i < Math.min(2_000, baselineRecords); i++) {
                publishOne(client, codec, topic, clock.stamp(subscribers[random.nextInt(subscribers.length)], at,
                        usage(random, subscribers)), node);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < baselineRecords; i++) {
                UsageRecord r = clock.stamp(subscribers[random.nextInt(subscribers.length)], at,
                        usage(random, subscribers));
                publishOne(client, codec, topic, r, node);
            }
            return baselineRecords / ((System.nanoTime() - t0) / 1e9);
        } finally {
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
    }

    private static void publishOne(MqttAsyncClient client, RecordCodec codec, String topic, UsageRecord r,
            NodeId node) throws Exception {
        MqttMessage m = new MqttMessage(codec.encodeBatch(new RecordBatch(node, List.of(r))));
        m.setQos(1);
        while (true) {
            try {
                client.publish(topic, m).waitForCompletion(30_000);
                return;
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                // Paho's in-flight count lags behind the PUBACK it just reported: try again at once.
                Thread.onSpinWait();
            }
        }
    }

    /** A value in KiB from /proc/self/status, or -1 where there is none. */
    static long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
