package dev.dabba.bench.billing;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.RatedUsage;
import dev.dabba.billing.RatingEngine;
import dev.dabba.billing.Tariff;
import dev.dabba.billing.TariffFile;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rating throughput on one core, in records per second (each invocation rates one subscriber's month of
 * {@value #RECORDS} records, so the score is records/s): the engine under the seed plan and under a rich plan
 * (windows, tiers, connect fees, first increments, bundles), the whole {@code Bill.compute} the stream job calls, and
 * the naive BigDecimal-per-record baseline, in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(RatingBenchmark.RECORDS)
public class RatingBenchmark {

    static final int RECORDS = 1000;

    private List<UsageRecord> month;
    private RatingEngine seed;
    private RatingEngine rich;
    private Tariff seedTariff;

    @Setup
    public void setUp() {
        month = BenchRecords.month(RECORDS, 42);
        seedTariff = Tariff.seedDefault();
        seed = RatingEngine.of(seedTariff);
        rich = RatingEngine.of(RichPlan.tariff());
        long engine = seed.rate(month).total().paisa();
        long naive = NaiveRater.total(month);
        if (engine != naive) {
            throw new IllegalStateException("engine total " + engine + " != baseline total " + naive);
        }
    }

    /** The engine, seed plan: pulses, exact amounts, per-record rounding, one segment per line. */
    @Benchmark
    public RatedUsage engineSeedPlan() {
        return seed.rate(month);
    }

    /** The engine, rich plan: windows (calls split at boundaries), tiers, connect fees, bundles running out. */
    @Benchmark
    public RatedUsage engineRichPlan() {
        return rich.rate(month);
    }

    /** What the stream job calls: validation, concurrency flags, compiling the tariff, rating, the bill. */
    @Benchmark
    public Bill billComputeSeedPlan() {
        return Bill.compute(BenchRecords.SUBSCRIBER, YearMonth.of(2025, 3), RECORDS, BillStatus.PROVISIONAL, month,
                seedTariff, Instant.EPOCH);
    }

    /** The baseline: a fresh BigDecimal computation per record, seed plan, totals only. */
    @Benchmark
    public long baselineBigDecimalPerRecord() {
        return NaiveRater.total(month);
    }

    /** The rich plan of the benchmark: the example of docs/tariff-format.md. */
    static final class RichPlan {
        private RichPlan() {
        }

        static Tariff tariff() {
            return TariffFile.parse(String.join("\n",
                    "plans:",
                    "  - id: bench-rich",
                    "    zone: Asia/Kolkata",
                    "    rounding: {scope: per-record, direction: up}",
                    "    windows:",
                    "      - {name: peak, days: [MON-FRI], from: \"09:00\", to: \"21:00\"}",
                    "      - {name: night, days: [ALL], from: \"23:00\", to: \"06:00\"}",
                    "    calls:",
                    "      VOICE: {unit: 1m, increment: 1s, firstIncrement: 30s, connectFee: 10, prices: [",
                    "        {price: 60}, {window: peak, price: 90}, {window: peak, from: 10m, price: 60},",
                    "        {window: night, price: 30}]}",
                    "      VIDEO: {unit: 1s, increment: 6s, price: 2}",
                    "      VOLTE: {unit: 1s, increment: 1s, price: 0.5}",
                    "    sms: {price: 100}",
                    "    data:",
                    "      3G: {unit: 1MiB, increment: 1KiB, price: 10}",
                    "      4G: {unit: 1MiB, increment: 1KiB, tierBasis: cycle, prices: [{price: 5},",
                    "        {from: 10GiB, price: 2}]}",
                    "      5G: {unit: 1MiB, increment: 1KiB, price: 3}",
                    "    bundles:",
                    "      - {id: data-1.5g, services: [DATA], allowance: 1536MiB}",
                    "      - {id: sms-100, services: [SMS], allowance: 100}",
                    ""), "bench-rich").get(0);
        }
    }
}
