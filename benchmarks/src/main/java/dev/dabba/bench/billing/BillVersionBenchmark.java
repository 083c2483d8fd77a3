package dev.dabba.bench.billing;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.LineMarks;
import dev.dabba.billing.RatingEngine;
import dev.dabba.billing.RunningBill;
import dev.dabba.billing.Tariff;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Usage;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one new version of a bill that holds {@code records} records: the stream job's bill operator before
 * running bills (sort all records causally, then {@code Bill.compute} over them) against a {@link RunningBill} (add
 * the record, make the bill), when the new record comes after all of them (the common case) and when it is a record
 * of a tower that heard of none of the others, stamped mid-month, which goes in the middle and makes the running bill
 * rate every record again. The running and recomputed bills are the same; setup checks it.
 *
 * <p>{@code runningBill} needs a fresh running bill of {@code records} records for every invocation, built in an
 * invocation-level setup that is not timed (it sorts the records); its op takes tens of microseconds, far above
 * the timer's resolution.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BillVersionBenchmark {

    private static final YearMonth CYCLE = YearMonth.of(2025, 3);

    @Param({"10", "100", "1000"})
    public int records;

    private List<UsageRecord> month;
    private List<UsageRecord> before;
    private UsageRecord next;
    private UsageRecord midway;
    private List<UsageRecord> withMidway;
    private RatingEngine engine;

    @Setup(Level.Trial)
    public void setUp() {
        month = BenchRecords.month(records + 1, 42);
        before = month.subList(0, records);
        next = month.get(records);
        engine = RatingEngine.of(Tariff.seedDefault());
        UsageRecord middle = before.get(records / 2);
        midway = new UsageRecord(new EventId(NodeId.of("MUMBAI_T99"), 1), BenchRecords.SUBSCRIBER, middle.start(),
                middle.hlc(), VectorClock.of(java.util.Map.of("MUMBAI_T99", 1L)), new Usage.Sms(middle.subscriber()));
        withMidway = new java.util.ArrayList<>(before);
        withMidway.add(midway);
        RunningBill inserted = RunningBill.of(BenchRecords.SUBSCRIBER, CYCLE, before, engine);
        if (!inserted.add(midway) || !inserted.bill(1, BillStatus.PROVISIONAL, Instant.EPOCH, LineMarks.NONE)
                .equals(Bill.compute(BenchRecords.SUBSCRIBER, CYCLE, 1, BillStatus.PROVISIONAL,
                        CausalOrder.sort(withMidway), engine, Instant.EPOCH, LineMarks.NONE))) {
            throw new IllegalStateException("the running bill differs from the recomputed one (midway)");
        }
        RunningBill check = RunningBill.of(BenchRecords.SUBSCRIBER, CYCLE, before, engine);
        if (!check.add(next) || !check.bill(1, BillStatus.PROVISIONAL, Instant.EPOCH, LineMarks.NONE)
                .equals(recomputed())) {
            throw new IllegalStateException("the running bill differs from the recomputed one");
        }
    }

    /** A fresh running bill of the first {@code records} records for every invocation. */
    @State(Scope.Thread)
    public static class Fresh {
        RunningBill running;

        @Setup(Level.Invocation)
        public void build(BillVersionBenchmark b) {
            running = RunningBill.of(BenchRecords.SUBSCRIBER, CYCLE, b.before, b.engine);
        }
    }

    /** Before: every version sorts all of the bill's records causally and rates them all. */
    @Benchmark
    public Bill recomputed() {
        return Bill.compute(BenchRecords.SUBSCRIBER, CYCLE, 1, BillStatus.PROVISIONAL, CausalOrder.sort(month),
                engine, Instant.EPOCH, LineMarks.NONE);
    }

    /** A running bill, a record of a tower nobody heard of in mid-month: put in the middle, all rated again. */
    @Benchmark
    public Bill runningBillMidway(Fresh fresh) {
        fresh.running.add(midway);
        return fresh.running.bill(1, BillStatus.PROVISIONAL, Instant.EPOCH, LineMarks.NONE);
    }

    /** A running bill: the new record is checked against the others' clocks, rated, and the bill made. */
    @Benchmark
    public Bill runningBill(Fresh fresh) {
        fresh.running.add(next);
        return fresh.running.bill(1, BillStatus.PROVISIONAL, Instant.EPOCH, LineMarks.NONE);
    }
}
