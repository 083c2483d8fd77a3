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
import java.util.Map;
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
        assertThat(store.migrate()).isEqualTo(6);
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
    void upsert_newerVersion_rewritesOnlyTheLinesItChanged() {
        store.upsert(billOf(SeedScenario.CYCLE, 1, 4));
        Map<Integer, String> before = lineWriters(SeedScenario.CYCLE);
        Bill newer = billOf(SeedScenario.CYCLE, 2, 6);

        store.upsert(newer);

        // xmin is the transaction that wrote a row: the four lines the new version did not change were left alone.
        Map<Integer, String> after = lineWriters(SeedScenario.CYCLE);
        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(newer);
        assertThat(after).hasSize(6);
        for (int position = 1; position <= 4; position++) {
            assertThat(after.get(position)).as("writer of line %d", position).isEqualTo(before.get(position));
        }
        assertThat(after.get(5)).isEqualTo(after.get(6)).isNotEqualTo(before.get(1));
    }

    @Test
    void upsert_versionsOfRandomSetsOfRecords_alwaysStoreExactlyTheNewestVersion() {
        // Lines inserted before, between and after stored ones, removed, shifted and repriced (a bundle goes to
        // whichever data session comes first): whatever the store keeps, the stored bill is the version written.
        Tariff plan = Tariff.seedDefault().toBuilder()
                .bundle(new Bundle("data-100m", java.util.Set.of(Service.data(RadioType.G4)), 100 * SeedScenario.MIB))
                .build();
        List<UsageRecord> all = SeedScenario.records();
        Random random = new Random(11);
        Bill previous = null;
        for (long version = 1; version <= 40; version++) {
            List<UsageRecord> some = new ArrayList<>();
            for (UsageRecord r : all) {
                if (random.nextInt(3) > 0) {
                    some.add(r);
                }
            }
            Bill bill = Bill.compute(USER, SeedScenario.CYCLE, version, BillStatus.PROVISIONAL,
                    dev.dabba.record.CausalOrder.sort(some), plan, SeedScenario.at(1));

            assertThat(store.upsert(bill)).isTrue();

            assertThat(store.find(USER, SeedScenario.CYCLE)).as("version %d", version).contains(bill);
            assertThat(lineRows(SeedScenario.CYCLE)).isEqualTo(some.size());
            assertThat(store.versions(USER, SeedScenario.CYCLE).get(0).changes()).as("changes of version %d", version)
                    .containsExactlyInAnyOrderElementsOf(expectedChanges(previous, bill));
            assertThat(storedLineHashes(SeedScenario.CYCLE)).as("the header's hashes are the lines'")
                    .isEqualTo(lineContentHashes(SeedScenario.CYCLE));
            previous = bill;
        }
    }

    /**
     * A bill stored before the header kept its lines' hashes (V6), or whose hashes do not match its lines, is compared
     * with its stored lines, and written right: the store reads the lines, not trusting what it cannot.
     */
    @Test
    void upsert_overABillWithoutLineHashes_orWithHashesItsLinesDoNotMatch_readsItsLines() throws SQLException {
        Bill first = billOf(SeedScenario.CYCLE, 1, 3);
        store.upsert(first);
        setLineHashes("NULL");
        Bill second = billOf(SeedScenario.CYCLE, 2, 4);
        assertWrittenOver(first, second);

        // Hashes for two more lines than are stored: the lines at those positions are not there to replace.
        setLineHashes("line_hashes || '\\x00000000000000010000000000000002'::bytea");
        Bill third = billOf(SeedScenario.CYCLE, 3, 6);
        assertWrittenOver(second, third);

        // Hashes for two lines fewer than are stored: the lines past them are there all the same.
        setLineHashes("substring(line_hashes from 1 for 32)");
        assertWrittenOver(third, billOf(SeedScenario.CYCLE, 4, 5));
    }

    /**
     * Writes {@code bill} over {@code before} and checks what is stored: the bill, a row per line, the header's hashes
     * of those lines, and the version's changes.
     */
    private void assertWrittenOver(Bill before, Bill bill) {
        assertThat(store.upsert(bill)).isTrue();

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(bill);
        assertThat(lineRows(SeedScenario.CYCLE)).isEqualTo(bill.lines().size());
        assertThat(storedLineHashes(SeedScenario.CYCLE)).isEqualTo(lineContentHashes(SeedScenario.CYCLE));
        assertThat(store.versions(USER, SeedScenario.CYCLE).get(0).changes())
                .containsExactlyInAnyOrderElementsOf(expectedChanges(before, bill));
    }

    /** What a version changes against the one before, by event id, as the history must say it. */
    private static List<BillChange> expectedChanges(Bill before, Bill after) {
        Map<String, BillLine> old = new java.util.HashMap<>();
        if (before != null) {
            for (BillLine l : before.lines()) {
                old.put(l.rated().eventId().toString(), l);
            }
        }
        List<BillChange> out = new ArrayList<>();
        for (BillLine l : after.lines()) {
            BillLine was = old.remove(l.rated().eventId().toString());
            if (was == null) {
                out.add(new BillChange(l.rated().eventId().toString(), BillChange.Kind.ADDED, null, l.position(), null,
                        l.amount()));
            } else if (!was.amount().equals(l.amount())) {
                out.add(new BillChange(l.rated().eventId().toString(), BillChange.Kind.REPRICED, was.position(),
                        l.position(), was.amount(), l.amount()));
            }
        }
        old.forEach((id, l) -> out.add(new BillChange(id, BillChange.Kind.REMOVED, l.position(), null, l.amount(),
                null)));
        return out;
    }

    private void setLineHashes(String expression) throws SQLException {
        try (Connection c = dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("UPDATE \"" + schema + "\".bill SET line_hashes = " + expression);
        }
    }

    /** The header's {@code line_hashes}, as longs. */
    private List<Long> storedLineHashes(YearMonth cycle) {
        List<Long> out = new ArrayList<>();
        for (long h : dev.dabba.billing.internal.BillRows.lineHashes(query("SELECT line_hashes FROM \"" + schema
                + "\".bill WHERE subscriber = ? AND cycle = ?", cycle, rs -> rs.getBytes(1)).get(0))) {
            out.add(h);
        }
        return out;
    }

    /** The stored lines' {@code content_hash}, by position. */
    private List<Long> lineContentHashes(YearMonth cycle) {
        return query("SELECT content_hash FROM \"" + schema + "\".bill_line WHERE subscriber = ? AND cycle = ? "
                + "ORDER BY position", cycle, rs -> rs.getLong(1));
    }

    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, YearMonth cycle, Column<T> column) {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, USER.value());
            ps.setString(2, cycle.toString());
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(column.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
    void upsertAll_writesABatchAsOneUpsertPerBillWould_keepingTheNewestVersionOfEachBill() {
        // Stored before: April at version 5, May at version 1. The batch: March (new), April 4 (older: ignored),
        // May 3 and May 2 (only 3 counts), June without lines, and another subscriber's March.
        Msisdn other = Msisdn.of("+919876500001");
        List<Bill> stored = List.of(billOf(YearMonth.of(2025, 4), 5, 3), billOf(YearMonth.of(2025, 5), 1, 1));
        List<Bill> batch = List.of(billOf(YearMonth.of(2025, 3), 2, 2), billOf(YearMonth.of(2025, 4), 4, 6),
                billOf(YearMonth.of(2025, 5), 3, 6), billOf(YearMonth.of(2025, 5), 2, 4),
                billOf(YearMonth.of(2025, 6), 1, 0), billOf(other, YearMonth.of(2025, 3), BillStatus.FINAL, 5));
        String referenceSchema = TestDatabases.uniqueSchema();
        try {
            BillStore reference = new BillStore(dataSource(), referenceSchema);
            reference.migrate();
            stored.forEach(bill -> {
                store.upsert(bill);
                reference.upsert(bill);
            });
            long oneByOne = batch.stream().filter(reference::upsert).count();

            int written = store.upsertAll(batch);

            assertThat(oneByOne).isEqualTo(4);
            assertThat(written).isEqualTo(4); // March, May 3, June and the other's March
            for (Bill bill : batch) {
                assertThat(store.find(bill.subscriber(), bill.cycle()))
                        .isEqualTo(reference.find(bill.subscriber(), bill.cycle())).isPresent();
                assertThat(store.versions(bill.subscriber(), bill.cycle()))
                        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("recordedAt")
                        .containsExactlyElementsOf(reference.versions(bill.subscriber(), bill.cycle()));
            }
            assertThat(store.find(USER, YearMonth.of(2025, 4)).orElseThrow().version()).isEqualTo(5);
            assertThat(store.versions(USER, YearMonth.of(2025, 5))).extracting(BillVersion::version,
                    BillVersion::previousVersion).containsExactly(org.assertj.core.groups.Tuple.tuple(3L, 1L),
                    org.assertj.core.groups.Tuple.tuple(1L, null));
            assertThat(lineRows(YearMonth.of(2025, 5))).isEqualTo(6);
            assertThat(store.upsertAll(batch)).isZero();
        } finally {
            TestDatabases.dropSchema(dataSource(), referenceSchema);
        }
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
    void upsert_keepsTextThatCopysFormatMustEscape() {
        // Lines go to the store with COPY's text format, where tab, newline, carriage return and backslash are
        // syntax and \N means NULL: such characters in a value must come back as they went in.
        String awkward = "MUMBAI_BKC:2-2\tA\\N\nB\rC\\";
        List<UsageRecord> records = SeedScenario.records();
        dev.dabba.record.EventId marked = records.get(1).id();
        LineMarks marks = new LineMarks() {
            @Override
            public String missingDependencies(dev.dabba.record.EventId record) {
                return record.equals(marked) ? awkward : null;
            }

            @Override
            public boolean cloneSuspect(dev.dabba.record.EventId record) {
                return false;
            }
        };
        Bill bill = Bill.compute(USER, SeedScenario.CYCLE, 3, BillStatus.PROVISIONAL, records, Tariff.seedDefault(),
                SeedScenario.at(9), marks);

        store.upsert(bill);

        Bill read = store.find(USER, SeedScenario.CYCLE).orElseThrow();
        assertThat(read).isEqualTo(bill);
        assertThat(read.lines().get(1).missingDependencies()).isEqualTo(awkward);
    }

    @Test
    void upsert_roundTripsTheStreamJobsLineFlags_andALaterVersionClearsThem() {
        List<UsageRecord> records = SeedScenario.records();
        dev.dabba.record.EventId andheriCall = records.get(2).id();
        dev.dabba.record.EventId bandraData = records.get(5).id();
        LineMarks marks = new LineMarks() {
            @Override
            public String missingDependencies(dev.dabba.record.EventId record) {
                return record.equals(andheriCall) ? "MUMBAI_BKC:2-2" : null;
            }

            @Override
            public boolean cloneSuspect(dev.dabba.record.EventId record) {
                return record.equals(bandraData);
            }
        };
        Bill flagged = Bill.compute(USER, SeedScenario.CYCLE, 22, BillStatus.PROVISIONAL, records,
                Tariff.seedDefault(), SeedScenario.at(9), marks);
        assertThat(flagged.lines().get(2).releasedIncomplete()).isTrue();

        store.upsert(flagged);

        Bill read = store.find(USER, SeedScenario.CYCLE).orElseThrow();
        assertThat(read).isEqualTo(flagged);
        assertThat(read.lines()).extracting(BillLine::missingDependencies)
                .containsExactly(null, null, "MUMBAI_BKC:2-2", null, null, null);
        assertThat(read.lines()).extracting(BillLine::cloneSuspect)
                .containsExactly(false, false, false, false, false, true);

        Bill resolved = Bill.compute(USER, SeedScenario.CYCLE, 24, BillStatus.PROVISIONAL, records,
                Tariff.seedDefault(), SeedScenario.at(9));
        assertThat(store.upsert(resolved)).isTrue();
        assertThat(store.find(USER, SeedScenario.CYCLE).orElseThrow().lines()).noneMatch(BillLine::releasedIncomplete);
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

    @Test
    void upsert_roundTripsTheRatingBreakdownAndBundleUsage() {
        // The example plan: a peak call crossing into the evening (windows, connect fee, first increment) and data
        // drawing on the 1.5 GiB bundle until it runs out.
        Tariff plan = TariffFileTest.example();
        Towers towers = new Towers();
        UsageRecord call = towers.stamp(SeedScenario.BKC, USER, java.time.Instant.parse("2025-03-10T15:25:00Z"),
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOICE, 900));
        UsageRecord data = towers.stamp(SeedScenario.BKC, USER, SeedScenario.at(700),
                new Usage.Data(RadioType.G4, 0, 2000L * SeedScenario.MIB + 5));
        Bill bill = Bill.compute(USER, SeedScenario.CYCLE, 2, BillStatus.PROVISIONAL, List.of(call, data), plan,
                SeedScenario.at(800));
        assertThat(bill.lines().get(0).rated().segments()).hasSizeGreaterThan(1);
        assertThat(bill.lines().get(1).rated().segments()).extracting(RatedSegment::bundle)
                .containsExactly("data-1.5g", null);

        store.upsert(bill);

        assertThat(store.find(USER, SeedScenario.CYCLE)).contains(bill);
    }

    @Test
    void versions_keepEveryVersion_andSayWhatALateRecordChanged() {
        // DADAR's session is concurrent with BKC's and earlier by hybrid time, so when it arrives late it goes first
        // in causal order, takes the bundle, and BKC's line is repriced from 0 to 300 paisa.
        Tariff plan = Tariff.seedDefault().toBuilder()
                .bundle(new Bundle("data-100m", java.util.Set.of(Service.data(RadioType.G4)), 100 * SeedScenario.MIB))
                .build();
        Towers towers = new Towers();
        UsageRecord bkc = towers.stamp(SeedScenario.BKC, USER, SeedScenario.T0.plusSeconds(10),
                new Usage.Data(RadioType.G4, 0, 80 * SeedScenario.MIB));
        UsageRecord dadar = towers.stamp(SeedScenario.DADAR, USER, SeedScenario.T0.plusSeconds(5),
                new Usage.Data(RadioType.G4, 0, 80 * SeedScenario.MIB));
        store.upsert(Bill.compute(USER, SeedScenario.CYCLE, 1, BillStatus.PROVISIONAL, List.of(bkc), plan,
                SeedScenario.at(1)));
        store.upsert(Bill.compute(USER, SeedScenario.CYCLE, 2, BillStatus.PROVISIONAL,
                dev.dabba.record.CausalOrder.sort(List.of(bkc, dadar)), plan, SeedScenario.at(2)));

        List<BillVersion> versions = store.versions(USER, SeedScenario.CYCLE);

        assertThat(versions).extracting(BillVersion::version).containsExactly(2L, 1L);
        assertThat(versions.get(0).previousVersion()).isEqualTo(1L);
        assertThat(versions.get(1).previousVersion()).isNull();
        assertThat(versions).extracting(v -> v.total().paisa()).containsExactly(300L, 0L);
        assertThat(versions.get(0).changes()).containsExactlyInAnyOrder(
                new BillChange("MUMBAI_DADAR#1", BillChange.Kind.ADDED, null, 1, null, Money.ZERO),
                new BillChange("MUMBAI_BKC#1", BillChange.Kind.REPRICED, 1, 2, Money.ZERO, Money.ofPaisa(300)));
        assertThat(versions.get(1).changes()).containsExactly(
                new BillChange("MUMBAI_BKC#1", BillChange.Kind.ADDED, null, 1, null, Money.ZERO));
        assertThat(store.find(USER, SeedScenario.CYCLE).orElseThrow().bundles())
                .containsExactly(new BundleUsage("data-100m", Quantity.Unit.BYTES, 100 * SeedScenario.MIB,
                        100 * SeedScenario.MIB));
    }

    @Test
    void list_filtersByCycleStatusTotalAndPrefix_andPagesWithACursorOrAnOffset() {
        List<String> expected = new ArrayList<>();
        for (int m = 1; m <= 3; m++) {
            for (int s = 0; s < 4; s++) {
                Msisdn who = Msisdn.of("+91-90000000" + (10 + s));
                BillStatus status = s % 2 == 0 ? BillStatus.FINAL : BillStatus.PROVISIONAL;
                store.upsert(billOf(who, YearMonth.of(2025, m), status, s + 1));
            }
        }
        // Newest cycle first, then by subscriber.
        for (int m = 3; m >= 1; m--) {
            for (int s = 0; s < 4; s++) {
                expected.add("2025-0" + m + " +91900000001" + s);
            }
        }
        List<String> walked = new ArrayList<>();
        java.util.Optional<String> cursor = java.util.Optional.empty();
        int pages = 0;
        do {
            BillPage page = store.list(BillFilter.ALL, new PageRequest(5, cursor, 0));
            page.items().forEach(b -> walked.add(b.cycle() + " " + b.subscriber()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());

        assertThat(walked).isEqualTo(expected);
        assertThat(pages).isEqualTo(3);
        assertThat(store.list(BillFilter.ALL, new PageRequest(3, java.util.Optional.empty(), 10)).items())
                .extracting(b -> b.cycle() + " " + b.subscriber()).isEqualTo(expected.subList(10, 12));
        assertThat(store.list(BillFilter.ALL.withCycle(YearMonth.of(2025, 2)).withStatus(BillStatus.FINAL),
                PageRequest.first(50)).items()).extracting(b -> b.subscriber().value())
                .containsExactly("+919000000010", "+919000000012");
        // Lines of the seed scenario: 1 line = 180, 2 = 430, 3 = 1030, 4 = 1530 paisa.
        assertThat(store.list(BillFilter.ALL.withCycle(YearMonth.of(2025, 1)).withMinTotal(Money.parse("10.30")),
                PageRequest.first(50)).items()).extracting(b -> b.total().paisa()).containsExactly(1030L, 1530L);
        assertThat(store.list(BillFilter.ALL.withSubscriberPrefix("+91-90000000 13"), PageRequest.first(50))
                .items()).hasSize(3).allMatch(b -> b.subscriber().value().equals("+919000000013"));
    }

    @Test
    void list_refusesCursorsItDidNotIssue_andPrefixesThatAreNotNumbers() {
        String forged = java.util.Base64.getUrlEncoder().encodeToString(
                "b1|2025-03|+91' OR '1'='1".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new PageRequest(5, java.util.Optional.of(forged), 0)).hasMessageStartingWith("cursor");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> BillFilter.ALL.withSubscriberPrefix("+91%' OR 1=1 --")).hasMessageContaining("prefix");
    }

    @Test
    void migrate_fromVersion1_keepsStoredBills_andStartsTheirHistory() throws SQLException {
        String old = TestDatabases.uniqueSchema();
        try {
            org.flywaydb.core.Flyway.configure(BillStore.class.getClassLoader()).dataSource(dataSource())
                    .schemas(old).createSchemas(true).table(BillStore.HISTORY_TABLE)
                    .locations(BillStore.MIGRATION_LOCATION).target("1").load().migrate();
            try (Connection c = dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO \"" + old + "\".bill VALUES ('+919876543210', '2025-03', 3, 'PROVISIONAL', "
                        + "'seed-default', 180, 0, 0, 180, '2025-03-10T06:00:00Z')");
                st.execute("INSERT INTO \"" + old + "\".bill_line VALUES ('+919876543210', '2025-03', 1, "
                        + "'MUMBAI_BKC#1', 'MUMBAI_BKC', '2025-03-10T04:30:00Z', '{MUMBAI_BKC:1}', '1741581000000.0', "
                        + "'CALL VOICE', 180, 's', '+919876543211', 180, 180, false)");
            }
            BillStore migrated = new BillStore(dataSource(), old);

            assertThat(migrated.migrate()).isEqualTo(5);
            try (Connection c = dataSource().getConnection(); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '"
                            + old + "' AND tablename = 'bill' ORDER BY indexname")) {
                List<String> indexes = new java.util.ArrayList<>();
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
                assertThat(indexes).as("V5 drops the cycle index the listing index covers")
                        .containsExactly("bill_listing_idx", "bill_pkey", "bill_subscriber_idx");
            }

            Bill bill = migrated.find(USER, SeedScenario.CYCLE).orElseThrow();
            assertThat(bill.total()).isEqualTo(Money.ofPaisa(180));
            assertThat(bill.lines()).singleElement().satisfies(l -> assertThat(l.rated().segments()).isEmpty());
            assertThat(migrated.list(USER)).singleElement().satisfies(s -> assertThat(s.lineCount()).isEqualTo(1));
            assertThat(migrated.versions(USER, SeedScenario.CYCLE)).extracting(BillVersion::version)
                    .containsExactly(3L);
            assertThat(migrated.upsert(SeedScenario.bill(6))).isTrue();
            assertThat(migrated.find(USER, SeedScenario.CYCLE)).contains(SeedScenario.bill(6));
            assertThat(migrated.versions(USER, SeedScenario.CYCLE).get(0).changes())
                    .filteredOn(ch -> ch.kind() == BillChange.Kind.ADDED).hasSize(5);
        } finally {
            TestDatabases.dropSchema(dataSource(), old);
        }
    }

    /** The seed scenario's first {@code lines} records of {@code who}, billed in {@code cycle}. */
    private static Bill billOf(Msisdn who, YearMonth cycle, BillStatus status, int lines) {
        Duration shift = Duration.between(SeedScenario.CYCLE.atDay(1).atStartOfDay(), cycle.atDay(1).atStartOfDay());
        List<UsageRecord> records = SeedScenario.records().subList(0, lines).stream()
                .map(r -> new UsageRecord(r.id(), who, r.start().plus(shift), r.hlc(), r.clock(), r.usage()))
                .toList();
        return Bill.compute(who, cycle, lines, status, records, Tariff.seedDefault(),
                Instant.parse("2025-04-01T00:00:00Z"));
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

    /** Each stored line's position and the transaction that wrote it (PostgreSQL's {@code xmin}). */
    private Map<Integer, String> lineWriters(YearMonth cycle) {
        try (Connection c = dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT position, xmin::text FROM \"" + schema
                        + "\".bill_line WHERE subscriber = ? AND cycle = ?")) {
            ps.setString(1, USER.value());
            ps.setString(2, cycle.toString());
            Map<Integer, String> out = new java.util.TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getString(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
