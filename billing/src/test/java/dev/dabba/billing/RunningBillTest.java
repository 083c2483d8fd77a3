package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Causality;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.EventId;
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
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * A {@link RunningBill} gives, after every record, the bill {@link Bill#compute} gives for the records so far in
 * {@link CausalOrder}, whether the record went at the end, before the end, or before a record that happened after it.
 */
class RunningBillTest {

    private static final Msisdn USER = SeedScenario.USER;
    private static final Msisdn PEER = Msisdn.of("+91-9876543211");
    private static final YearMonth CYCLE = SeedScenario.CYCLE;
    private static final Instant T0 = SeedScenario.T0;
    private static final Instant UPDATED = Instant.parse("2025-03-31T00:00:00Z");
    private static final NodeId[] TOWERS = {SeedScenario.BKC, SeedScenario.ANDHERI, SeedScenario.BANDRA};
    private static final RatingEngine SEED = RatingEngine.of(Tariff.seedDefault());

    @Property(tries = 300)
    void afterEveryRecord_theBillIsTheBillComputedFromTheSet(@ForAll("tariffs") Tariff tariff, @ForAll long seed) {
        Random random = new Random(seed);
        List<UsageRecord> records = world(random, 2 + random.nextInt(30));
        Collections.shuffle(records.subList(0, random.nextInt(records.size() + 1)), random); // some arrive late
        RatingEngine engine = RatingEngine.of(tariff);
        LineMarks marks = marks(random.nextLong());

        List<UsageRecord> arrived = new ArrayList<>();
        RunningBill running = null;
        int appended = 0;
        int inserted = 0;
        int beforeOthers = 0;
        for (UsageRecord r : records) {
            boolean hasSuccessor = arrived.stream().anyMatch(x -> r.clock().compare(x.clock()) == Causality.BEFORE);
            arrived.add(r);
            if (running == null) {
                running = RunningBill.of(USER, CYCLE, arrived, engine);
            } else {
                int before = running.size();
                assertThat(running.add(r)).as("adds %s", r.id()).isTrue();
                if (hasSuccessor) {
                    beforeOthers++;
                } else if (running.bill(1, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE).lines().get(before)
                        .rated().eventId().equals(r.id())) {
                    appended++;
                } else {
                    inserted++;
                }
            }
            Bill expected = Bill.compute(USER, CYCLE, arrived.size(), BillStatus.PROVISIONAL,
                    CausalOrder.sort(arrived), engine, UPDATED, marks);
            assertThat(running.bill(arrived.size(), BillStatus.PROVISIONAL, UPDATED, marks))
                    .as("after %s of %s records", arrived.size(), records.size()).isEqualTo(expected);
            assertThat(running.size()).isEqualTo(arrived.size());
        }
        Statistics.label("appended").collect(appended > 0);
        Statistics.label("inserted before the end").collect(inserted > 0);
        Statistics.label("happened before a record on the bill").collect(beforeOthers > 0);
        Statistics.label("appended").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("inserted before the end").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("happened before a record on the bill").coverage(c -> c.check(true).percentage(p -> p > 40));
    }

    @Test
    void recordsInCausalOrder_areAllAppended() {
        List<UsageRecord> records = SeedScenario.records();
        RunningBill running = RunningBill.of(USER, CYCLE, records.subList(0, 1), SEED);
        for (UsageRecord r : records.subList(1, records.size())) {
            assertThat(running.add(r)).as("appends %s", r.id()).isTrue();
        }
        assertThat(running.bill(7, BillStatus.FINAL, UPDATED, LineMarks.NONE)).isEqualTo(Bill.compute(USER, CYCLE, 7,
                BillStatus.FINAL, CausalOrder.sort(records), SEED, UPDATED, LineMarks.NONE));
    }

    @Test
    void aConcurrentRecordWithAnEarlierTimestamp_goesBeforeTheLaterOnes_asTheSortPutsIt() {
        Towers towers = new Towers();
        UsageRecord early = towers.stamp(TOWERS[0], USER, T0, new Usage.Sms(PEER));
        UsageRecord middle = towers.stamp(TOWERS[1], USER, T0.plusSeconds(60), new Usage.Sms(PEER));
        towers.handover(TOWERS[1], TOWERS[2]);
        UsageRecord late = towers.stamp(TOWERS[2], USER, T0.plusSeconds(120), new Usage.Call(PEER, CallType.VOICE,
                70));
        RunningBill running = RunningBill.of(USER, CYCLE, List.of(middle, late), SEED);

        assertThat(running.add(early)).isTrue();

        Bill bill = running.bill(3, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE);
        assertThat(bill.lines()).extracting(line -> line.rated().eventId())
                .containsExactly(early.id(), middle.id(), late.id());
        assertThat(bill.lines()).extracting(BillLine::concurrent)
                .as("early and middle are concurrent neighbours; late follows middle by a handover")
                .containsExactly(true, true, false);
        assertThat(bill).isEqualTo(Bill.compute(USER, CYCLE, 3, BillStatus.PROVISIONAL,
                CausalOrder.sort(List.of(early, middle, late)), SEED, UPDATED, LineMarks.NONE));
    }

    @Test
    void aRecordThatHappenedBeforeOneOnTheBill_goesBeforeIt_evenWithTheLatestTimestamp() {
        Towers towers = new Towers();
        UsageRecord first = towers.stamp(TOWERS[2], USER, T0.minusSeconds(60), new Usage.Sms(PEER));
        UsageRecord cause = towers.stamp(TOWERS[0], USER, T0, new Usage.Sms(PEER));
        towers.handover(TOWERS[0], TOWERS[1]);
        UsageRecord effect = towers.stamp(TOWERS[1], USER, T0.plusSeconds(60), new Usage.Sms(PEER));
        // The cause's hybrid timestamp says it is the latest: a skewed tower's, or a forged one.
        UsageRecord skewedCause = withHlc(cause, T0.plusSeconds(3600).toEpochMilli());
        RunningBill running = RunningBill.of(USER, CYCLE, List.of(first, effect), SEED);

        assertThat(running.add(skewedCause)).isTrue();

        Bill bill = running.bill(3, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE);
        assertThat(bill.lines()).extracting(line -> line.rated().eventId())
                .containsExactly(first.id(), cause.id(), effect.id());
        assertThat(bill).isEqualTo(Bill.compute(USER, CYCLE, 3, BillStatus.PROVISIONAL,
                CausalOrder.sort(List.of(first, effect, skewedCause)), SEED, UPDATED, LineMarks.NONE));
    }

    @Test
    void aPartialCall_isAdded_andTheBillRatesItsCallAsOne() {
        Towers towers = new Towers();
        UsageRecord part1 = towers.stamp(TOWERS[0], USER, T0, new Usage.Call(PEER, CallType.VOICE, 90,
                new Usage.CallPart("call-1", 1, false)));
        towers.handover(TOWERS[0], TOWERS[1]);
        UsageRecord part2 = towers.stamp(TOWERS[1], USER, T0.plusSeconds(90), new Usage.Call(PEER, CallType.VOICE,
                50, new Usage.CallPart("call-1", 2, true)));
        RunningBill running = RunningBill.of(USER, CYCLE, List.of(part1), SEED);

        assertThat(running.add(part2)).isTrue();

        Bill stitched = running.bill(2, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE);
        assertThat(stitched).isEqualTo(Bill.compute(USER, CYCLE, 2, BillStatus.PROVISIONAL, List.of(part1, part2),
                SEED, UPDATED, LineMarks.NONE));
    }

    @Test
    void aConcurrentRecord_isAppended_andFlagsItselfAndTheLineBefore() {
        Towers towers = new Towers();
        UsageRecord here = towers.stamp(TOWERS[0], USER, T0, new Usage.Sms(PEER));
        UsageRecord there = towers.stamp(TOWERS[1], USER, T0.plusSeconds(30), new Usage.Sms(PEER));
        RunningBill running = RunningBill.of(USER, CYCLE, List.of(here), SEED);

        assertThat(running.add(there)).isTrue();

        assertThat(running.bill(2, BillStatus.PROVISIONAL, UPDATED, LineMarks.NONE).lines())
                .extracting(BillLine::concurrent).containsExactly(true, true);
    }

    @Test
    void aDuplicateOrARecordOfAnotherSubscriberOrCycle_isRefused() {
        Towers towers = new Towers();
        UsageRecord first = towers.stamp(TOWERS[0], USER, T0, new Usage.Sms(PEER));
        UsageRecord other = towers.stamp(TOWERS[0], PEER, T0.plusSeconds(60), new Usage.Sms(USER));
        UsageRecord nextMonth = towers.stamp(TOWERS[0], USER, Instant.parse("2025-04-02T00:00:00Z"),
                new Usage.Sms(PEER));
        RunningBill running = RunningBill.of(USER, CYCLE, List.of(first), SEED);

        assertThat(running.add(withHlc(first, T0.plusSeconds(120).toEpochMilli()))).as("same event id").isFalse();
        assertThat(running.add(other)).as("another subscriber").isFalse();
        assertThat(running.add(nextMonth)).as("another cycle").isFalse();
        assertThat(running.size()).isOne();
    }

    /**
     * One subscriber moving between three towers: handovers carry the old tower's clock, towers that have not
     * heard of each other stamp concurrent records, some records are parts of calls cut at handovers, and one in
     * five carries a hybrid timestamp that disagrees with causality (a skewed or forged tower).
     */
    private static List<UsageRecord> world(Random random, int count) {
        Towers towers = new Towers();
        List<UsageRecord> out = new ArrayList<>();
        int tower = 0;
        int call = 0;
        for (int i = 0; i < count; i++) {
            int next = random.nextInt(TOWERS.length);
            if (next != tower && random.nextBoolean()) {
                towers.handover(TOWERS[tower], TOWERS[next]);
            }
            tower = next;
            Instant start = T0.plusSeconds(600L * i + random.nextInt(1200));
            Usage usage = switch (random.nextInt(5)) {
                case 0 -> new Usage.Sms(PEER);
                case 1 -> new Usage.Call(PEER, CallType.values()[random.nextInt(3)], random.nextInt(3000));
                case 2 -> new Usage.Call(PEER, CallType.VOICE, 1 + random.nextInt(600),
                        new Usage.CallPart("call-" + (call += random.nextInt(2)), 1 + random.nextInt(3),
                                random.nextBoolean()));
                default -> new Usage.Data(RadioType.values()[random.nextInt(3)], random.nextInt(1 << 20),
                        random.nextLong(1L << 31));
            };
            UsageRecord r = towers.stamp(TOWERS[tower], USER, start, usage);
            if (random.nextInt(5) == 0) {
                r = withHlc(r, T0.plusSeconds(random.nextInt(600 * (count + 2))).toEpochMilli());
            }
            out.add(r);
        }
        return out;
    }

    private static UsageRecord withHlc(UsageRecord r, long wallMillis) {
        return new UsageRecord(r.id(), r.subscriber(), r.start(), new HybridTimestamp(wallMillis, 0), r.clock(),
                r.usage());
    }

    /** Marks some records released incomplete and some clone suspects, by their event ids. */
    private static LineMarks marks(long salt) {
        return new LineMarks() {
            @Override
            public String missingDependencies(EventId record) {
                return (record.hashCode() ^ salt) % 5 == 0 ? "MUMBAI_DADAR:1-2" : null;
            }

            @Override
            public boolean cloneSuspect(EventId record) {
                return (record.hashCode() ^ salt) % 7 == 0;
            }
        };
    }

    @Provide
    Arbitrary<Tariff> tariffs() {
        return new RatingEnginePropertiesTest().tariffs();
    }
}
