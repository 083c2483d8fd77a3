package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.clock.Epoch;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records per second through the billing job on a MiniCluster with parallelism 2 reading real Kafka, and the
 * bill-update latency (record produced to Kafka -> first bill version containing it reaches the sink) at a fixed
 * rate; the job with the causal buffer against the same job without it (records billed as they come), in one run.
 *
 * <p>Not a test: run it with the command in {@code docs/benchmarks.md}, section "Stream job". Arguments:
 * {@code [records] [latencyRate] [latencySeconds]} (defaults 200000, 2000, 20). {@code -Ddabba.bench.backends=hashmap,rocksdb}
 * runs both variants on each state backend in turn (default: {@code hashmap}, the heap); {@code rocksdb} checkpoints
 * incrementally, as the session cluster does.
 */
public final class StreamJobBenchmark {

    private static final int TOWERS = 20;
    private static final int SUBSCRIBERS = 20_000;
    /** First bill version per event id at the sink, and when each record was produced (same JVM). */
    static final Map<EventId, Long> SENT = new ConcurrentHashMap<>();
    static final Map<EventId, Long> BILLED = new ConcurrentHashMap<>();

    /** The state backend of the runs under way ({@code state.backend.type}). */
    private static String stateBackend = "hashmap";

    private StreamJobBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf("stream job benchmark: %d records, %d towers, %d subscribers; latency at %d records/s "
                + "for %d s; %d cores%n", n, TOWERS, SUBSCRIBERS, rate, seconds,
                Runtime.getRuntime().availableProcessors());
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Warm-up of both variants (JIT, class loading), so that neither measured run pays for it.
            run(kafka, false, 20_000, rate, 2, "warmup-");
            run(kafka, true, 20_000, rate, 2, "warmup-");
            List<String> rows = new ArrayList<>();
            for (String backend : System.getProperty("dabba.bench.backends", "hashmap").split(",")) {
                stateBackend = backend.trim();
                for (boolean buffered : new boolean[] {false, true}) {
                    rows.add(run(kafka, buffered, n, rate, seconds, stateBackend.equals("hashmap") ? ""
                            : stateBackend + "-"));
                }
            }
            System.out.println();
            System.out.println("| job | state backend | records | seconds (first to last bill) | records/s | latency p50 "
                    + "| latency p99 | at |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
        }
        System.exit(0);
    }

    private static String run(EmbeddedKafka kafka, boolean buffered, int n, int rate, int seconds, String prefix)
            throws Exception {
        String name = prefix + (buffered ? "causal" : "baseline");
        String topic = name + ".records";
        kafka.createTopics(List.of(new TopicSpec(topic, 3, Map.of()), TopicSpec.compacted(name + ".epochs", 1)));
        Generator gen = new Generator(new Random(buffered ? 1 : 2));
        List<UsageRecord> bulk = gen.records(n, Instant.parse("2026-11-26T04:30:00Z"));
        SENT.clear();
        BILLED.clear();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
            RecordCodec codec = RecordCodec.standard();
            for (UsageRecord r : bulk) {
                producer.send(new ProducerRecord<>(topic, r.subscriber().value().getBytes(StandardCharsets.UTF_8),
                        codec.encodeRecord(r)));
            }
            producer.flush();
            Configuration conf = checkpointsOnDisk("dabba-bench-" + name);
            conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, stateBackend.equals("rocksdb"));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
            BillingJob.builder(BillingJob.kafkaSource(kafka.bootstrapServers(), topic, name),
                            BillingJob.epochSource(kafka.bootstrapServers(), name + ".epochs", name + "-epochs"))
                    .billStore(new LatencySink())
                    .deadLetters(new DiscardingSink<>())
                    .epochSink(new DiscardingSink<Epoch>())
                    .settings(JobSettings.builder().causalBuffering(buffered).build())
                    .build()
                    .build(env);
            long t0 = System.nanoTime();
            JobClient job = env.executeAsync("bench-" + name);
            while (BILLED.size() < n) {
                Thread.sleep(20);
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(15)) {
                    throw new IllegalStateException(name + ": only " + BILLED.size() + " of " + n + " billed");
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long first = BILLED.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = BILLED.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            double billing = (last - first) / 1e9;
            double throughput = n / billing;
            System.out.printf("%s: %d records billed in %.1f s from the first bill (%.1f s with job start): "
                    + "%.0f records/s%n", name, n, billing, elapsed, throughput);

            // Latency: a steady rate of new records while the job runs.
            List<UsageRecord> steady = gen.records(rate * seconds, Instant.parse("2026-11-27T04:30:00Z"));
            BILLED.clear();
            long start = System.nanoTime();
            for (int i = 0; i < steady.size(); i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                UsageRecord r = steady.get(i);
                SENT.put(r.id(), System.nanoTime());
                producer.send(new ProducerRecord<>(topic, r.subscriber().value().getBytes(StandardCharsets.UTF_8),
                        codec.encodeRecord(r)));
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (billedOf(steady) < steady.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            job.cancel().get(1, TimeUnit.MINUTES);
            long[] lat = new long[steady.size()];
            int k = 0;
            for (UsageRecord r : steady) {
                Long b = BILLED.get(r.id());
                if (b != null) {
                    lat[k++] = b - SENT.get(r.id());
                }
            }
            lat = Arrays.copyOf(lat, k);
            Arrays.sort(lat);
            double p50 = lat.length == 0 ? Double.NaN : lat[lat.length / 2] / 1e6;
            double p99 = lat.length == 0 ? Double.NaN : lat[(int) (lat.length * 0.99)] / 1e6;
            System.out.printf("%s: latency over %d of %d records at %d/s: p50 %.0f ms, p99 %.0f ms%n", name, k,
                    steady.size(), rate, p50, p99);
            return String.format("| %s | %s | %d | %.1f | %.0f | %.0f ms | %.0f ms | %d/s |",
                    buffered ? "causal buffer (this job)" : "baseline: no causal buffer", stateBackend, n, billing,
                    throughput, p50, p99, rate);
        }
    }

    /** Checkpoints in a temporary directory: the MiniCluster's default (JobManager memory) caps state at 5 MiB. */
    static Configuration checkpointsOnDisk(String prefix) throws java.io.IOException {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                java.nio.file.Files.createTempDirectory(prefix).toUri().toString());
        return conf;
    }

    private static int billedOf(List<UsageRecord> records) {
        int k = 0;
        for (UsageRecord r : records) {
            k += BILLED.containsKey(r.id()) ? 1 : 0;
        }
        return k;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Subscribers moving between towers: handovers carry clocks, so records have real causal dependencies. */
    private static final class Generator {
        private final Random random;
        private final World world = new World();
        private final int[] at = new int[SUBSCRIBERS];

        Generator(Random random) {
            this.random = random;
        }

        List<UsageRecord> records(int count, Instant from) {
            List<UsageRecord> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int s = random.nextInt(SUBSCRIBERS);
                if (random.nextInt(4) == 0) {
                    int next = random.nextInt(TOWERS);
                    world.handover(tower(at[s]), tower(next));
                    at[s] = next;
                }
                Msisdn who = Msisdn.of("+9198" + (10_000_000 + s));
                Instant start = from.plusMillis(i * 10L);
                Usage usage = switch3(random.nextInt(3));
                out.add(world.stamp(tower(at[s]), who, start, usage));
            }
            return out;
        }

        private Usage switch3(int k) {
            if (k == 0) {
                return new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 1 + random.nextInt(600));
            }
            if (k == 1) {
                return new Usage.Sms(Msisdn.of("+919876543212"));
            }
            return new Usage.Data(RadioType.G4, random.nextInt(1 << 16), random.nextInt(1 << 24));
        }

        private static String tower(int i) {
            return "TOWER_" + i;
        }
    }

    /** Records, per event id, when the first bill version containing it arrived. */
    private static final class LatencySink implements Sink<Bill> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Bill> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Bill bill, Context context) {
                    long now = System.nanoTime();
                    for (BillLine line : bill.lines()) {
                        BILLED.putIfAbsent(line.rated().eventId(), now);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
