package dev.dabba.bench.billing;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.LineMarks;
import dev.dabba.billing.RatingEngine;
import dev.dabba.billing.RunningBill;
import dev.dabba.billing.Tariff;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bill versions per second into the PostgreSQL report store, as the stream job's sink writes them: batches of 500
 * bills ({@code BillSink.DEFAULT_MAX_BATCH}) in one transaction each, every bill the next version of a subscriber's
 * bill with one record more than the stored one (what a record arriving does), against the baseline of one
 * transaction per bill version (what the sink did first).
 *
 * <p>Subscribers are taken in turn, {@code subscribers} of them, so each batch touches 500 different bills and a
 * bill grows by one line each time its turn comes (the end-to-end benchmark's 20,000 subscribers hold 1-5 lines a
 * round). After {@value #RECORDS} versions a subscriber is replaced by a new one, whose first version is an insert.
 * The store is a throwaway schema in {@code jdbcUrl} (default: the local server, database {@code test}), dropped
 * after. The bills are made by {@link RunningBill} in the benchmark thread (microseconds each; the store's
 * round trips and PostgreSQL's work are what is measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class BillStoreWriteBenchmark {

    static final int BATCH = 500;
    static final int RECORDS = 4;
    private static final YearMonth CYCLE = YearMonth.of(2025, 3);
    private static final Instant UPDATED = Instant.parse("2025-03-15T00:00:00Z");

    @Param("jdbc:postgresql://127.0.0.1:5432/test")
    public String jdbcUrl;

    @Param("postgres")
    public String user;

    @Param("20000")
    public int subscribers;

    private SingleConnectionDataSource dataSource;
    private BillStore store;
    private String schema;
    private RatingEngine engine;
    private List<UsageRecord> month;
    private Subscriber[] turn;
    private int cursor;
    private long generation;

    /** One subscriber's bill as the job keeps it. */
    private static final class Subscriber {
        final Msisdn who;
        final List<UsageRecord> records;
        RunningBill bill;
        int added;

        Subscriber(Msisdn who, List<UsageRecord> records) {
            this.who = who;
            this.records = records;
        }
    }

    @Setup(Level.Trial)
    public void create() throws SQLException {
        dataSource = new SingleConnectionDataSource(jdbcUrl, user);
        // sql-allowlist: a fixed prefix and hex digits, an identifier BillStore also validates
        schema = "bench_store_write_" + Long.toHexString(System.nanoTime());
        store = new BillStore(dataSource, schema);
        store.migrate();
        engine = RatingEngine.of(Tariff.seedDefault());
        month = BenchRecords.month(RECORDS, 11);
        turn = new Subscriber[subscribers];
        for (int i = 0; i < subscribers; i++) {
            turn[i] = fresh(i);
        }
    }

    private Subscriber fresh(int slot) {
        Msisdn who = Msisdn.of("+9197" + String.format("%08d", generation * subscribers + slot));
        List<UsageRecord> records = month.stream()
                .map(r -> new UsageRecord(r.id(), who, r.start(), r.hlc(), r.clock(), r.usage())).toList();
        Subscriber s = new Subscriber(who, records);
        s.bill = RunningBill.of(who, CYCLE, List.of(), engine);
        return s;
    }

    @TearDown(Level.Trial)
    public void drop() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
        dataSource.shutdown();
    }

    /** The next version of the next {@code count} subscribers' bills, one record more each. */
    private List<Bill> nextVersions(int count) {
        List<Bill> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            if (cursor == turn.length) {
                cursor = 0;
            }
            Subscriber s = turn[cursor];
            if (s.added == RECORDS) {
                if (cursor == 0) {
                    generation++;
                }
                s = fresh(cursor);
                turn[cursor] = s;
            }
            if (!s.bill.add(s.records.get(s.added))) {
                throw new IllegalStateException("the running bill refused record " + s.added + " of " + s.who);
            }
            s.added++;
            out.add(s.bill.bill(s.added, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE));
            cursor++;
        }
        return out;
    }

    /** A batch of 500 bill versions in one transaction: the stream job's sink. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batchOf500() {
        int written = store.upsertAll(nextVersions(BATCH));
        if (written != BATCH) {
            throw new IllegalStateException("wrote " + written + " of " + BATCH + " bills");
        }
        return written;
    }

    /** Baseline: one transaction per bill version. */
    @Benchmark
    public int transactionPerBill() {
        int written = store.upsertAll(nextVersions(1));
        if (written != 1) {
            throw new IllegalStateException("the bill was not written");
        }
        return written;
    }
}
