package dev.dabba.reliability.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OracleTest {

    static final Msisdn USER = Msisdn.of("+91-9876543210");
    static final String BKC = "MUMBAI_BKC";
    static final String ANDHERI = "MUMBAI_ANDHERI";
    static final String BANDRA = "MUMBAI_BANDRA";
    static final long MIB = 1024L * 1024L;
    /** 10:00 in Mumbai on 10 March 2025. */
    static final Instant T0 = Instant.parse("2025-03-10T04:30:00Z");

    /**
     * The seed scenario as the generator would write it down: BKC's two records, then the handover to Andheri
     * (Andheri now knows BKC's two), Andheri's two, the handover to Bandra, Bandra's two. Wall times are deliberately
     * scrambled (Andheri's and Bandra's clocks run slow): the order must come from happens-before alone.
     */
    static List<GeneratedRecord> seedScenario() {
        return List.of(
                record(BKC, 1, 0, new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOICE, 180),
                        Map.of(BKC, 1L)),
                record(BKC, 2, 5, new Usage.Data(RadioType.G4, 10 * MIB, 40 * MIB), Map.of(BKC, 2L)),
                record(ANDHERI, 1, -30, new Usage.Call(Msisdn.of("+91-9876543212"), CallType.VIDEO, 300),
                        Map.of(BKC, 2L, ANDHERI, 1L)),
                record(ANDHERI, 2, -20, new Usage.Data(RadioType.G4, 20 * MIB, 80 * MIB),
                        Map.of(BKC, 2L, ANDHERI, 2L)),
                record(BANDRA, 1, -50, new Usage.Call(Msisdn.of("+91-9876543213"), CallType.VOLTE, 120),
                        Map.of(BKC, 2L, ANDHERI, 2L, BANDRA, 1L)),
                record(BANDRA, 2, -45, new Usage.Data(RadioType.G5, 50 * MIB, 150 * MIB),
                        Map.of(BKC, 2L, ANDHERI, 2L, BANDRA, 2L)));
    }

    private static GeneratedRecord record(String tower, long seq, long minutes, Usage usage, Map<String, Long> knows) {
        Instant start = T0.plusSeconds(3600 + minutes * 60);
        return new GeneratedRecord(new EventId(NodeId.of(tower), seq), USER, start, usage,
                new HybridTimestamp(start.toEpochMilli(), 0), knows);
    }

    @Test
    void seedScenario_billsRs21_90_inTheSeedsCausalOrder_whateverTheArrivalOrderAndDuplicates() {
        List<GeneratedRecord> arrived = new ArrayList<>(seedScenario());
        arrived.addAll(seedScenario()); // every record delivered twice
        Collections.reverse(arrived);

        Map<BillKey, ExpectedBill> bills = Oracle.bills(arrived);

        assertThat(bills).containsOnlyKeys(new BillKey(USER, YearMonth.of(2025, 3)));
        ExpectedBill bill = bills.values().iterator().next();
        assertThat(bill.callsPaisa()).isEqualTo(840);
        assertThat(bill.dataPaisa()).isEqualTo(1350);
        assertThat(bill.smsPaisa()).isZero();
        assertThat(bill.totalPaisa()).isEqualTo(2190);
        assertThat(bill.lines()).extracting(l -> l.id().toString()).containsExactly(
                "MUMBAI_BKC#1", "MUMBAI_BKC#2", "MUMBAI_ANDHERI#1", "MUMBAI_ANDHERI#2", "MUMBAI_BANDRA#1",
                "MUMBAI_BANDRA#2");
        assertThat(bill.lines()).extracting(ExpectedLine::paisa).containsExactly(180L, 250L, 600L, 500L, 60L, 600L);
        assertThat(bill.lines()).noneMatch(ExpectedLine::concurrent);
        assertThat(bill.orderExact()).isTrue();
    }

    @Test
    void unique_refusesOneEventIdStandingForTwoRecords() {
        GeneratedRecord a = seedScenario().get(0);
        GeneratedRecord forged = new GeneratedRecord(a.id(), a.subscriber(), a.start(),
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOICE, 181), a.hlc(), a.knownBefore());

        assertThatThrownBy(() -> Oracle.unique(List.of(a, forged)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MUMBAI_BKC#1");
    }

    @Test
    void concurrentRecords_areOrderedByHybridTimestamp_thenTower_andFlagged() {
        GeneratedRecord late = new GeneratedRecord(new EventId(NodeId.of("A"), 1), USER, T0,
                new Usage.Sms(Msisdn.of("+91-9876543211")), new HybridTimestamp(T0.toEpochMilli() + 5, 0),
                Map.of("A", 1L));
        GeneratedRecord early = new GeneratedRecord(new EventId(NodeId.of("B"), 1), USER, T0,
                new Usage.Sms(Msisdn.of("+91-9876543211")), new HybridTimestamp(T0.toEpochMilli(), 0),
                Map.of("B", 1L));

        ExpectedBill bill = Oracle.bills(List.of(late, early)).values().iterator().next();

        assertThat(bill.lines()).extracting(l -> l.id().origin().value()).containsExactly("B", "A");
        assertThat(bill.lines()).allMatch(ExpectedLine::concurrent);
        assertThat(bill.smsPaisa()).isEqualTo(200);
    }

    @Test
    void rater_roundsEachRecordUp_andStitchesCallParts() {
        assertThat(SeedPlanRater.callPaisa(CallType.VOLTE, 3)).isEqualTo(2);
        assertThat(SeedPlanRater.dataPaisa(RadioType.G5, 1)).isEqualTo(1);
        assertThat(SeedPlanRater.dataPaisa(RadioType.G3, 0)).isZero();
        // A VOLTE call of 3 s cut into 1 s + 1 s + 1 s is charged 1 + 0 + 1 paisa: the call's rounding happens once.
        List<GeneratedRecord> parts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            parts.add(new GeneratedRecord(new EventId(NodeId.of("T" + i), 1), USER, T0.plusSeconds(i),
                    new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOLTE, 1,
                            new Usage.CallPart("call-1", i, i == 3)),
                    new HybridTimestamp(T0.toEpochMilli() + i, 0), Map.of("T" + i, 1L)));
        }
        assertThat(SeedPlanRater.rate(parts).values()).containsExactlyInAnyOrder(1L, 0L, 1L);
    }
}
