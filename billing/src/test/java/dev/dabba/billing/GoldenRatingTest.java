package dev.dabba.billing;

import static dev.dabba.billing.SeedScenario.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rating cases worked out by hand from the rules in docs/tariff-format.md; each test states its arithmetic.
 */
class GoldenRatingTest {

    private static final NodeId BKC = SeedScenario.BKC;
    private static final NodeId DADAR = SeedScenario.DADAR;
    private static final Msisdn FRIEND = Msisdn.of("+91-9876543299");
    private static final long MIB = Tariff.BYTES_PER_MIB;
    /** Monday 10 March 2025, 20:59:00 in Mumbai. */
    private static final Instant MONDAY_2059_IST = Instant.parse("2025-03-10T15:29:00Z");

    private static ServiceRate perSecond(String price) {
        return ServiceRate.flat(new BigDecimal(price), 1, 1);
    }

    /** The seed plan with {@code service} priced by {@code rate}. */
    private static Tariff.Builder seedWith(Service service, ServiceRate rate) {
        return Tariff.seedDefault().toBuilder().rate(service, rate);
    }

    private static UsageRecord call(Instant start, CallType type, long seconds) {
        return new Towers().stamp(BKC, USER, start, new Usage.Call(FRIEND, type, seconds));
    }

    @Test
    void perIncrementRounding_billsMoreThanPerRecord_forTheSameCall() {
        // 0.25 paisa a second in 6 s increments: a pulse costs 1.5 paisa exactly.
        ServiceRate rate = new ServiceRate(1, 6, 6, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(Price.of("0.25")));
        Tariff perRecord = seedWith(Service.call(CallType.VOICE), rate)
                .rounding(RoundingRule.perRecord(RoundingRule.Direction.UP)).build();
        Tariff perIncrement = perRecord.withRounding(RoundingRule.perIncrement(RoundingRule.Direction.UP));
        UsageRecord sixty = call(SeedScenario.T0, CallType.VOICE, 60);
        UsageRecord sixtyOne = call(SeedScenario.T0, CallType.VOICE, 61);

        // 60 s = 10 pulses = 15 paisa exactly. Per record: 15. Per increment: each 1.5 -> 2, so 20.
        assertThat(RatingEngine.rate(sixty, perRecord).exactPaisa()).isEqualByComparingTo("15");
        assertThat(RatingEngine.rate(sixty, perRecord).amount()).isEqualTo(Money.ofPaisa(15));
        assertThat(RatingEngine.rate(sixty, perIncrement).amount()).isEqualTo(Money.ofPaisa(20));
        // 61 s is charged as 66 s = 11 pulses = 16.5 paisa. Per record: 17. Per increment: 11 x 2 = 22.
        RatedLine line = RatingEngine.rate(sixtyOne, perIncrement);
        assertThat(line.charged()).isEqualTo(66);
        assertThat(line.exactPaisa()).isEqualByComparingTo("16.5");
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(22));
        assertThat(line.segments()).singleElement().satisfies(s -> {
            assertThat(s.pulses()).isEqualTo(11);
            assertThat(s.amount()).isEqualTo(Money.ofPaisa(22));
        });
        assertThat(RatingEngine.rate(sixtyOne, perRecord).amount()).isEqualTo(Money.ofPaisa(17));
    }

    @Test
    void perBillRounding_roundsOnlyTheTotal_andLinesStillAddUp() {
        // Two 7 s calls at 0.25 paisa/s: 1.75 paisa each, 3.5 in all. Rounded down per record: 1 + 1 = 2.
        // Per bill: floor(3.5) = 3, lines floor(1.75) - 0 = 1 and floor(3.5) - floor(1.75) = 2.
        Tariff perRecord = seedWith(Service.call(CallType.VOICE), perSecond("0.25"))
                .rounding(RoundingRule.perRecord(RoundingRule.Direction.DOWN)).build();
        Tariff perBill = perRecord.withRounding(RoundingRule.perBill(RoundingRule.Direction.DOWN));
        Towers towers = new Towers();
        List<UsageRecord> calls = List.of(
                towers.stamp(BKC, USER, SeedScenario.T0, new Usage.Call(FRIEND, CallType.VOICE, 7)),
                towers.stamp(BKC, USER, SeedScenario.at(1), new Usage.Call(FRIEND, CallType.VOICE, 7)));

        assertThat(RatingEngine.rate(calls, perRecord).total()).isEqualTo(Money.ofPaisa(2));
        RatedUsage billed = RatingEngine.rate(calls, perBill);
        assertThat(billed.total()).isEqualTo(Money.ofPaisa(3));
        assertThat(billed.lines()).extracting(l -> l.amount().paisa()).containsExactly(1L, 2L);
    }

    @Test
    void connectFee_isChargedOnTheFirstSegmentOnly_ofACallCrossingFromPeakToOffPeak() {
        // Peak Mon-Fri 09:00-21:00 IST at 2 paisa/s, otherwise 1 paisa/s, 50 paisa to connect. A 120 s call from
        // Monday 20:59: 60 s peak = 120 + 50 fee, then 60 s off-peak = 60; 230 paisa.
        ServiceRate rate = new ServiceRate(1, 1, 1, BigDecimal.valueOf(50), TierBasis.RECORD,
                List.of(Price.of("1"), new Price("peak", 0, BigDecimal.valueOf(2))));
        Tariff tariff = seedWith(Service.call(CallType.VOICE), rate)
                .window(new TimeWindow("peak", EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                        LocalTime.of(9, 0), LocalTime.of(21, 0)))
                .build();

        RatedLine line = RatingEngine.rate(call(MONDAY_2059_IST, CallType.VOICE, 120), tariff);

        assertThat(line.segments()).extracting(RatedSegment::window).containsExactly("peak", null);
        assertThat(line.segments()).extracting(RatedSegment::quantity).containsExactly(60L, 60L);
        assertThat(line.segments()).extracting(s -> s.connectFee().intValueExact()).containsExactly(50, 0);
        assertThat(line.segments()).extracting(s -> s.exactPaisa().intValueExact()).containsExactly(170, 60);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(230));
    }

    @Test
    void zeroSecondCall_paysNoConnectFee() {
        ServiceRate rate = new ServiceRate(1, 1, 1, BigDecimal.valueOf(50), TierBasis.RECORD, List.of(Price.of("1")));
        Tariff tariff = seedWith(Service.call(CallType.VOICE), rate).build();

        RatedLine line = RatingEngine.rate(call(SeedScenario.T0, CallType.VOICE, 0), tariff);

        assertThat(line.amount()).isEqualTo(Money.ZERO);
        assertThat(line.segments()).isEmpty();
    }

    @Test
    void tiers_crossedInsideOneCall_splitTheCall() {
        // VIDEO: the first 60 s of a call at 2 paisa/s, from 60 s on at 1 paisa/s. 100 s = 120 + 40 = 160 paisa.
        ServiceRate rate = new ServiceRate(1, 1, 1, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(Price.of("2"), new Price(null, 60, BigDecimal.ONE)));
        Tariff tariff = seedWith(Service.call(CallType.VIDEO), rate).build();

        RatedLine line = RatingEngine.rate(call(SeedScenario.T0, CallType.VIDEO, 100), tariff);

        assertThat(line.segments()).extracting(RatedSegment::offset).containsExactly(0L, 60L);
        assertThat(line.segments()).extracting(RatedSegment::tierFrom).containsExactly(0L, 60L);
        assertThat(line.segments()).extracting(RatedSegment::quantity).containsExactly(60L, 40L);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(160));
    }

    @Test
    void cycleTiers_countTheCycleSoFar_inCausalOrder() {
        // 4G: the first GiB of the cycle at 5 paisa/MiB, then 2. Sessions of 800 MiB then 400 MiB:
        // 800 x 5 = 4000; then 224 MiB x 5 = 1120 and 176 MiB x 2 = 352. Total 5472 paisa.
        ServiceRate rate = new ServiceRate(MIB, 1024, 1024, BigDecimal.ZERO, TierBasis.CYCLE,
                List.of(Price.of("5"), new Price(null, 1024 * MIB, BigDecimal.valueOf(2))));
        Tariff tariff = seedWith(Service.data(RadioType.G4), rate).build();
        Towers towers = new Towers();
        List<UsageRecord> sessions = List.of(
                towers.stamp(BKC, USER, SeedScenario.T0, new Usage.Data(RadioType.G4, 0, 800 * MIB)),
                towers.stamp(BKC, USER, SeedScenario.at(5), new Usage.Data(RadioType.G4, 0, 400 * MIB)));

        RatedUsage usage = RatingEngine.rate(sessions, tariff);

        assertThat(usage.lines()).extracting(l -> l.amount().paisa()).containsExactly(4000L, 1472L);
        assertThat(usage.lines().get(1).segments()).extracting(RatedSegment::quantity)
                .containsExactly(224 * MIB, 176 * MIB);
        assertThat(usage.total()).isEqualTo(Money.ofPaisa(5472));
    }

    @Test
    void firstIncrement_chargesAMinimumThenShorterPulses() {
        // "30/6" billing at 1 paisa/s: 10 s is charged as 30 s; 31 s as 30 + 6 = 36 s.
        ServiceRate rate = new ServiceRate(1, 6, 30, BigDecimal.ZERO, TierBasis.RECORD, List.of(Price.of("1")));
        Tariff tariff = seedWith(Service.call(CallType.VOICE), rate).build();

        assertThat(RatingEngine.rate(call(SeedScenario.T0, CallType.VOICE, 10), tariff).amount())
                .isEqualTo(Money.ofPaisa(30));
        RatedLine line = RatingEngine.rate(call(SeedScenario.T0, CallType.VOICE, 31), tariff);
        assertThat(line.charged()).isEqualTo(36);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(36));
    }

    @Test
    void windowBoundary_onTheSpringForwardDay_fallsWhereTheWallClockSaysItDoes() {
        // London, Sunday 30 March 2025: clocks go 01:00 GMT -> 02:00 BST. Night 00:00-03:00 local at 1 paisa/s,
        // otherwise 3. A 2 h call from 00:30 GMT: local 03:00 BST is 02:00 UTC, 5400 s after the start, so
        // 5400 s x 1 + 1800 s x 3 = 10800 paisa. (Adding wall-clock hours would put 03:00 past the call's end.)
        Tariff tariff = london(LocalTime.of(3, 0));

        RatedLine line = RatingEngine.rate(call(Instant.parse("2025-03-30T00:30:00Z"), CallType.VOICE, 7200), tariff);

        assertThat(line.segments()).extracting(RatedSegment::window).containsExactly("night", null);
        assertThat(line.segments()).extracting(RatedSegment::quantity).containsExactly(5400L, 1800L);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(10800));
    }

    @Test
    void windowBoundaryInTheSkippedHour_takesEffectAtTheTransition() {
        // Night ends at 01:30 local, which does not exist on 30 March 2025 in London: at 01:00 GMT the clock reads
        // 02:00 BST, past 01:30. A 1 h call from 00:30 GMT: 1800 s night + 1800 s day = 1800 + 5400 = 7200 paisa.
        Tariff tariff = london(LocalTime.of(1, 30));

        RatedLine line = RatingEngine.rate(call(Instant.parse("2025-03-30T00:30:00Z"), CallType.VOICE, 3600), tariff);

        assertThat(line.segments()).extracting(RatedSegment::quantity).containsExactly(1800L, 1800L);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(7200));
    }

    @Test
    void windowBoundary_onTheFallBackDay_isCrossedTwice() {
        // London, Sunday 26 October 2025: 02:00 BST -> 01:00 GMT at 01:00 UTC, so 01:00-02:00 local happens twice.
        // Night 00:00-01:30 local. A 2 h call from 00:00 UTC (01:00 BST): night 1800 s, day 1800 s (01:30-02:00
        // BST), night again 1800 s (01:00-01:30 GMT), day 1800 s: 1800 + 5400 + 1800 + 5400 = 14400 paisa.
        Tariff tariff = london(LocalTime.of(1, 30));

        RatedLine line = RatingEngine.rate(call(Instant.parse("2025-10-26T00:00:00Z"), CallType.VOICE, 7200), tariff);

        assertThat(line.segments()).extracting(RatedSegment::window).containsExactly("night", null, "night", null);
        assertThat(line.segments()).extracting(RatedSegment::quantity).containsExactly(1800L, 1800L, 1800L, 1800L);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(14400));
    }

    @Test
    void bundle_runningOutInTheMiddleOfADataSession_chargesOnlyTheRest() {
        // 100 MiB of data included. Sessions of 80 MiB, then 50 MiB on 4G at 5 paisa/MiB: the first is free, the
        // second has 20 MiB covered and 30 MiB charged = 150 paisa.
        Tariff tariff = Tariff.seedDefault().toBuilder()
                .bundle(new Bundle("data-100m", Set.of(Service.data(RadioType.G4), Service.data(RadioType.G5)),
                        100 * MIB))
                .build();
        Towers towers = new Towers();
        List<UsageRecord> sessions = List.of(
                towers.stamp(BKC, USER, SeedScenario.T0, new Usage.Data(RadioType.G4, 0, 80 * MIB)),
                towers.stamp(BKC, USER, SeedScenario.at(5), new Usage.Data(RadioType.G4, 10 * MIB, 40 * MIB)));

        RatedUsage usage = RatingEngine.rate(sessions, tariff);

        assertThat(usage.lines()).extracting(l -> l.amount().paisa()).containsExactly(0L, 150L);
        List<RatedSegment> split = usage.lines().get(1).segments();
        assertThat(split).extracting(RatedSegment::bundle).containsExactly("data-100m", null);
        assertThat(split).extracting(RatedSegment::quantity).containsExactly(20 * MIB, 30 * MIB);
        assertThat(split).extracting(RatedSegment::bundleUsed).containsExactly(20 * MIB, 0L);
        assertThat(usage.bundles()).containsExactly(new BundleUsage("data-100m", Quantity.Unit.BYTES, 100 * MIB,
                100 * MIB));
    }

    @Test
    void concurrentRecords_consumeABundleInTheDeterministicCausalOrder() {
        // BKC and DADAR serve the subscriber with no handover: their sessions are concurrent. The causal sort puts
        // the earlier hybrid timestamp first (DADAR, 10:00:05), so DADAR's 80 MiB is free and BKC's 80 MiB gets the
        // last 20 MiB free and pays 60 MiB x 5 = 300 paisa, whatever order the records arrive in.
        Tariff tariff = Tariff.seedDefault().toBuilder()
                .bundle(new Bundle("data-100m", Set.of(Service.data(RadioType.G4)), 100 * MIB)).build();
        Towers towers = new Towers();
        UsageRecord bkc = towers.stamp(BKC, USER, SeedScenario.T0.plusSeconds(10),
                new Usage.Data(RadioType.G4, 0, 80 * MIB));
        UsageRecord dadar = towers.stamp(DADAR, USER, SeedScenario.T0.plusSeconds(5),
                new Usage.Data(RadioType.G4, 0, 80 * MIB));
        List<UsageRecord> arrived = new ArrayList<>(List.of(bkc, dadar));

        for (long seed = 0; seed < 4; seed++) {
            Collections.shuffle(arrived, new Random(seed));
            Bill bill = Bill.compute(USER, YearMonth.of(2025, 3), 2, BillStatus.PROVISIONAL,
                    CausalOrder.sort(arrived), tariff, SeedScenario.T0);

            assertThat(bill.lines()).extracting(l -> l.rated().tower()).containsExactly(DADAR, BKC);
            assertThat(bill.lines()).extracting(l -> l.amount().paisa()).containsExactly(0L, 300L);
            assertThat(bill.lines()).allMatch(BillLine::concurrent);
        }
    }

    @Test
    void seedPlan_fromItsResourceFile_billsTheSeedScenarioRs2190() {
        RatedUsage usage = RatingEngine.rate(SeedScenario.records(), TariffFile.seedResource());

        assertThat(usage.calls()).isEqualTo(Money.ofPaisa(840));
        assertThat(usage.data()).isEqualTo(Money.ofPaisa(1350));
        assertThat(usage.total()).hasToString("Rs 21.90");
    }

    /** Night 00:00-{@code nightEnd} every day in Europe/London at 1 paisa/s for VOICE, otherwise 3 paisa/s. */
    private static Tariff london(LocalTime nightEnd) {
        ServiceRate rate = new ServiceRate(1, 1, 1, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(Price.of("3"), new Price("night", 0, BigDecimal.ONE)));
        return seedWith(Service.call(CallType.VOICE), rate)
                .zone(ZoneId.of("Europe/London"))
                .window(new TimeWindow("night", EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, nightEnd))
                .build();
    }
}
