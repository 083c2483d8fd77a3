package dev.dabba.jobs;

import dev.dabba.billing.BillStore;
import dev.dabba.billing.Tariff;
import dev.dabba.record.KafkaTopics;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the billing job on a Flink cluster ({@code flink run dabba-stream-jobs.jar --help}). */
@Command(name = "dabba-billing-job", mixinStandardHelpOptions = true,
        description = "Reads usage records from Kafka and writes causally ordered bills to PostgreSQL.")
public final class BillingJobMain implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--records-topic", defaultValue = KafkaTopics.RECORDS, description = "Default: ${DEFAULT-VALUE}.")
    String recordsTopic;

    @Option(names = "--group-id", defaultValue = "dabba-billing", description = "Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--jdbc-url", required = true, description = "Report store, jdbc:postgresql://HOST:PORT/DB.")
    String jdbcUrl;

    @Option(names = "--db-user", description = "Database user.")
    String dbUser;

    @Option(names = "--db-password", description = "Database password (prefer PGPASSWORD-style secrets in production).")
    String dbPassword;

    @Option(names = "--schema", defaultValue = BillStore.DEFAULT_SCHEMA, description = "Default: ${DEFAULT-VALUE}.")
    String schema;

    @Option(names = "--checkpoint-interval", defaultValue = "PT10S",
            description = "ISO-8601 duration. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--dedupe-retention", defaultValue = "P40D",
            description = "How long event ids are remembered for dedupe, ISO-8601. Default: ${DEFAULT-VALUE}.")
    Duration dedupeRetention;

    @Override
    public Integer call() throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        if (dbUser != null) {
            dataSource.setUser(dbUser);
        }
        if (dbPassword != null) {
            dataSource.setPassword(dbPassword);
        }
        new BillStore(dataSource, schema).migrate();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new BillingJob(BillingJob.kafkaSource(bootstrapServers, recordsTopic, groupId),
                new BillSink(jdbcUrl, dbUser, dbPassword, schema), BillingJob.deadLetterSink(bootstrapServers),
                Tariff.seedDefault(), dedupeRetention)
                .build(env, checkpointInterval);
        env.execute(BillingJob.NAME);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BillingJobMain()).execute(args));
    }
}
