package dev.dabba.billing;

import static dev.dabba.billing.SeedScenario.MIB;
import static dev.dabba.billing.SeedScenario.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatingEngineTest {

    private static final Tariff SEED = Tariff.seedDefault();
    private static final NodeId TOWER = NodeId.of("MUMBAI_DADAR");
    private static final Msisdn FRIEND = Msisdn.of("+91-9876543299");

    @Test
    void seedScenario_billsCalls840Data1350Total2190() {
        RatedUsage usage = RatingEngine.rate(SeedScenario.records(), SEED);

        assertThat(usage.calls()).isEqualTo(Money.ofPaisa(840));
        assertThat(usage.sms()).isEqualTo(Money.ZERO);
        assertThat(usage.data()).isEqualTo(Money.ofPaisa(1350));
        assertThat(usage.total()).isEqualTo(Money.ofPaisa(2190));
        assertThat(usage.total()).hasToString("Rs 21.90");
    }

    @Test
    void seedScenario_linesFollowTheGivenCausalOrder() {
        List<UsageRecord> records = SeedScenario.records();

        RatedUsage usage = RatingEngine.rate(records, SEED);

        assertThat(usage.lines()).extracting(RatedLine::eventId)
                .containsExactlyElementsOf(records.stream().map(UsageRecord::id).toList());
        assertThat(usage.lines()).extracting(l -> l.tower().value() + " " + l.service().label())
                .containsExactly("MUMBAI_BKC CALL VOICE", "MUMBAI_BKC DATA 4G", "MUMBAI_ANDHERI CALL VIDEO",
                        "MUMBAI_ANDHERI DATA 4G", "MUMBAI_BANDRA CALL VOLTE", "MUMBAI_BANDRA DATA 5G");
        assertThat(usage.lines()).extracting(l -> l.quantity().toString())
                .containsExactly("180 s", "50.00 MiB", "300 s", "100.00 MiB", "120 s", "200.00 MiB");
        assertThat(usage.lines()).extracting(l -> l.amount().paisa())
                .containsExactly(180L, 250L, 600L, 500L, 60L, 600L);
        assertThat(usage.lines()).extracting(RatedLine::counterparty)
                .containsExactly(Msisdn.of("+919876543211"), null, Msisdn.of("+919876543212"), null,
                        Msisdn.of("+919876543213"), null);
    }

    @Test
    void seedScenario_lineKeepsRecordClocksAndStart() {
        UsageRecord andheriCall = SeedScenario.records().get(2);

        RatedLine line = RatingEngine.rate(andheriCall, SEED);

        assertThat(line.clock()).isEqualTo(andheriCall.clock());
        assertThat(line.clock()).hasToString("{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}");
        assertThat(line.hlc()).isEqualTo(andheriCall.hlc());
        assertThat(line.start()).isEqualTo(andheriCall.start());
    }

    @Test
    void volte121Seconds_isExactly60Point5Paisa_andRoundsUpTo61UnderTheSeedPlan() {
        RatedLine line = RatingEngine.rate(call(CallType.VOLTE, 121), SEED);

        assertThat(line.exactPaisa()).isEqualByComparingTo("60.5");
        assertThat(line.exactPaisa().toPlainString()).isEqualTo("60.5");
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(61));
    }

    @Test
    void volte121Seconds_roundsDownTo60_whenTheTariffSaysDown() {
        Tariff down = SEED.withRounding(RoundingRule.perRecord(RoundingRule.Direction.DOWN));

        RatedLine line = RatingEngine.rate(call(CallType.VOLTE, 121), down);

        assertThat(line.exactPaisa()).isEqualByComparingTo("60.5");
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(60));
    }

    @Test
    void volte121Seconds_roundsHalfUpTo61_andVolte1SecondHalfUpTo1() {
        Tariff halfUp = SEED.withRounding(RoundingRule.perRecord(RoundingRule.Direction.HALF_UP));

        assertThat(RatingEngine.rate(call(CallType.VOLTE, 121), halfUp).amount()).isEqualTo(Money.ofPaisa(61));
        assertThat(RatingEngine.rate(call(CallType.VOLTE, 1), halfUp).amount()).isEqualTo(Money.ofPaisa(1));
    }

    @Test
    void oneByteDataSession_billsOnePaisaUnderUp_notASilentZero() {
        RatedLine line = RatingEngine.rate(data(RadioType.G4, 1, 0), SEED);

        // 5 paisa per MiB for 1 byte: 5 / 1048576 paisa, exactly.
        assertThat(line.exactPaisa()).isEqualByComparingTo(new BigDecimal("0.00000476837158203125"));
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(1));
        assertThat(line.quantity()).hasToString("1 B");
    }

    @Test
    void oneByteDataSession_billsZeroUnderDown_withTheExactAmountStillShown() {
        Tariff down = SEED.withRounding(RoundingRule.perRecord(RoundingRule.Direction.DOWN));

        RatedLine line = RatingEngine.rate(data(RadioType.G4, 0, 1), down);

        assertThat(line.amount()).isEqualTo(Money.ZERO);
        assertThat(line.exactPaisa().signum()).isPositive();
    }

    @Test
    void data_isProRataOnUplinkPlusDownlink() {
        // 1.5 MiB on 4G at 5 paisa per MiB = 7.5 paisa exactly, split across both directions.
        RatedLine line = RatingEngine.rate(data(RadioType.G4, MIB, MIB / 2), SEED);

        assertThat(line.quantity()).isEqualTo(Quantity.bytes(MIB + MIB / 2));
        assertThat(line.quantity()).hasToString("1.50 MiB");
        assertThat(line.exactPaisa()).isEqualByComparingTo("7.5");
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(8));
        assertThat(line.counterparty()).isNull();
    }

    @Test
    void data_usesTheRateOfItsRadio() {
        assertThat(RatingEngine.rate(data(RadioType.G3, MIB, 0), SEED).amount()).isEqualTo(Money.ofPaisa(10));
        assertThat(RatingEngine.rate(data(RadioType.G4, MIB, 0), SEED).amount()).isEqualTo(Money.ofPaisa(5));
        assertThat(RatingEngine.rate(data(RadioType.G5, MIB, 0), SEED).amount()).isEqualTo(Money.ofPaisa(3));
    }

    @Test
    void sms_isBilledAtTheTariffRate_withItsRecipient() {
        UsageRecord sms = new Towers().stamp(TOWER, USER, SeedScenario.T0, new Usage.Sms(FRIEND));

        RatedUsage usage = RatingEngine.rate(List.of(sms), SEED);

        RatedLine line = usage.lines().get(0);
        assertThat(line.service()).isEqualTo(Service.sms());
        assertThat(line.service().label()).isEqualTo("SMS");
        assertThat(line.quantity()).hasToString("1 sms");
        assertThat(line.counterparty()).isEqualTo(FRIEND);
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(100));
        assertThat(usage.sms()).isEqualTo(Money.ofPaisa(100));
        assertThat(usage.total()).isEqualTo(Money.ofPaisa(100));
    }

    @Test
    void zeroSecondCall_costsNothing() {
        RatedLine line = RatingEngine.rate(call(CallType.VIDEO, 0), SEED);

        assertThat(line.amount()).isEqualTo(Money.ZERO);
        assertThat(line.exactPaisa()).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void noRecords_rateToZeroTotals() {
        RatedUsage usage = RatingEngine.rate(List.of(), SEED);

        assertThat(usage.lines()).isEmpty();
        assertThat(usage.total()).isEqualTo(Money.ZERO);
    }

    private static UsageRecord call(CallType type, long seconds) {
        return new Towers().stamp(TOWER, USER, SeedScenario.T0, new Usage.Call(FRIEND, type, seconds));
    }

    private static UsageRecord data(RadioType radio, long uplink, long downlink) {
        return new Towers().stamp(TOWER, USER, SeedScenario.T0, new Usage.Data(radio, uplink, downlink));
    }
}
