package dev.dabba.bench.gateway;

import dev.dabba.clock.NodeId;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.gateway.BatchTranslator;
import dev.dabba.gateway.EmbeddedGateway;
import dev.dabba.gateway.GatewayConfig;
import dev.dabba.gateway.connect.MqttSourceConfig;
import dev.dabba.gateway.testing.Batches;
import dev.dabba.gateway.testing.MqttPublisher;
import dev.dabba.record.MqttTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Records per second from MQTT to Kafka through the gateway, on this machine: load generators publish pre-encoded
 * record batches (wire format v2, zstd) with QoS 1 and many messages in flight; the gateway (the embedded runner of
 * the Connect tasks) writes one Kafka record per usage record with {@code acks=all} and acknowledges each message
 * after Kafka. The same run measures the baseline, the previous one-message-at-a-time bridge, with the same data
 * and the same producer settings, and prints the ratio.
 *
 * <p>Usage: {@code GatewayThroughputBenchmark [--broker hivemq|mosquitto] [--records N] [--batch N] [--towers N]
 * [--tasks N] [--publishers N] [--window N] [--compression lz4|none|...] [--baseline-records N] [--runs N]
 * [--report wall|cpu]}. Every run also prints the CPU time it used (this JVM and a local Mosquitto) and the rate
 * that gives on dedicated cores, since the machine may be shared. See {@code docs/benchmarks.md}.
 */
public final class GatewayThroughputBenchmark {

    private GatewayThroughputBenchmark() {
    }

    private static final class Options {
        String broker = dev.dabba.embedded.MosquittoProbe.isReachable("127.0.0.1", 1883) ? "mosquitto" : "hivemq";
        int records = 1_000_000;
        int batch = 1_000;
        int towers = 8;
        int tasks = 2;
        int publishers = 4;
        int window = 8;
        int baselineRecords = 200_000;
        int warmupRecords = 500_000;
        String compression = "lz4";
        int runs = 3;
        boolean normalized;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i += 2) {
                String v = args[i + 1];
                switch (args[i]) {
                    case "--broker": o.broker = v; break;
                    case "--records": o.records = Integer.parseInt(v); break;
                    case "--batch": o.batch = Integer.parseInt(v); break;
                    case "--towers": o.towers = Integer.parseInt(v); break;
                    case "--tasks": o.tasks = Integer.parseInt(v); break;
                    case "--publishers": o.publishers = Integer.parseInt(v); break;
                    case "--window": o.window = Integer.parseInt(v); break;
                    case "--baseline-records": o.baselineRecords = Integer.parseInt(v); break;
                    case "--warmup-records": o.warmupRecords = Integer.parseInt(v); break;
                    case "--compression": o.compression = v; break;
                    case "--runs": o.runs = Integer.parseInt(v); break;
                    case "--report": o.normalized = v.equals("cpu"); break;
                    default: throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return o;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf(Locale.ROOT, "gateway benchmark: broker %s, %d-record batches, %d towers, %d source "
                + "task(s), %d publishers x %d in flight, Kafka compression %s; JDK %s, %d cores%n", o.broker,
                o.batch, o.towers, o.tasks, o.publishers, o.window, o.compression, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        EmbeddedMqttBroker hivemq = null;
        String mqttUri;
        if (o.broker.equals("hivemq")) {
            hivemq = EmbeddedMqttBroker.start();
            mqttUri = hivemq.uri();
        } else if (o.broker.equals("mosquitto")) {
            mqttUri = "tcp://127.0.0.1:1883";
        } else {
            mqttUri = o.broker;
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            List<Batches.Encoded> data = data(o, Math.max(o.records, o.baselineRecords));
            long bytes = data.stream().mapToLong(b -> b.payload().length).sum();
            System.out.printf(Locale.ROOT, "data: %d batches, %.1f bytes per record on the wire%n", data.size(),
                    (double) bytes / (data.size() * (long) o.batch));

            runGateway(o, kafka, mqttUri, data, o.warmupRecords, "warm-up");
            runBaseline(o, kafka, mqttUri, data, Math.min(o.warmupRecords, o.baselineRecords), "warm-up");
            // Interleaved, so that a change in the machine's load hits both alike; the medians are reported.
            List<Double> gateway = new ArrayList<>();
            List<Double> baseline = new ArrayList<>();
            for (int r = 1; r <= o.runs; r++) {
                gateway.add(runGateway(o, kafka, mqttUri, data, o.records, "gateway " + r));
                baseline.add(runBaseline(o, kafka, mqttUri, data, o.baselineRecords, "baseline " + r));
            }
            double g = median(gateway);
            double b = median(baseline);
            System.out.printf(Locale.ROOT, "%nRESULT (%s) median of %d runs: gateway %,.0f records/s (best %,.0f); "
                    + "baseline (one message at a time) %,.0f records/s; ratio %.1fx; goal 200,000 records/s %s%n",
                    o.normalized ? "CPU-normalized: records per CPU-second x cores" : "wall clock", o.runs, g, gateway.stream().mapToDouble(Double::doubleValue).max().orElse(0), b, g / b,
                    g >= 200_000 ? "met" : "NOT met");
        } finally {
            if (hivemq != null) {
                hivemq.close();
            }
        }
    }

    private static List<Batches.Encoded> data(Options o, int records) {
        int perTower = Math.max(1, records / o.batch / o.towers);
        List<Batches.Encoded> out = new ArrayList<>();
        for (int b = 0; b < perTower; b++) {
            for (int t = 0; t < o.towers; t++) {
                out.add(Batches.batch(NodeId.of("TOWER_" + t), 1L + (long) b * o.batch, o.batch));
            }
        }
        return out;
    }

    private static Map<String, Object> producerProps(Options o) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression);
        return p;
    }

