package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of rating that hold for every tariff and every set of records. */
class RatingEnginePropertiesTest {

    private static final Msisdn USER = Msisdn.of("+91-9876543210");
    private static final Msisdn PEER = Msisdn.of("+91-9876543211");
    private static final NodeId TOWER = NodeId.of("MUMBAI_BKC");

    @Property
    void totalsAreTheSumsOfTheRoundedLines(
            @ForAll("usages") @Size(max = 40) List<Usage> usages, @ForAll("tariffs") Tariff tariff) {
        RatedUsage rated = RatingEngine.rate(stamp(usages), tariff);

        long calls = 0;
        long sms = 0;
        long data = 0;
        for (RatedLine line : rated.lines()) {
            switch (line.service().category()) {
                case CALL:
                    calls += line.amount().paisa();
                    break;
                case SMS:
                    sms += line.amount().paisa();
                    break;
                default:
                    data += line.amount().paisa();
            }
        }
        assertThat(rated.lines()).hasSameSizeAs(usages);
        assertThat(rated.calls().paisa()).isEqualTo(calls);
        assertThat(rated.sms().paisa()).isEqualTo(sms);
        assertThat(rated.data().paisa()).isEqualTo(data);
        assertThat(rated.total().paisa()).isEqualTo(calls + sms + data);
    }

    @Property
    void eachLineIsWithinOnePaisaOfItsExactAmount_inTheRulesDirection(
            @ForAll("usage") Usage usage, @ForAll("tariffs") Tariff tariff) {
        RatedLine line = RatingEngine.rate(stamp(List.of(usage)).get(0), tariff);

        BigDecimal diff = BigDecimal.valueOf(line.amount().paisa()).subtract(line.exactPaisa());
        switch (tariff.rounding().direction()) {
            case UP:
                assertThat(diff).isGreaterThanOrEqualTo(BigDecimal.ZERO).isLessThan(BigDecimal.ONE);
                break;
            case DOWN:
                assertThat(diff).isLessThanOrEqualTo(BigDecimal.ZERO).isGreaterThan(BigDecimal.ONE.negate());
                break;
            default:
                assertThat(diff.abs()).isLessThanOrEqualTo(new BigDecimal("0.5"));
                assertThat(diff).isGreaterThan(new BigDecimal("-0.5"));
        }
    }

    @Property
    void totalDoesNotDependOnTheOrderOfRecords(
            @ForAll("usages") @Size(max = 40) List<Usage> usages, @ForAll("tariffs") Tariff tariff,
            @ForAll long seed) {
        List<UsageRecord> records = stamp(usages);
        List<UsageRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(seed));

        assertThat(RatingEngine.rate(shuffled, tariff).total()).isEqualTo(RatingEngine.rate(records, tariff).total());
    }

    @Provide
    Arbitrary<List<Usage>> usages() {
        return usage().list();
    }

    @Provide
    Arbitrary<Usage> usage() {
        Arbitrary<Usage> calls = Combinators.combine(
                Arbitraries.of(CallType.class), Arbitraries.longs().between(0, 86_400))
                .as((type, seconds) -> new Usage.Call(PEER, type, seconds));
        Arbitrary<Usage> sms = Arbitraries.just(new Usage.Sms(PEER));
        Arbitrary<Long> bytes = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 4096), Arbitraries.longs().between(0, 1L << 40));
        Arbitrary<Usage> data = Combinators.combine(Arbitraries.of(RadioType.class), bytes, bytes)
                .as((radio, up, down) -> new Usage.Data(radio, up, down));
        return Arbitraries.oneOf(calls, sms, data);
    }

    @Provide
    Arbitrary<Tariff> tariffs() {
        Arbitrary<BigDecimal> rate = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1000"))
                .ofScale(3);
        return Combinators.combine(rate, rate, rate, rate, Arbitraries.of(RoundingRule.Direction.class))
                .as((voice, sms, g4, g5, direction) -> Tariff.seedDefault().toBuilder()
                        .callPaisaPerSecond(CallType.VOICE, voice)
                        .smsPaisaPerMessage(sms)
                        .dataPaisaPerMiB(RadioType.G4, g4)
                        .dataPaisaPerMiB(RadioType.G5, g5)
                        .rounding(RoundingRule.perRecord(direction))
                        .build());
    }

    private static List<UsageRecord> stamp(List<Usage> usages) {
        Towers towers = new Towers();
        List<UsageRecord> records = new ArrayList<>(usages.size());
        for (int i = 0; i < usages.size(); i++) {
            records.add(towers.stamp(TOWER, USER, SeedScenario.T0.plusSeconds(i), usages.get(i)));
        }
        return records;
    }
}
