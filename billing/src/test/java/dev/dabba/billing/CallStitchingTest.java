package dev.dabba.billing;

import static dev.dabba.billing.SeedScenario.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A call cut into partial records at handovers (3GPP partial CDRs) is rated as one call: the connect fee once,
 * increments laid over the whole duration from the call's start, per-record rounding applied to the call.
 */
class CallStitchingTest {

    private static final NodeId BKC = SeedScenario.BKC;
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    private static final NodeId BANDRA = NodeId.of("MUMBAI_BANDRA");
    private static final Msisdn FRIEND = Msisdn.of("+91-9876543299");
    private static final Instant T0 = SeedScenario.T0;

    /** 60 paisa a minute in whole minutes, 10 paisa to connect: a plan where cutting a call changes its price. */
    private static Tariff perMinuteWithConnectFee() {
        return Tariff.seedDefault().toBuilder()
                .rate(Service.call(CallType.VOICE), new ServiceRate(60, 60, 60, BigDecimal.TEN, TierBasis.RECORD,
                        List.of(Price.of("60"))))
                .build();
    }

    /** The call of {@code seconds} in parts at BKC, Andheri, Bandra, handed over in between. */
    private static List<UsageRecord> callInParts(long... seconds) {
        Towers towers = new Towers();
        List<NodeId> path = List.of(BKC, ANDHERI, BANDRA);
        List<UsageRecord> out = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < seconds.length; i++) {
            if (i > 0) {
                towers.handover(path.get(i - 1), path.get(i));
            }
            out.add(towers.stamp(path.get(i), USER, T0.plusSeconds(offset), new Usage.Call(FRIEND, CallType.VOICE,
                    seconds[i], new Usage.CallPart("call-42", i + 1, i == seconds.length - 1))));
            offset += seconds[i];
        }
        return out;
    }

    private static UsageRecord whole(long seconds) {
        return new Towers().stamp(BKC, USER, T0, new Usage.Call(FRIEND, CallType.VOICE, seconds));
    }

    @Test
    void partsOfACall_costWhatTheWholeCallCosts_withOneConnectFee() {
        Tariff plan = perMinuteWithConnectFee();
        // 150 s whole: 3 started minutes (180 paisa) + 10 to connect = 190. Cut 40 / 50 / 60 and rated apart, each
        // part would pay a connect fee and a started minute: 3 x 70 = 210.
        RatedUsage parts = RatingEngine.rate(CausalOrder.sort(callInParts(40, 50, 60)), plan);
        RatedUsage call = RatingEngine.rate(List.of(whole(150)), plan);

        assertThat(call.total().paisa()).isEqualTo(190);
        assertThat(parts.total()).isEqualTo(call.total());
        assertThat(parts.lines()).extracting(l -> l.amount().paisa()).containsExactly(70L, 60L, 60L);
        assertThat(parts.lines().get(0).segments()).singleElement().satisfies(s -> {
            assertThat(s.connectFee()).isEqualByComparingTo("10");
            assertThat(s.offset()).isZero();
        });
        assertThat(parts.lines().get(1).segments()).singleElement().satisfies(s -> {
            assertThat(s.connectFee()).isZero();
            assertThat(s.offset()).as("the minute starting 60 s into the call").isEqualTo(60);
        });
        assertThat(parts.lines()).extracting(l -> l.quantity().amount()).containsExactly(40L, 50L, 60L);
    }

    @Test
    void aPartWithinTheMinuteStartedByTheLastPart_costsNothing() {
        RatedUsage parts = RatingEngine.rate(CausalOrder.sort(callInParts(30, 20)), perMinuteWithConnectFee());

        assertThat(parts.lines()).extracting(l -> l.amount().paisa()).containsExactly(70L, 0L);
        assertThat(parts.lines().get(1).segments()).isEmpty();
    }

    @Test
    void perRecordRounding_roundsTheCall_notEachPart() {
        // VOLTE at half a paisa a second, rounded up per record: three 1-second parts are one 3-second call, 1.5 -> 2,
        // not 1 + 1 + 1.
        Towers towers = new Towers();
        List<UsageRecord> parts = new ArrayList<>();
        List<NodeId> path = List.of(BKC, ANDHERI, BANDRA);
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                towers.handover(path.get(i - 1), path.get(i));
            }
            parts.add(towers.stamp(path.get(i), USER, T0.plusSeconds(i), new Usage.Call(FRIEND, CallType.VOLTE, 1,
                    new Usage.CallPart("volte-7", i + 1, i == 2))));
        }

        RatedUsage rated = RatingEngine.rate(CausalOrder.sort(parts), Tariff.seedDefault());

        assertThat(rated.calls().paisa()).isEqualTo(2);
        assertThat(rated.lines()).extracting(l -> l.exactPaisa().toPlainString()).containsExactly("0.5", "0.5", "0.5");
    }

    @Test
    void theBillOfTheParts_isAFunctionOfTheSet_whicheverOrderTheyAreRatedIn_andAMissingPartRepricesWhenItComes() {
        Tariff plan = perMinuteWithConnectFee();
        List<UsageRecord> parts = callInParts(40, 50, 60);
        Random random = new Random(3);
        for (int round = 0; round < 10; round++) {
            List<UsageRecord> shuffled = new ArrayList<>(parts);
            Collections.shuffle(shuffled, random);
            assertThat(RatingEngine.rate(CausalOrder.sort(shuffled), plan).total().paisa()).isEqualTo(190);
        }
        // Without the first part, the second carries the connect fee; when the first arrives, the bill is repriced.
        RatedUsage early = RatingEngine.rate(CausalOrder.sort(parts.subList(1, 3)), plan);
        assertThat(early.lines().get(0).segments().get(0).connectFee()).isEqualByComparingTo("10");
        assertThat(early.total().paisa()).isEqualTo(130);
    }
}
