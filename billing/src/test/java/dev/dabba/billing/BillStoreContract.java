package dev.dabba.billing;

import static dev.dabba.billing.SeedScenario.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link BillStore} must do, whichever PostgreSQL it runs on; each test gets a fresh schema. */
abstract class BillStoreContract {

    private String schema;
    private BillStore store;

    /** The database under test. */
    abstract DataSource dataSource();

    @BeforeEach
    void createSchema() {
        schema = TestDatabases.uniqueSchema();
        store = new BillStore(dataSource(), schema);
        assertThat(store.migrate()).isEqualTo(1);
    }

    @AfterEach
    void dropSchema() {
        TestDatabases.dropSchema(dataSource(), schema);
    }

    @Test
    void upsert_thenFind_roundTripsTheBillWithItsLines() {
        Bill bill = SeedScenario.bill(1);

        assertThat(store.upsert(bill)).isTrue();

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(bill);
    }

    @Test
    void upsert_roundTripsSmsFractionsConcurrencyAndMissingCounterparties() {
        Towers towers = new Towers();
        UsageRecord volte = towers.stamp(SeedScenario.BKC, USER, SeedScenario.T0,
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOLTE, 121));
        UsageRecord tiny = towers.stamp(SeedScenario.DADAR, USER, SeedScenario.at(1),
                new Usage.Data(RadioType.G3, 1, 2));
        UsageRecord sms = towers.stamp(SeedScenario.BKC, USER, SeedScenario.at(2),
                new Usage.Sms(Msisdn.of("+91-9876543212")));
        Bill bill = Bill.compute(USER, SeedScenario.CYCLE, 7, BillStatus.FINAL, List.of(volte, tiny, sms),
                Tariff.seedDefault(), SeedScenario.at(3));

        store.upsert(bill);

