package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Tariff;
import dev.dabba.embedded.EmbeddedDatabase;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The report-store sink writes bills in batches against real PostgreSQL: a bill that finds the writer idle goes out
 * at once (or after its linger, when one is set), bills that come while a batch is written go out together when it
 * is done, a full batch goes out at once, and a checkpoint's flush writes what waits; within a batch only a bill's
 * newest version is kept; nothing is in the store before its batch commits, and the commit listener hears each
 * committed batch.
 */
class BillSinkBatchingIT {

    private static EmbeddedDatabase db;
    private static final List<UsageRecord> SEED = SeedRecords.records();
    private static final YearMonth CYCLE = BillingCycle.of(SEED.get(0).start());

    @BeforeAll
    static void start() {
        db = EmbeddedDatabase.start();
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    /** A processing-time service whose timers fire when the test says so. */
    private static final class ManualTime implements ProcessingTimeService {
        final List<ProcessingTimeCallback> timers = new ArrayList<>();

        @Override
        public long getCurrentProcessingTime() {
            return 1_000;
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
            timers.add(callback);
            return null;
        }

        void fireAll() throws Exception {
            List<ProcessingTimeCallback> due = new ArrayList<>(timers);
            timers.clear();
            for (ProcessingTimeCallback c : due) {
                c.onProcessingTime(1_100);
            }
        }
    }

    private static Bill bill(Msisdn subscriber, int records, long version) {
        List<UsageRecord> theirs = SEED.subList(0, records).stream().map(r -> new UsageRecord(r.id(), subscriber,
                r.start(), r.hlc(), r.clock(), r.usage())).toList();
        return Bill.compute(subscriber, CYCLE, version, BillStatus.PROVISIONAL, theirs,
                Tariff.seedDefault(), Instant.parse("2026-11-26T06:00:00Z"));
    }

    /** A migrated store in {@code schema} on the writer's own connection, as the sink opens it. */
    private record SinkStore(BillSink.ReusedConnection connection, BillStore store) {
        static SinkStore in(String schema) {
            BillSink.ReusedConnection ds = new BillSink.ReusedConnection();
            ds.setURL(db.jdbcUrl());
            ds.setUser(db.user());
            BillStore store = new BillStore(ds, schema);
            store.migrate();
            return new SinkStore(ds, store);
        }
    }

    private static BillSink.Writer writer(String schema, int maxBatch, ManualTime time, List<Integer> commits) {
        SinkStore s = SinkStore.in(schema);
        return new BillSink.Writer(s.store(), s.connection(), time, maxBatch, 100,
                (Collection<Bill> bills) -> commits.add(bills.size()));
    }

    /** Makes every later write to the store in {@code schema} fail. */
    private static void dropBillTable(String schema) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE " + schema + ".bill CASCADE");
        }
    }

    @Test
    void billsWaitForTheirBatch_andOnlyTheNewestVersionOfABillIsWritten() throws Exception {
        ManualTime time = new ManualTime();
        List<Integer> commits = new ArrayList<>();
        BillSink.Writer w = writer("sink_timer", 100, time, commits);
        BillStore store = new BillStore(db.dataSource(), "sink_timer");
        Msisdn a = SeedScenario.SUBSCRIBER;
        Msisdn b = Msisdn.of("+919800000002");

        w.write(bill(a, 2, 8), null);
        w.write(bill(b, 1, 4), null);
        w.write(bill(a, 4, 16), null);
        w.write(bill(a, 3, 12), null); // older than the held one: ignored
        assertThat(w.pending()).isEqualTo(2);
        assertThat(store.find(a, CYCLE)).as("nothing before the batch commits").isEmpty();
        assertThat(time.timers).as("one timer for the batch").hasSize(1);

        time.fireAll();
        assertThat(w.pending()).isZero();
        assertThat(commits).containsExactly(2);
        assertThat(store.find(a, CYCLE)).get().extracting(Bill::version).isEqualTo(16L);
        assertThat(store.find(a, CYCLE).get().lines()).hasSize(4);
        assertThat(store.find(b, CYCLE)).get().extracting(Bill::version).isEqualTo(4L);
        w.close();
    }

    @ParameterizedTest(name = "linger {0} ms")
    @ValueSource(longs = {0, 20})
    void aBillThatFindsTheWriterIdleGoesAfterItsLinger_andTheBillsThatComeMeanwhileGoTogetherWhenItIsDone(long linger)
            throws Exception {
        String schema = "sink_group_" + linger;
        SinkStore sink = SinkStore.in(schema);
        List<Integer> commits = Collections.synchronizedList(new ArrayList<>());
        ExecutorService io = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<BillSink.Writer.Mail> mails = new LinkedBlockingQueue<>();
        BillSink.CommitListener heldUntilReleased = bills -> {
            try {
                release.await(); // the first batch is held in its write until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commits.add(bills.size());
        };
        ManualTime time = new ManualTime();
        BillSink.Writer w = new BillSink.Writer(sink.store(), sink.connection(), time, 100, linger, heldUntilReleased,
                io, io::shutdownNow, mails::add);
        BillStore reader = new BillStore(db.dataSource(), schema);
        Msisdn a = Msisdn.of("+919800000031");
        Msisdn b = Msisdn.of("+919800000032");

        w.write(bill(a, 2, 8), null);
        if (linger > 0) {
            assertThat(w.pending()).as("the writer is idle: it waits for its linger").isEqualTo(1);
            assertThat(time.timers).hasSize(1);
            time.fireAll();
        }
        assertThat(w.pending()).as("handed to the writer").isZero();
        w.write(bill(b, 1, 4), null);
        w.write(bill(a, 4, 16), null);
        w.write(bill(a, 3, 12), null); // older than the held one: ignored
        assertThat(w.pending()).as("gathered while the first batch is written").isEqualTo(2);
        assertThat(time.timers).as("no timer: the batch in flight decides when they go").isEmpty();

        release.countDown();
        mails.take().run(); // the first batch is written: what gathered goes
        assertThat(w.pending()).isZero();
        mails.take().run(); // the second is written: nothing gathered
        assertThat(commits).containsExactly(1, 2);
        assertThat(reader.find(a, CYCLE)).get().extracting(Bill::version).isEqualTo(16L);
        assertThat(reader.find(b, CYCLE)).get().extracting(Bill::version).isEqualTo(4L);

        dropBillTable(schema);
        w.write(bill(Msisdn.of("+919800000033"), 1, 4), null); // idle: handed after the linger; its write fails
        time.fireAll();
        BillSink.Writer.Mail failed = mails.take();
        assertThatThrownBy(failed::run).as("the task fails on the mail")
                .isInstanceOf(IOException.class).hasMessageContaining("report store");
        assertThat(commits).containsExactly(1, 2);
        io.shutdownNow();
        sink.connection().closeConnection();
    }

    @Test
    void aFullBatchIsWrittenAtOnce_andFlushWritesWhatWaits() throws Exception {
        ManualTime time = new ManualTime();
        List<Integer> commits = new ArrayList<>();
        BillSink.Writer w = writer("sink_full", 3, time, commits);
        BillStore store = new BillStore(db.dataSource(), "sink_full");
        for (int i = 0; i < 4; i++) {
            w.write(bill(Msisdn.of("+91980000001" + i), 6, 24), null);
        }
        assertThat(commits).as("the first three, when the batch was full").containsExactly(3);
        assertThat(w.pending()).isEqualTo(1);
        assertThat(store.find(Msisdn.of("+919800000013"), CYCLE)).isEmpty();

        w.flush(false); // as before a checkpoint
        assertThat(commits).containsExactly(3, 1);
        assertThat(store.find(Msisdn.of("+919800000013"), CYCLE)).get().extracting(x -> x.total().paisa())
                .isEqualTo(2190L);
        w.flush(false);
        assertThat(commits).as("an empty flush writes nothing").containsExactly(3, 1);
        w.close();
    }

    @Test
    void batchesAreWrittenInTheBackground_flushWaitsForThem_andAFailedWriteFailsTheNextCall() throws Exception {
        SinkStore sink = SinkStore.in("sink_async");
        List<Integer> commits = Collections.synchronizedList(new ArrayList<>());
        ExecutorService io = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        io.execute(() -> {
            try {
                release.await(); // holds the writer thread until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ManualTime time = new ManualTime();
        BillSink.Writer w = new BillSink.Writer(sink.store(), sink.connection(), time, 2, 100,
                (Collection<Bill> bills) -> commits.add(bills.size()), io, io::shutdownNow, mail -> { });
        BillStore reader = new BillStore(db.dataSource(), "sink_async");

        w.write(bill(Msisdn.of("+919800000021"), 1, 4), null);
        w.write(bill(Msisdn.of("+919800000022"), 1, 4), null); // full: handed to the writer thread
        assertThat(w.pending()).isZero();
        assertThat(reader.find(Msisdn.of("+919800000021"), CYCLE)).as("not written while the thread is held")
                .isEmpty();
        w.write(bill(Msisdn.of("+919800000023"), 1, 4), null);
        assertTimeoutPreemptively(Duration.ofSeconds(10), time::fireAll,
                "the first bill's linger ends while the full batch is in flight: it must not wait for it");
        assertThat(w.pending()).as("left to the batch in flight's mail").isEqualTo(1);
        release.countDown();
        w.flush(false);
        assertThat(commits).containsExactly(2, 1);
        assertThat(reader.find(Msisdn.of("+919800000023"), CYCLE)).isPresent();

        dropBillTable("sink_async");
        w.write(bill(Msisdn.of("+919800000024"), 1, 4), null);
        w.write(bill(Msisdn.of("+919800000025"), 1, 4), null); // full: its write fails on the writer thread
        assertThatThrownBy(() -> w.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("report store");
        assertThat(commits).containsExactly(2, 1);
        io.shutdownNow();
        sink.connection().closeConnection();
    }
}
