package dev.dabba.billing;

import static dev.dabba.billing.SeedScenario.ANDHERI;
import static dev.dabba.billing.SeedScenario.BKC;
import static dev.dabba.billing.SeedScenario.CYCLE;
import static dev.dabba.billing.SeedScenario.DADAR;
import static dev.dabba.billing.SeedScenario.T0;
import static dev.dabba.billing.SeedScenario.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.record.CausalOrder;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BillTest {

    private static final Tariff SEED = Tariff.seedDefault();

    @Test
    void compute_seedScenario_givesRs2190InSixNumberedLines() {
        Bill bill = SeedScenario.bill(1);

        assertThat(bill.total()).isEqualTo(Money.ofPaisa(2190));
        assertThat(bill.calls()).isEqualTo(Money.ofPaisa(840));
        assertThat(bill.data()).isEqualTo(Money.ofPaisa(1350));
        assertThat(bill.sms()).isEqualTo(Money.ZERO);
        assertThat(bill.tariffId()).isEqualTo("seed-default");
        assertThat(bill.eventCount()).isEqualTo(6);
        assertThat(bill.lines()).extracting(BillLine::position).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(bill.lines()).noneMatch(BillLine::concurrent);
    }

    @Test
    void compute_isTheSameWhateverOrderTheRecordsArrivedIn() {
        List<UsageRecord> shuffled = new ArrayList<>(SeedScenario.records());
        Collections.shuffle(shuffled, new Random(34));

        Bill bill = Bill.compute(USER, CYCLE, 1, BillStatus.PROVISIONAL, CausalOrder.sort(shuffled), SEED,
                SeedScenario.at(120));

        assertThat(bill).isEqualTo(SeedScenario.bill(1));
    }

    @Test
    void compute_flagsLinesConcurrentWithANeighbour() {
        // Two towers serve the subscriber with no handover between them: neither knows of the other's record.
        Towers towers = new Towers();
        UsageRecord bkc = towers.stamp(BKC, USER, T0, new Usage.Data(RadioType.G4, 1000, 1000));
        UsageRecord dadar = towers.stamp(DADAR, USER, T0.plusSeconds(1), new Usage.Data(RadioType.G4, 1000, 1000));
        towers.handover(DADAR, BKC);
        UsageRecord later = towers.stamp(BKC, USER, T0.plusSeconds(60), new Usage.Sms(Msisdn.of("+91-9000000001")));

        Bill bill = Bill.compute(USER, CYCLE, 1, BillStatus.PROVISIONAL,
                CausalOrder.sort(List.of(later, dadar, bkc)), SEED, T0);

        assertThat(bill.lines()).extracting(l -> l.rated().eventId().toString())
                .containsExactly("MUMBAI_BKC#1", "MUMBAI_DADAR#1", "MUMBAI_BKC#2");
        assertThat(bill.lines()).extracting(BillLine::concurrent).containsExactly(true, true, false);
    }

    @Test
    void compute_rejectsARecordOfAnotherSubscriber() {
        List<UsageRecord> records = new ArrayList<>(SeedScenario.records());
        Msisdn other = Msisdn.of("+91-9123456789");

        assertThatThrownBy(() -> Bill.compute(other, CYCLE, 1, BillStatus.PROVISIONAL, records, SEED, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MUMBAI_BKC#1").hasMessageContaining("+919876543210")
                .hasMessageContaining("+919123456789");
    }

    @Test
    void compute_rejectsARecordOfAnotherCycle() {
        List<UsageRecord> records = SeedScenario.records();

        assertThatThrownBy(() -> Bill.compute(USER, YearMonth.of(2025, 4), 1, BillStatus.PROVISIONAL, records,
                SEED, T0))
                .hasMessageContaining("MUMBAI_BKC#1").hasMessageContaining("2025-03").hasMessageContaining("2025-04");
    }

    @Test
    void compute_rejectsDuplicates() {
        List<UsageRecord> records = new ArrayList<>(SeedScenario.records());
        records.add(records.get(5));

        assertThatThrownBy(() -> Bill.compute(USER, CYCLE, 1, BillStatus.PROVISIONAL, records, SEED, T0))
                .hasMessageContaining("MUMBAI_BANDRA#2").hasMessageContaining("twice");
    }

    @Test
    void compute_rejectsRecordsOutOfCausalOrder() {
        List<UsageRecord> records = new ArrayList<>(SeedScenario.records());
        Collections.swap(records, 2, 3);

        assertThatThrownBy(() -> Bill.compute(USER, CYCLE, 1, BillStatus.PROVISIONAL, records, SEED, T0))
                .hasMessageContaining("causal order").hasMessageContaining(ANDHERI + "#1");
    }

    @Test
    void constructor_rejectsATotalThatIsNotTheSumOfTheLines() {
        Bill bill = SeedScenario.bill(1);

        assertThatThrownBy(() -> new Bill(bill.subscriber(), bill.cycle(), 1, bill.status(), bill.tariffId(),
                bill.lines(), bill.calls(), bill.sms(), bill.data(), Money.ofPaisa(2189), bill.bundles(),
                bill.updatedAt()))
                .hasMessageContaining("total").hasMessageContaining("2190").hasMessageContaining("2189");
    }

    @Test
    void constructor_rejectsAVersionBelowOne() {
        assertThatThrownBy(() -> SeedScenario.bill(0)).hasMessageContaining("version").hasMessageContaining("0");
    }

    @Test
    void billingCycle_isTheMonthInIndianStandardTime() {
        assertThat(BillingCycle.of(Instant.parse("2025-03-31T18:29:59Z"))).isEqualTo(YearMonth.of(2025, 3));
        assertThat(BillingCycle.of(Instant.parse("2025-03-31T18:30:00Z"))).isEqualTo(YearMonth.of(2025, 4));
        assertThat(BillingCycle.start(YearMonth.of(2025, 4))).isEqualTo(Instant.parse("2025-03-31T18:30:00Z"));
        assertThat(BillingCycle.end(YearMonth.of(2025, 3))).isEqualTo(Instant.parse("2025-03-31T18:30:00Z"));
        assertThat(BillingCycle.ZONE.getId()).isEqualTo("Asia/Kolkata");
    }

    @Test
    void billingCycle_parse_namesTheBadInput() {
        assertThatThrownBy(() -> BillingCycle.parse("2025-13")).hasMessageContaining("cycle must be YYYY-MM")
                .hasMessageContaining("'2025-13'");
    }

    /**
     * The recent cycles {@code BillingCycle} keeps give what the zone's calendar gives: instants in random order over
     * forty years (so the kept cycles are replaced all the time), and at every month's edges.
     */
    @Test
    void billingCycle_keptSpans_agreeWithTheZonesCalendar() {
        java.util.Random random = new java.util.Random(11);
        long from = Instant.parse("1990-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2030-01-01T00:00:00Z").getEpochSecond();
        List<Instant> instants = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            // Mostly a few nearby months, as the stream job sees them, and now and then anywhere.
            long second = random.nextInt(10) == 0 ? from + (long) (random.nextDouble() * (to - from))
                    : Instant.parse("2026-11-15T00:00:00Z").getEpochSecond() + random.nextInt(90 * 86_400) - 45 * 86_400;
            instants.add(Instant.ofEpochSecond(second, random.nextInt(1_000_000_000)));
        }
        for (YearMonth m = YearMonth.of(2025, 1); m.isBefore(YearMonth.of(2027, 1)); m = m.plusMonths(1)) {
            Instant edge = m.atDay(1).atStartOfDay(BillingCycle.ZONE).toInstant();
            instants.add(edge);
            instants.add(edge.minusNanos(1));
            instants.add(edge.plusNanos(1));
        }
        java.util.Collections.shuffle(instants, random);
        for (Instant i : instants) {
            YearMonth expected = YearMonth.from(i.atZone(BillingCycle.ZONE));
            assertThat(BillingCycle.of(i)).as("%s", i).isEqualTo(expected);
            assertThat(BillingCycle.start(expected)).isEqualTo(expected.atDay(1).atStartOfDay(BillingCycle.ZONE)
                    .toInstant());
            assertThat(BillingCycle.end(expected)).isEqualTo(expected.plusMonths(1).atDay(1)
                    .atStartOfDay(BillingCycle.ZONE).toInstant());
        }
    }

    /** The hand-read common form gives exactly what {@code YearMonth.parse} gives, and refuses what it refuses. */
    @Test
    void billingCycle_parse_agreesWithYearMonthParse() {
        List<String> texts = new java.util.ArrayList<>(List.of("0000-01", "2026-12", "9999-12", "2026-00", "2026-13",
                "2026-1x", "20x6-01", "2026/01", "2026-1", "+10000-01", "-2026-01", "2026-012", ""));
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2_000; i++) {
            char[] c = new char[7];
            for (int j = 0; j < 7; j++) {
                c[j] = j == 4 && random.nextInt(10) > 0 ? '-' : "0123456789-+x".charAt(random.nextInt(13));
            }
            texts.add(new String(c));
        }
        for (String text : texts) {
            java.time.YearMonth expected;
            try {
                expected = java.time.YearMonth.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                assertThatThrownBy(() -> BillingCycle.parse(text)).as(text).hasMessageContaining("cycle must be YYYY-MM");
                continue;
            }
            assertThat(BillingCycle.parse(text)).as(text).isEqualTo(expected);
        }
    }
}