    private static double runGateway(Options o, EmbeddedKafka kafka, String mqttUri, List<Batches.Encoded> data,
            int records, String label) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        MqttTopics topics = new MqttTopics("dabba-bench/" + id);
        kafka.createTopics(TopicSpec.of("bench-records-" + id, 3), TopicSpec.of("bench-dead-" + id, 1));
        GatewayConfig config = GatewayConfig.builder(mqttUri, kafka.bootstrapServers()).topics(topics)
                .clientIdPrefix("bench-" + id).sharedGroup("bench-" + id).sourceTasks(o.tasks).epochRelay(false)
                .set(MqttSourceConfig.RECORDS_TOPIC, "bench-records-" + id)
                .set(MqttSourceConfig.DEAD_LETTER_TOPIC, "bench-dead-" + id)
                .set(MqttSourceConfig.SESSION_EXPIRY_SECONDS, "300")
                .set(GatewayConfig.KAFKA_PREFIX + ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression)
                .build();
        try (EmbeddedGateway gateway = EmbeddedGateway.start(config)) {
            double rate = measure(o, mqttUri, topics, data, records, () -> gateway.metrics().recordsWritten(),
                    label);
            if (gateway.metrics().rejectedTotal() != 0) {
                throw new IllegalStateException("the gateway rejected messages: " + gateway.metrics());
            }
            return rate;
        }
    }

    /** CPU time of this JVM plus, for an external broker on this machine, of the broker's process. */
    private static long cpuNanos(String mqttUri) {
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        if (mqttUri.contains("127.0.0.1:1883")) {
            cpu += ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/mosquitto")).orElse(false))
                    .mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L))
                    .sum();
        }
        return cpu;
    }

    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double runBaseline(Options o, EmbeddedKafka kafka, String mqttUri, List<Batches.Encoded> data,
            int records, String label) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        MqttTopics topics = new MqttTopics("dabba-bench/" + id);
        kafka.createTopics(TopicSpec.of("bench-records-" + id, 3), TopicSpec.of("bench-dead-" + id, 1));
        Map<String, Object> props = producerProps(o);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        BatchTranslator translator = new BatchTranslator(topics, "bench-records-" + id, "bench-dead-" + id,
                BatchTranslator.DEFAULT_MAX_PAYLOAD_BYTES);
        try (SerialBridgeBaseline baseline = new SerialBridgeBaseline(mqttUri, "bench-baseline-" + id,
                topics.recordsFilter(), props, translator)) {
            return measure(o, mqttUri, topics, data, records, baseline::acceptedRecords, label);
        }
    }

    /** Publishes the first {@code records} records' batches from several publishers and times their arrival. */
    private static double measure(Options o, String mqttUri, MqttTopics topics, List<Batches.Encoded> data,
            int records, LongSupplier written, String label) throws Exception {
        int batches = Math.min(data.size(), Math.max(1, records / o.batch));
        long target = (long) batches * o.batch;
        List<MqttPublisher> publishers = new ArrayList<>();
        for (int p = 0; p < o.publishers; p++) {
            publishers.add(MqttPublisher.connect(mqttUri, "bench-pub-" + label + "-" + p + "-"
                    + UUID.randomUUID().toString().substring(0, 4), o.window));
        }
        ExecutorService pool = Executors.newFixedThreadPool(o.publishers);
        String loadBefore = loadAverage();
        long cpuStart = cpuNanos(mqttUri);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < o.publishers; p++) {
                int me = p;
                running.add(pool.submit(() -> {
                    MqttPublisher pub = publishers.get(me);
                    for (int i = me; i < batches; i += o.publishers) {
                        Batches.Encoded b = data.get(i);
                        pub.publishAsync(topics.records(b.origin()), b.payload());
                    }
                    pub.awaitAcknowledged(Duration.ofMinutes(10));
                    return null;
                }));
            }
            while (written.getAsLong() < target) {
                Thread.sleep(20);
                if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
                    throw new IllegalStateException(label + ": only " + written.getAsLong() + " of " + target
                            + " records in Kafka after 10 minutes");
                }
            }
            long end = System.nanoTime();
            long cpu = cpuNanos(mqttUri) - cpuStart;
            for (Future<?> f : running) {
                f.get();
            }
            double seconds = (end - start) / 1e9;
            double rate = target / seconds;
            double perCpuSecond = target / (cpu / 1e9);
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf(Locale.ROOT, "%-12s %,10d records in %6.2f s = %,10.0f records/s (%,.0f messages/s); "
                    + "%.1f CPU-s used = %,.0f records per CPU-second = %,.0f records/s on %d dedicated cores; "
                    + "load average %s -> %s%n", label, target, seconds, rate, batches / seconds, cpu / 1e9,
                    perCpuSecond, perCpuSecond * cores, cores, loadBefore, loadAverage());
            return o.normalized ? perCpuSecond * cores : rate;
        } finally {
            pool.shutdownNow();
            for (MqttPublisher p : publishers) {
                try {
                    p.close();
                } catch (Exception e) {
                    // benchmark teardown
                }
            }
        }
    }
}
