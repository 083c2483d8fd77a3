package dev.dabba.bench.billing;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillFilter;
import dev.dabba.billing.BillPage;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.PageRequest;
import dev.dabba.billing.Tariff;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bill query latency from the PostgreSQL report store, sampled per call (JMH reports p50/p90/p99/p99.9): reading one
 * whole bill (header, lines, segments, bundles in one repeatable-read snapshot, as {@code dabba bill} and the HTTP
 * API do) and one page of the bill listing, over one open connection (what a pool gives a caller).
 *
 * <p>The store holds {@code bills} bills of {@code lines} lines each under the rich plan (so lines have several
 * segments), in a throwaway schema dropped afterwards. The database is {@code jdbcUrl}: by default the local server
 * at 127.0.0.1:5432 (trust authentication, database {@code test}), which the CI machines run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class BillQueryBenchmark {

    @Param("jdbc:postgresql://127.0.0.1:5432/test")
    public String jdbcUrl;

    @Param("postgres")
    public String user;

    @Param("2000")
    public int bills;

    @Param("40")
    public int lines;

    private SingleConnectionDataSource dataSource;
    private BillStore store;
    private String schema;
    private Msisdn[] subscribers;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void load() throws SQLException {
        dataSource = new SingleConnectionDataSource(jdbcUrl, user);
        // sql-allowlist: a fixed prefix and hex digits, an identifier BillStore also validates
        schema = "bench_billing_" + Long.toHexString(System.nanoTime());
        store = new BillStore(dataSource, schema);
        store.migrate();
        Tariff plan = RatingBenchmark.RichPlan.tariff();
        List<UsageRecord> month = BenchRecords.month(lines, 7);
        subscribers = new Msisdn[bills];
        for (int i = 0; i < bills; i++) {
            Msisdn who = Msisdn.of("+9198" + String.format("%08d", i));
            subscribers[i] = who;
            List<UsageRecord> records = month.stream()
                    .map(r -> new UsageRecord(r.id(), who, r.start(), r.hlc(), r.clock(), r.usage())).toList();
            store.upsert(Bill.compute(who, YearMonth.of(2025, 3), lines, BillStatus.PROVISIONAL, records, plan,
                    Instant.parse("2025-04-01T00:00:00Z")));
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE \"" + schema + "\".bill");
            s.execute("ANALYZE \"" + schema + "\".bill_line");
            s.execute("ANALYZE \"" + schema + "\".bill_segment");
        }
        random = new SplittableRandom(1);
    }

    @TearDown(Level.Trial)
    public void drop() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
        dataSource.shutdown();
    }

    /** One whole bill of a random subscriber: what {@code dabba bill} and GET .../bills/{cycle} read. */
    @Benchmark
    public Optional<Bill> findBill() {
        return store.find(subscribers[random.nextInt(subscribers.length)], YearMonth.of(2025, 3));
    }

    /** A page of 50 bills of the cycle at least Rs 10, starting at a random subscriber prefix. */
    @Benchmark
    public BillPage listPage() {
        return store.list(BillFilter.ALL.withCycle(YearMonth.of(2025, 3)).withMinTotal(
                dev.dabba.billing.Money.ofPaisa(1000)).withSubscriberPrefix("+9198" + random.nextInt(10)),
                PageRequest.first(50));
    }
}