        Bill read = store.find(USER, SeedScenario.CYCLE).orElseThrow();
        assertThat(read).isEqualTo(bill);
        assertThat(read.lines().get(0).rated().exactPaisa().toPlainString()).isEqualTo("60.5");
        assertThat(read.lines().get(1).rated().exactPaisa().toPlainString()).isEqualTo("0.0000286102294921875");
        assertThat(read.lines().get(1).rated().counterparty()).isNull();
        assertThat(read.lines()).extracting(BillLine::concurrent).containsExactly(true, true, true);
        assertThat(read.sms()).isEqualTo(Money.ofPaisa(100));
    }

    @Test
    void upsert_sameVersionTwice_changesNothing() {
        Bill first = SeedScenario.bill(2);
        Bill sameVersionOtherContent = billOf(YearMonth.of(2025, 3), 2, 2);
        store.upsert(first);

        assertThat(store.upsert(first)).isFalse();
        assertThat(store.upsert(sameVersionOtherContent)).isFalse();

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(first);
        assertThat(lineRows(SeedScenario.CYCLE)).isEqualTo(6);
    }

    @Test
    void upsert_olderVersion_isIgnored() {
        Bill newer = SeedScenario.bill(5);
        store.upsert(newer);

        assertThat(store.upsert(billOf(SeedScenario.CYCLE, 4, 1))).isFalse();

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(newer);
    }

    @Test
    void upsert_newerVersion_replacesTheBillAndAllItsLines() {
        store.upsert(SeedScenario.bill(1));
        Bill newer = billOf(SeedScenario.CYCLE, 2, 3);

        assertThat(store.upsert(newer)).isTrue();

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(newer);
        assertThat(lineRows(SeedScenario.CYCLE)).isEqualTo(3);
    }

    @Test
    void upsert_billWithoutLines_isStored() {
        Bill empty = Bill.compute(USER, SeedScenario.CYCLE, 1, BillStatus.PROVISIONAL, List.of(),
                Tariff.seedDefault(), SeedScenario.T0);

        store.upsert(empty);

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(empty);
    }

    @Test
    void upsert_racingWriters_leaveTheHighestVersionWithItsOwnLines() throws Exception {
        // Versions 1..24 written by 4 threads in a shuffled order; version v carries the first (v % 6) + 1 lines.
        List<Long> versions = new ArrayList<>();
        for (long v = 1; v <= 24; v++) {
            versions.add(v);
        }
        Collections.shuffle(versions, new Random(7));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> writes = new ArrayList<>();
            for (long v : versions) {
                Bill bill = billOf(SeedScenario.CYCLE, v, (int) (v % 6) + 1);
                writes.add(pool.submit(() -> store.upsert(bill)));
            }
            for (Future<Boolean> write : writes) {
                write.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(billOf(SeedScenario.CYCLE, 24, 1));
        assertThat(lineRows(SeedScenario.CYCLE)).isEqualTo(1);
    }

    @Test
    void findLatest_returnsTheNewestCycle() {
        Bill january = billOf(YearMonth.of(2025, 1), 9, 2);
        Bill march = SeedScenario.bill(1);
        Bill february = billOf(YearMonth.of(2025, 2), 4, 4);
        store.upsert(january);
        store.upsert(march);
        store.upsert(february);

        assertThat(store.findLatest(USER)).contains(march);
        assertThat(store.findLatest(Msisdn.of("+91-9000000000"))).isEmpty();
    }

    @Test
    void find_missingBill_isEmpty() {
        store.upsert(SeedScenario.bill(1));

        assertThat(store.find(USER, YearMonth.of(2025, 4))).isEmpty();
        assertThat(store.find(Msisdn.of("+91-9000000000"), SeedScenario.CYCLE)).isEmpty();
    }

    @Test
    void list_summarizesBillsBySubscriberAndByCycle() {
        store.upsert(billOf(YearMonth.of(2025, 2), 4, 2));
        store.upsert(SeedScenario.bill(6));

        List<BillSummary> mine = store.list(USER);

        assertThat(mine).extracting(BillSummary::cycle).containsExactly(YearMonth.of(2025, 3), YearMonth.of(2025, 2));
        BillSummary march = mine.get(0);
        assertThat(march.version()).isEqualTo(6);
        assertThat(march.lineCount()).isEqualTo(6);
        assertThat(march.total()).isEqualTo(Money.ofPaisa(2190));
        assertThat(march.tariffId()).isEqualTo("seed-default");
        assertThat(store.list(SeedScenario.CYCLE, 10)).containsExactly(march);
        assertThat(store.list(YearMonth.of(2024, 12), 10)).isEmpty();
    }

    @Test
    void migrate_isIdempotent() {
        assertThat(store.migrate()).isZero();
    }

    @Test
    void stores_inDifferentSchemas_doNotSeeEachOther() {
        String other = TestDatabases.uniqueSchema();
        try {
            BillStore otherStore = new BillStore(dataSource(), other);
            otherStore.migrate();
            store.upsert(SeedScenario.bill(1));

            assertThat(otherStore.findLatest(USER)).isEmpty();
        } finally {
            TestDatabases.dropSchema(dataSource(), other);
        }
    }

    /** The seed scenario's first {@code lines} records, billed as version {@code version} in {@code cycle}. */
    private static Bill billOf(YearMonth cycle, long version, int lines) {
        Duration shift = Duration.between(SeedScenario.CYCLE.atDay(1).atStartOfDay(), cycle.atDay(1).atStartOfDay());
        List<UsageRecord> records = SeedScenario.records().subList(0, lines).stream()
                .map(r -> new UsageRecord(r.id(), r.subscriber(), r.start().plus(shift), r.hlc(), r.clock(),
                        r.usage()))
                .toList();
        return Bill.compute(USER, cycle, version, BillStatus.PROVISIONAL, records, Tariff.seedDefault(),
                Instant.parse("2025-04-01T00:00:00Z"));
    }

    private int lineRows(YearMonth cycle) {
        try (Connection c = dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM \"" + schema + "\".bill_line WHERE subscriber = ? AND cycle = ?")) {
            ps.setString(1, USER.value());
            ps.setString(2, cycle.toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
