package dev.dabba.deploy.bench;

import dev.dabba.billing.internal.CliConverters;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.deploy.demo.EmbeddedStack;
import dev.dabba.embedded.Database;
import dev.dabba.embedded.EmbeddedKafka;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.MosquittoProbe;
import dev.dabba.embedded.TopicSpec;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dabba bench}: the end-to-end benchmark of {@code docs/benchmarks.md}, "End to end". In one run, on one
 * MQTT broker, one Kafka and one PostgreSQL database:
 * <ol>
 *   <li>Dabba's pipeline ({@link DabbaPipeline}: tower agents -> broker -> gateway -> Kafka -> billing job ->
 *       PostgreSQL) takes a warm-up, then {@code --rounds} <b>throughput</b> rounds (records stamped as fast as the
 *       agents take them; records/s from the first record stamped to the moment every record is on a bill in the
 *       store; the report gives every round and the median, as JMH reports iterations after warm-up), then
 *       a <b>latency</b> phase at a steady rate below saturation (record stamped -> first stored bill containing
 *       it, p50/p99);</li>
 *   <li>the seed-style baseline ({@link SeedBaseline}) replays <em>the same records</em> (those Dabba's agents
 *       stamped, clocks included, as the seed's JSON with full vector maps) in the same three phases at the same
 *       rates;</li>
 *   <li>then clock bytes per record (from the stamped records, as the codec writes them, against the seed's JSON
 *       vector), the agents' wire bytes per record (compressed batches), a standalone agent's resident memory
 *       ({@code deploy/agent/bench.sh}) and the rating engine's JMH score, each from its own process.</li>
 * </ol>
 * Design notes: the pipelines run one after the other, never together, so each gets the machine; both share this
 * JVM with Kafka and the Flink MiniCluster (Dabba's gateway and job are stopped before the baseline starts). Both
 * time with {@link System#nanoTime()} in this JVM: Dabba's bill times come from a stopwatch around the real
 * PostgreSQL sink ({@link TimedBillSink}), the baseline's from its biller. The result is printed as Markdown for
 * the docs. The broker is embedded HiveMQ CE by default: the machine's Mosquitto 2.0.11 dropped QoS 1 messages for
 * the baseline's single subscriber, so its runs never completed (Dabba's pipeline runs through either).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmark: records/s and bill-update latency through the whole pipeline (agents, "
                + "MQTT, gateway, Kafka, Flink, PostgreSQL) against a seed-style baseline (JSON, full vector maps, "
                + "one message per record) measured in the same run; plus clock bytes per record, agent RSS and "
                + "rating throughput. Writes Markdown for docs/benchmarks.md to standard output, and into the page "
                + "itself with --write-docs."})
public final class EndToEndBenchCommand implements Callable<Integer> {

    private static final String SEED_TOPIC = "seed.records";

    @Option(names = "--towers", defaultValue = "8", description = "Tower agents (default: ${DEFAULT-VALUE}).")
    int towers;

    @Option(names = "--subscribers", defaultValue = "20000", description = "Subscribers (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--records", defaultValue = "30000", description = "Records in the throughput phase "
            + "(default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--warmup-records", defaultValue = "5000", description = "Records in the warm-up "
            + "(default: ${DEFAULT-VALUE}).")
    int warmupRecords;

    @Option(names = "--rounds", defaultValue = "3", description = "Throughput rounds per pipeline, each of "
            + "--records new records; the report gives each round and the median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--rate", defaultValue = "200", description = "Records/s in the latency phase "
            + "(default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "60", description = "Length of the latency phase "
            + "(default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--handover-share", defaultValue = "0.1", description = "Share of records after which the "
            + "subscriber moves to another tower (default: ${DEFAULT-VALUE}).")
    double handoverShare;

    @Option(names = "--broker", defaultValue = "hivemq", description = "hivemq (embedded HiveMQ CE), mosquitto "
            + "(127.0.0.1:1883) or an MQTT URI. Mosquitto 2.0.11 (Debian 12) drops QoS 1 messages for the baseline's "
            + "bridge, which then never completes (default: ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--postgres", defaultValue = "jdbc:postgresql://127.0.0.1:5432/", description = "A PostgreSQL "
            + "server URL without the database (a fresh database is created for the run and dropped after), or "
            + "'embedded' (default: ${DEFAULT-VALUE}).")
    String postgres;

    @Option(names = "--postgres-user", defaultValue = "postgres", description = "Default: ${DEFAULT-VALUE}.")
    String postgresUser;

    @Option(names = "--keep-database", description = "Do not drop the run's database.")
    boolean keepDatabase;

    @Option(names = "--phase-timeout", converter = CliConverters.PositiveDurationConverter.class,
            defaultValue = "PT5M", description = "Longest wait for a phase's records to be billed (default: "
            + "${DEFAULT-VALUE}).")
    Duration phaseTimeout;

    @Option(names = "--agent-rss-records", defaultValue = "300000", description = "Records through the standalone "
            + "agent for its RSS; 0 skips it (default: ${DEFAULT-VALUE}).")
    int agentRssRecords;

    @Option(names = "--bill-cache-records", defaultValue = "100000", description = "The job's running bills, in "
            + "records per bill subtask (its --bill-cache-records); 0 recomputes every bill version from state, as "
            + "the job did before running bills (default: ${DEFAULT-VALUE}).")
    int billCacheRecords;

    @Option(names = "--no-rating", description = "Skip the rating engine's JMH benchmark.")
    boolean noRating;

    @Option(names = "--write-docs", arity = "0..1", paramLabel = "FILE", fallbackValue = "",
            description = "Also write the result into FILE (default: docs/benchmarks.md of this checkout), between "
                    + "its lines " + DocsSection.BEGIN + " and " + DocsSection.END + "; the rest of the page is "
                    + "kept. Checked before the run starts.")
    String writeDocs;

    @Spec
    CommandSpec spec;

    /** The largest latency phase (--rate x --seconds records), kept well inside an int and this machine's heap. */
    static final long MAX_LATENCY_RECORDS = 10_000_000;

    /**
     * Checks every option before anything starts, so a bad value is a usage error naming the option (exit code 2)
     * rather than a failure after a broker, Kafka and a database were started for nothing.
     */
    void validate() {
        atLeast("--towers", towers, 2);
        atLeast("--subscribers", subscribers, 1);
        atLeast("--records", records, 1);
        atLeast("--warmup-records", warmupRecords, 1);
        atLeast("--rounds", rounds, 1);
        atLeast("--rate", rate, 1);
        atLeast("--seconds", seconds, 1);
        if ((long) rate * seconds > MAX_LATENCY_RECORDS) {
            throw invalid("--seconds", seconds, "--rate x --seconds must be at most " + MAX_LATENCY_RECORDS
                    + " records, was " + (long) rate * seconds);
        }
        if (!(handoverShare >= 0 && handoverShare <= 1)) {
            throw invalid("--handover-share", handoverShare, "must be within 0..1");
        }
        atLeast("--agent-rss-records", agentRssRecords, 0);
        atLeast("--bill-cache-records", billCacheRecords, 0);
        if (!broker.equals("hivemq") && !broker.equals("mosquitto")
                && !broker.matches("(tcp|ssl|ws|wss)://[^/:\\s]+(:\\d{1,5})?/?")) {
            throw invalid("--broker", broker, "must be hivemq, mosquitto or an MQTT URI such as tcp://HOST:1883");
        }
        if (!postgres.equals("embedded") && !postgres.startsWith("jdbc:postgresql://")) {
            throw invalid("--postgres", postgres, "must be 'embedded' or a server URL such as "
                    + "jdbc:postgresql://HOST:5432/");
        }
        if (postgresUser.isBlank()) {
            throw invalid("--postgres-user", postgresUser, "must not be blank");
        }
        if (writeDocs != null) {
            Path page = docsPage();
            String problem;
            try {
                problem = !Files.isWritable(page) ? "is not a writable file"
                        : DocsSection.problem(Files.readString(page, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                problem = "cannot be read (" + e.getMessage() + ")";
            }
            if (problem != null) {
                throw invalid("--write-docs", page, "the page " + problem);
            }
        }
    }

    /** The page --write-docs writes: its value, or docs/benchmarks.md under dabba.home when it has none. */
    Path docsPage() {
        return writeDocs.isEmpty() ? home().resolve("docs").resolve("benchmarks.md") : Path.of(writeDocs);
    }

    private static Path home() {
        return Path.of(System.getProperty("dabba.home", ".")).toAbsolutePath().normalize();
    }

    private void atLeast(String option, int value, int least) {
        if (value < least) {
            throw invalid(option, value, "must be at least " + least);
        }
    }

    private ParameterException invalid(String option, Object value, String rule) {
        return new ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': " + rule + ", was '" + value + "'");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String runId = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path home = home();
        Instant started = Instant.now();
        String loadAtStart = Machine.loadAverage();
        validate();
        String code = Machine.gitDescription(home);
        say(out, "dabba bench %s: %d towers, %d subscribers, %,d warm-up + %d x %,d throughput + %,d latency records "
                + "(%d/s for %d s), handover after %.0f%% of records; %d cores, max heap %d MiB, JDK %s; load "
                + "average %s", started, towers, subscribers, warmupRecords, rounds, records, rate * seconds, rate,
                seconds,
                handoverShare * 100, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"), loadAtStart);

        EmbeddedMqttBroker hivemq = null;
        String mqttUri;
        if (broker.equals("hivemq")) {
            hivemq = EmbeddedMqttBroker.start();
            mqttUri = hivemq.uri();
        } else if (broker.equals("mosquitto")) {
            if (!MosquittoProbe.isReachable("127.0.0.1", 1883)) {
                spec.commandLine().getErr().println("dabba bench: no MQTT broker answers on 127.0.0.1:1883");
                return 1;
            }
            mqttUri = "tcp://127.0.0.1:1883";
        } else {
            mqttUri = broker;
        }
        // sql-allowlist: the run id is digits only (a UTC timestamp formatted yyyyMMddHHmmss), no input reaches it
        String dbName = "dabba_bench_" + runId;
        Database database = openDatabase(dbName);
        Path state = Files.createTempDirectory("dabba-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            List<TopicSpec> topics = new ArrayList<>(EmbeddedStack.topics());
            topics.add(TopicSpec.of(SEED_TOPIC, 3));
            kafka.createTopics(topics);
            say(out, "broker %s, Kafka %s, PostgreSQL %s", mqttUri, kafka.bootstrapServers(), database.jdbcUrl());

            Workload workload = new Workload(towers, subscribers, handoverShare, 42);
            List<UsageRecord> warm = new ArrayList<>();
            List<List<UsageRecord>> bulks = new ArrayList<>();
            List<UsageRecord> steady = new ArrayList<>();
            List<PhaseResult> results = new ArrayList<>();
            List<NodeId> region;
            long[] wire;
            long batches;
            BillTimes.clear();
            say(out, "Dabba: starting the gateway, the billing job and %d agents ...", towers);
            try (DabbaPipeline dabba = DabbaPipeline.start(mqttUri, runId, kafka, database, EmbeddedStack.SCHEMA,
                    towers, state, billCacheRecords)) {
                region = dabba.towers();
                results.add(report(out, dabba.run("warm-up", workload, warmupRecords, 0, phaseTimeout, warm)));
                // Measure the steady state: clocks as compact deltas of an epoch that knows every tower (the job
                // announces epochs every 5 s, visible after its next checkpoint), not the first seconds in genesis.
                long adopted = dabba.awaitEpochWithAllTowers(Duration.ofSeconds(90));
                say(out, adopted < 0 ? "agents did not adopt an epoch with every tower in 90 s; measuring anyway"
                        : "every agent has adopted an epoch with every tower as a member (epoch " + adopted + ")");
                for (int round = 1; round <= rounds; round++) {
                    List<UsageRecord> bulk = new ArrayList<>();
                    bulks.add(bulk);
                    results.add(report(out, dabba.run(throughputPhase(round), workload, records, 0, phaseTimeout,
                            bulk)));
                }
                results.add(report(out, dabba.run("latency", workload, rate * seconds, rate, phaseTimeout, steady)));
                wire = dabba.wireBytesAndRecords();
                batches = dabba.batches();
            }
            BillTimes.clear();
            say(out, "seed baseline: starting the towers' clients, the bridge and the biller ...");
            try (SeedBaseline seed = SeedBaseline.start(mqttUri, runId, kafka.bootstrapServers(), SEED_TOPIC,
                    database, region)) {
                results.add(report(out, seed.replay("warm-up", warm, 0, phaseTimeout)));
                say(out, "seed baseline: %s", seed.publishStats());
                for (int round = 1; round <= rounds; round++) {
                    results.add(report(out, seed.replay(throughputPhase(round), bulks.get(round - 1), 0,
                            phaseTimeout)));
                    say(out, "seed baseline: %s", seed.publishStats());
                }
                results.add(report(out, seed.replay("latency", steady, rate, phaseTimeout)));
                say(out, "seed baseline: %s", seed.publishStats());
            }
            String loadAfterPipelines = Machine.loadAverage();

            List<UsageRecord> measured = new ArrayList<>();
            bulks.forEach(measured::addAll);
            measured.addAll(steady);
            ClockBytes clock = ClockBytes.of(measured, region);

            ExternalProbes.AgentProbe agent = null;
            if (agentRssRecords > 0) {
                say(out, "standalone agent (its own process, the launcher's JVM settings) ...");
                agent = ExternalProbes.standaloneAgent(home, agentRssRecords, out);
            }
            ExternalProbes.RatingProbe rating = null;
            if (!noRating) {
                say(out, "rating engine (JMH) ...");
                rating = ExternalProbes.rating(home, out);
            }
            EndToEndReport report = new EndToEndReport(started, loadAtStart, loadAfterPipelines, mqttUri, results,
                    clock, wire, batches, agent, rating, this, code);
            report.print(out);
            if (writeDocs != null) {
                try {
                    DocsSection.write(docsPage(), report.markdown());
                } catch (IOException | IllegalArgumentException e) {
                    // The page was fine when the run began; the result above is not lost, only not written.
                    spec.commandLine().getErr().println("dabba bench: could not write the result into " + docsPage()
                            + ": " + e.getMessage());
                    return 1;
                }
                say(out, "written to %s, between its lines %s and %s", docsPage(), DocsSection.BEGIN,
                        DocsSection.END);
            }
        } finally {
            database.close();
            if (hivemq != null) {
                hivemq.close();
            }
            deleteRecursively(state);
            dropDatabase(out, dbName);
        }
        return 0;
    }

    /** The name of throughput round {@code round} (1-based). */
    static String throughputPhase(int round) {
        return "throughput " + round;
    }

    /** The command line that reproduces this run, for the report. */
    String commandLine() {
        return String.format(Locale.ROOT, "./dabba bench --broker %s --towers %d --subscribers %d --records %d "
                + "--rounds %d --warmup-records %d --rate %d --seconds %d --handover-share %s --bill-cache-records %d",
                broker, towers, subscribers, records, rounds, warmupRecords, rate, seconds, handoverShare,
                billCacheRecords);
    }

    private Database openDatabase(String dbName) throws Exception {
        if (postgres.equals("embedded")) {
            return Database.embedded();
        }
        try (Connection c = DriverManager.getConnection(postgres + "postgres", postgresUser, null);
             Statement s = c.createStatement()) {
            s.execute("create database " + dbName);
        }
        return Database.connect(postgres + dbName, postgresUser);
    }

    private void dropDatabase(PrintWriter out, String dbName) {
        if (postgres.equals("embedded") || keepDatabase) {
            return;
        }
        try (Connection c = DriverManager.getConnection(postgres + "postgres", postgresUser, null);
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + dbName + " with (force)");
        } catch (Exception e) {
            say(out, "could not drop database %s: %s", dbName, e.getMessage());
        }
    }

    private static PhaseResult report(PrintWriter out, PhaseResult r) {
        say(out, "%s", r.describe());
        return r;
    }

    static void say(PrintWriter out, String format, Object... args) {
        out.printf(Locale.ROOT, "[%s] " + format + "%n", prepend(Instant.now().toString().substring(11, 19), args));
        out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (Exception e) {
            // a temporary directory
        }
    }

    /**
     * Clock bytes per record as Dabba's codec writes them in a record body (epoch offset + delta, the record's own
     * entry implied by its sequence; counted as {@code ClockSizeSimulation} checks it: the record's encoding minus
     * the encoding of the same record with only its own entry, plus that minimal clock's 2 bytes), against the
     * {@code "vector_clock":{...}} member of the seed's JSON for the same record.
     */
    record ClockBytes(int count, double mean, int p50, int p99, int max, double seedMean, double seedRecordMean,
            long lastEpoch) {

        static ClockBytes of(List<UsageRecord> records, List<NodeId> region) {
            RecordCodec codec = RecordCodec.withoutCompression();
            int[] bytes = new int[records.size()];
            double seedSum = 0;
            double seedRecordSum = 0;
            long lastEpoch = 0;
            for (int i = 0; i < bytes.length; i++) {
                UsageRecord r = records.get(i);
                VectorClock own = VectorClock.of(r.clock().epoch(), Map.of(r.origin().value(), r.id().sequence()));
                UsageRecord bare = new UsageRecord(r.id(), r.subscriber(), r.start(), r.hlc(), own, r.usage());
                bytes[i] = codec.encodeRecord(r).length - codec.encodeRecord(bare).length + 2;
                seedSum += SeedJson.vectorBytes(r, region);
                seedRecordSum += SeedJson.encode(r, region).length;
                lastEpoch = Math.max(lastEpoch, r.clock().epoch().number());
            }
            Arrays.sort(bytes);
            double mean = Arrays.stream(bytes).average().orElse(Double.NaN);
            int n = bytes.length;
            return new ClockBytes(n, mean, n == 0 ? 0 : bytes[n / 2], n == 0 ? 0 : bytes[(int) (n * 0.99)],
                    n == 0 ? 0 : bytes[n - 1], seedSum / Math.max(1, n), seedRecordSum / Math.max(1, n), lastEpoch);
        }
    }
}
