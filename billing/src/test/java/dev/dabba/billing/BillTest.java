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
