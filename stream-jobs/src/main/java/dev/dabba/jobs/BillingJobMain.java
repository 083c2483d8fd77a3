package dev.dabba.jobs;

import dev.dabba.billing.BillStore;
import dev.dabba.billing.Tariff;
import dev.dabba.billing.TariffFile;
import dev.dabba.clock.Epoch;
import dev.dabba.record.KafkaTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the billing job on a Flink cluster ({@code flink run dabba-stream-jobs-job.jar --help}). */
@Command(name = "dabba-billing-job", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reads usage records from Kafka, orders them causally, and writes bills to PostgreSQL, bill "
                + "updates and cloned-SIM alerts to Kafka, and epoch announcements to the epochs topic. Durations "
                + "are ISO-8601 (PT30S, P1D).")
public final class BillingJobMain implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--kafka-config", description = "Kafka client properties file (security.protocol, sasl.*, ssl.*) "
            + "given to every Kafka source, sink and consumer of the job. Default: none (PLAINTEXT).")
    Path kafkaConfig;

    @Option(names = "--group-id", defaultValue = "dabba-billing",
            description = "Consumer group, and the epochs sink's transactional id prefix. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--jdbc-url", required = true, description = "Report store, jdbc:postgresql://HOST:PORT/DB.")
    String jdbcUrl;

    @Option(names = "--db-user", description = "Database user.")
    String dbUser;

    @Option(names = "--db-password", description = "Database password (prefer PGPASSWORD-style secrets in production).")
    String dbPassword;

    @Option(names = "--schema", defaultValue = BillStore.DEFAULT_SCHEMA, description = "Default: ${DEFAULT-VALUE}.")
    String schema;

    @Option(names = "--plan", description = "Tariff plan file (docs/tariff-format.md). Default: the seed plan.")
    Path plan;

    @Option(names = "--plan-id", description = "Plan id within --plan when the file holds several.")
    String planId;

    @Option(names = "--towers", description = "Tower file, TOWER_ID,LATITUDE,LONGITUDE per line, for cloned-SIM "
            + "alerts. Default: the seed's four Mumbai towers.")
    Path towers;

    @Option(names = "--checkpoint-interval", defaultValue = "PT10S", description = "Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--max-causal-wait", defaultValue = "PT30S",
            description = "How long a record waits for its causal dependencies before it is billed flagged. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration maxCausalWait;

    @Option(names = "--causal-recheck", defaultValue = "PT0.025S",
            description = "How often waiting records are re-checked at first; less often while what they wait for "
                    + "stays missing, up to every 32 times this. Default: ${DEFAULT-VALUE}.")
    Duration causalRecheck;

    @Option(names = "--epoch-interval", defaultValue = "PT30S",
            description = "How often an epoch is announced when the frontier moved. Default: ${DEFAULT-VALUE}.")
    Duration epochInterval;

    @Option(names = "--grace", defaultValue = "P1D",
            description = "How long after its cycle closes a bill becomes FINAL. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--revision-retention", defaultValue = "P40D",
            description = "How long after its cycle closes a late record still revises a bill; later ones are "
                    + "dead-lettered. Default: ${DEFAULT-VALUE}.")
    Duration revisionRetention;

    @Option(names = "--max-out-of-orderness", defaultValue = "PT1M",
            description = "How far the event-time watermark trails the newest HLC. Default: ${DEFAULT-VALUE}.")
    Duration maxOutOfOrderness;

    @Option(names = "--bill-emit-interval", defaultValue = "PT0.2S",
            description = "A bill's first change after a quiet interval goes out at once; the changes within this "
                    + "interval after it become one version at its end. 0: a version per change. Default: "
                    + "${DEFAULT-VALUE}.")
    Duration billEmitInterval;

    @Option(names = "--bill-cache-records", defaultValue = "100000",
            description = "Records kept in memory per bill subtask as running bills, so that a version of a cached "
                    + "bill costs only its new records (0: recompute every version from state). "
                    + "Default: ${DEFAULT-VALUE}.")
    int billCacheRecords;

    @Option(names = "--network-buffer-timeout", defaultValue = "PT0.01S",
            description = "Longest a record waits in a network buffer between operators before it is sent "
                    + "(Flink's buffer timeout; 0 sends every record at once). Default: ${DEFAULT-VALUE}.")
    Duration networkBufferTimeout;

    @Option(names = "--clone-distance-km", defaultValue = "10",
            description = "Tower distance above which concurrent usage is a cloned-SIM suspect. "
                    + "Default: ${DEFAULT-VALUE}.")
    double cloneDistanceKm;

    @Override
    public Integer call() throws Exception {
        Tariff tariff = plan == null ? Tariff.seedDefault() : TariffFile.readPlan(plan, planId);
        JobSettings settings = JobSettings.builder()
                .tariff(tariff)
                .towers(towers == null ? TowerDirectory.seedTowers() : TowerDirectory.read(towers))
                .checkpointInterval(checkpointInterval)
                .maxCausalWait(maxCausalWait)
                .causalRecheck(causalRecheck)
                .epochInterval(epochInterval)
                .grace(grace)
                .revisionRetention(revisionRetention)
                .maxOutOfOrderness(maxOutOfOrderness)
                .cloneDistanceKm(cloneDistanceKm)
                .billEmitInterval(billEmitInterval)
                .billCacheRecords(billCacheRecords)
                .networkBufferTimeout(networkBufferTimeout)
                .build();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        if (dbUser != null) {
            dataSource.setUser(dbUser);
        }
        if (dbPassword != null) {
            dataSource.setPassword(dbPassword);
        }
        new BillStore(dataSource, schema).migrate();
        Map<String, String> kafkaClient = kafkaClientProperties(kafkaConfig);
        Epoch bootstrap = EpochBootstrap.latestOrOpen(bootstrapServers, kafkaClient, KafkaTopics.EPOCHS,
                Duration.ofSeconds(60), System.currentTimeMillis());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BillingJob.kafka(bootstrapServers, kafkaClient, groupId, new BillSink(jdbcUrl, dbUser, dbPassword, schema),
                bootstrap, settings).build(env);
        env.execute(BillingJob.NAME);
        return 0;
    }

    /** The properties in {@code file} (java.util.Properties syntax), or none when {@code file} is null. */
    public static Map<String, String> kafkaClientProperties(Path file) throws java.io.IOException {
        if (file == null) {
            return Map.of();
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(file)) {
            p.load(in);
        }
        Map<String, String> out = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /**
     * Runs the job. Never calls {@code System.exit}: submitted through the REST API, {@code main} runs inside the
     * JobManager, and exiting would stop the cluster. A failure is an exception, which the CLI and REST report.
     */
    public static void main(String[] args) {
        int code = new CommandLine(new BillingJobMain()).execute(args);
        if (code != 0) {
            throw new IllegalArgumentException("dabba-billing-job failed with exit code " + code
                    + " (see the message above)");
        }
    }
}
