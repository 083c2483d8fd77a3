package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of rating that hold for every tariff and every sequence of records.
 *
 * <p>The split bound, precisely. Take a tariff whose pulses are one base unit (increment and first increment of
 * 1 s, 1 message or 1 byte), with no connect fees and no per-record tiers (cycle tiers, windows and bundles are
 * allowed). Replace one record of {@code q} units by two consecutive records of {@code a} and {@code q - a} units,
 * the second starting where the first ends. Then the exact total is unchanged, and the rounded total changes by
 * {@code d} with: per increment, {@code d = 0}; per bill, {@code d = 0}; per record, {@code 0 <= d <= 1} paisa
 * rounding up, {@code -1 <= d <= 0} rounding down, {@code -1 <= d <= 1} rounding half up (one more record rounded).
 */
class RatingEnginePropertiesTest {

    private static final Msisdn USER = Msisdn.of("+91-9876543210");
    private static final Msisdn PEER = Msisdn.of("+91-9876543211");
    private static final NodeId TOWER = NodeId.of("MUMBAI_BKC");
    private static final long MIB = Tariff.BYTES_PER_MIB;

    @Property
    void totalsAreTheSumsOfTheRoundedLines(
            @ForAll("usages") @Size(max = 30) List<Usage> usages, @ForAll("tariffs") Tariff tariff) {
        RatedUsage rated = RatingEngine.rate(stamp(usages), tariff);

        long[] sums = new long[3];
        for (RatedLine line : rated.lines()) {
            sums[line.service().category().ordinal()] += line.amount().paisa();
        }
        assertThat(rated.lines()).hasSameSizeAs(usages);
        assertThat(rated.calls().paisa()).isEqualTo(sums[0]);
        assertThat(rated.sms().paisa()).isEqualTo(sums[1]);
        assertThat(rated.data().paisa()).isEqualTo(sums[2]);
        assertThat(rated.total().paisa()).isEqualTo(sums[0] + sums[1] + sums[2]);
    }

    @Property
    void segmentsAddUp_andChargeWholePulses(
            @ForAll("usages") @Size(max = 30) List<Usage> usages, @ForAll("tariffs") Tariff tariff) {
        RatedUsage rated = RatingEngine.rate(stamp(usages), tariff);

        for (RatedLine line : rated.lines()) {
            ServiceRate rate = tariff.rate(line.service());
            BigDecimal exact = BigDecimal.ZERO;
            long quantity = 0;
            for (RatedSegment s : line.segments()) {
                exact = exact.add(s.exactPaisa());
                quantity += s.quantity();
                assertThat(s.charged()).isGreaterThanOrEqualTo(s.quantity());
            }
            assertThat(exact).isEqualByComparingTo(line.exactPaisa());
            assertThat(quantity).isEqualTo(line.quantity().amount());
            assertThat(line.charged()).isEqualTo(rate.chargedQuantity(line.quantity().amount()));
        }
    }

    @Property
    void eachLineIsWithinTheRoundingRulesBoundOfItsExactAmount(
            @ForAll("usages") @Size(max = 30) List<Usage> usages, @ForAll("tariffs") Tariff tariff) {
        RatedUsage rated = RatingEngine.rate(stamp(usages), tariff);
        RoundingRule.Direction direction = tariff.rounding().direction();

        BigDecimal exactTotal = BigDecimal.ZERO;
        for (RatedLine line : rated.lines()) {
            exactTotal = exactTotal.add(line.exactPaisa());
            BigDecimal diff = BigDecimal.valueOf(line.amount().paisa()).subtract(line.exactPaisa());
            switch (tariff.rounding().scope()) {
                case PER_RECORD:
                    assertWithinOne(diff, direction);
                    break;
                case PER_BILL:
                    assertThat(diff.abs()).isLessThan(BigDecimal.ONE);
                    break;
                default: {
                    long pulses = line.segments().stream().mapToLong(RatedSegment::pulses).sum() + 1;
                    assertThat(diff.abs()).isLessThanOrEqualTo(BigDecimal.valueOf(pulses));
                    if (direction == RoundingRule.Direction.UP) {
                        assertThat(diff.signum()).isNotNegative();
                    }
                }
            }
        }
        if (tariff.rounding().scope() == RoundingRule.Scope.PER_BILL) {
            assertThat(rated.total()).isEqualTo(tariff.rounding().round(exactTotal));
        }
    }

    @Property
    void bundlesAreNeverOverdrawn_andTheirUseIsTheSumOfTheSegments(
            @ForAll("usages") @Size(max = 30) List<Usage> usages, @ForAll("tariffs") Tariff tariff) {
        RatedUsage rated = RatingEngine.rate(stamp(usages), tariff);

        for (BundleUsage b : rated.bundles()) {
            long used = rated.lines().stream().flatMap(l -> l.segments().stream())
                    .filter(s -> b.bundle().equals(s.bundle())).mapToLong(RatedSegment::bundleUsed).sum();
            assertThat(used).isEqualTo(b.used()).isLessThanOrEqualTo(b.allowance());
        }
    }

    @Property
    void splittingARecord_changesTheTotalOnlyWithinTheStatedRoundingBound(
            @ForAll("usages") @Size(min = 1, max = 12) List<Usage> usages,
            @ForAll("neutralTariffs") Tariff tariff,
            @ForAll @IntRange(min = 0, max = 1000) int which, @ForAll long cut) {
        int i = which % usages.size();
        Usage u = usages.get(i);
        long q = u instanceof Usage.Call ? ((Usage.Call) u).durationSeconds()
                : u instanceof Usage.Data ? ((Usage.Data) u).totalBytes() : 0;
        if (q < 2) {
            return;
        }
        long a = 1 + Math.floorMod(cut, q - 1);
        List<UsageRecord> whole = stamp(usages);
        List<UsageRecord> split = stampSplit(usages, i, a);

        RatedUsage before = RatingEngine.rate(whole, tariff);
        RatedUsage after = RatingEngine.rate(split, tariff);

        BigDecimal exactBefore = before.lines().stream().map(RatedLine::exactPaisa)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal exactAfter = after.lines().stream().map(RatedLine::exactPaisa)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(exactAfter).isEqualByComparingTo(exactBefore);
        long d = after.total().paisa() - before.total().paisa();
        RoundingRule.Direction direction = tariff.rounding().direction();
        switch (tariff.rounding().scope()) {
            case PER_RECORD:
                if (direction == RoundingRule.Direction.UP) {
                    assertThat(d).isBetween(0L, 1L);
                } else if (direction == RoundingRule.Direction.DOWN) {
                    assertThat(d).isBetween(-1L, 0L);
                } else {
                    assertThat(d).isBetween(-1L, 1L);
                }
                break;
            default:
                assertThat(d).isZero();
        }
    }

    @Property
    void statelessTariffs_billTheSameWhateverTheOrder(
            @ForAll("usages") @Size(max = 30) List<Usage> usages, @ForAll("statelessTariffs") Tariff tariff,
            @ForAll long seed) {
        List<UsageRecord> records = stamp(usages);
        List<UsageRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(seed));

        assertThat(RatingEngine.rate(shuffled, tariff).total()).isEqualTo(RatingEngine.rate(records, tariff).total());
    }

    @Property(tries = 200)
    void tariffFiles_roundTrip(@ForAll("tariffs") Tariff tariff) {
        assertThat(TariffFile.parse(TariffFile.write(List.of(tariff)), "generated")).containsExactly(tariff);
    }

    @Provide
    Arbitrary<List<Usage>> usages() {
        return usage().list();
    }

    @Provide
    Arbitrary<Usage> usage() {
        Arbitrary<Usage> calls = Combinators.combine(
                Arbitraries.of(CallType.class), Arbitraries.longs().between(0, 4 * 3600))
                .as((type, seconds) -> new Usage.Call(PEER, type, seconds));
        Arbitrary<Usage> sms = Arbitraries.just(new Usage.Sms(PEER));
        Arbitrary<Long> bytes = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 4096), Arbitraries.longs().between(0, 1L << 33));
        Arbitrary<Usage> data = Combinators.combine(Arbitraries.of(RadioType.class), bytes, bytes)
                .as((radio, up, down) -> new Usage.Data(radio, up, down));
        return Arbitraries.oneOf(calls, sms, data);
    }

    /** Any tariff: windows, tiers of either basis, increments, connect fees, bundles, every rounding rule. */
    @Provide
    Arbitrary<Tariff> tariffs() {
        return tariffs(false, false);
    }

    /** Tariffs within the split bound's conditions (see the class comment). */
    @Provide
    Arbitrary<Tariff> neutralTariffs() {
        return tariffs(true, false);
    }

    /** Tariffs whose lines do not depend on earlier records: no bundles, no cycle tiers, not per bill. */
    @Provide
    Arbitrary<Tariff> statelessTariffs() {
        return tariffs(false, true);
    }

    private Arbitrary<Tariff> tariffs(boolean neutral, boolean stateless) {
        Arbitrary<RoundingRule> rounding = Combinators.combine(
                stateless ? Arbitraries.of(RoundingRule.Scope.PER_INCREMENT, RoundingRule.Scope.PER_RECORD)
                        : Arbitraries.of(RoundingRule.Scope.class),
                Arbitraries.of(RoundingRule.Direction.class)).as(RoundingRule::new);
        Arbitrary<ServiceRate> calls = rate(neutral, stateless, new long[] {1, 60}, new long[] {1, 6, 60}, 3600);
        Arbitrary<ServiceRate> sms = rate(neutral, stateless, new long[] {1}, new long[] {1}, 10);
        Arbitrary<ServiceRate> data = rate(neutral, stateless, new long[] {MIB, 1024}, new long[] {1, 1024, 10240},
                1L << 32);
        Arbitrary<Boolean> withWindows = Arbitraries.of(true, false);
        Arbitrary<List<Bundle>> bundles = stateless ? Arbitraries.just(List.of()) : bundles();
        return Combinators.combine(rounding, calls.list().ofSize(3), sms, data.list().ofSize(3), withWindows, bundles,
                Arbitraries.of("Asia/Kolkata", "Europe/London", "America/New_York"))
                .as((r, c, s, d, w, b, zone) -> {
                    Tariff.Builder t = Tariff.builder("generated").zone(ZoneId.of(zone)).rounding(r);
                    t.window(new TimeWindow("peak", EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                            LocalTime.of(9, 0), LocalTime.of(21, 0)));
                    t.window(new TimeWindow("night", EnumSet.allOf(DayOfWeek.class), LocalTime.of(23, 0),
                            LocalTime.of(6, 30)));
                    for (int i = 0; i < 3; i++) {
                        t.rate(Service.call(CallType.values()[i]), w ? c.get(i) : withoutWindows(c.get(i)));
                        t.rate(Service.data(RadioType.values()[i]), d.get(i));
                    }
                    t.rate(Service.sms(), withoutWindows(s));
                    b.forEach(t::bundle);
                    return t.build();
                });
    }

    private Arbitrary<ServiceRate> rate(boolean neutral, boolean stateless, long[] units, long[] increments,
            long maxTier) {
        // Prices with 2 decimals times a whole number of rate units: every pulse costs a terminating decimal.
        Arbitrary<Long> unit = Arbitraries.of(box(units));
        Arbitrary<Long> increment = neutral ? Arbitraries.just(1L) : Arbitraries.of(box(increments));
        Arbitrary<Long> firstMultiple = neutral ? Arbitraries.just(1L) : Arbitraries.longs().between(1, 5);
        Arbitrary<BigDecimal> fee = neutral ? Arbitraries.just(BigDecimal.ZERO)
                : Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.valueOf(100)).ofScale(1);
        Arbitrary<TierBasis> basis = neutral || stateless ? Arbitraries.just(neutral ? TierBasis.CYCLE
                : TierBasis.RECORD) : Arbitraries.of(TierBasis.class);
        Arbitrary<Integer> cents = Arbitraries.integers().between(0, 20_000);
        Arbitrary<Long> tier = Arbitraries.longs().between(1, maxTier);
        return Combinators.combine(unit, increment, firstMultiple, fee, basis, cents.list().ofSize(4), tier)
                .as((u, inc, first, f, b, p, t) -> {
                    // Per-second prices for a 60 s unit are multiples of 0.6, so that a 1 s pulse is 0.01 paisa.
                    BigDecimal scale = u == 60 ? new BigDecimal("0.6") : new BigDecimal("0.01");
                    List<Price> prices = new ArrayList<>();
                    prices.add(new Price(null, 0, scale.multiply(BigDecimal.valueOf(p.get(0)))));
                    prices.add(new Price(null, t, scale.multiply(BigDecimal.valueOf(p.get(1)))));
                    prices.add(new Price("peak", 0, scale.multiply(BigDecimal.valueOf(p.get(2)))));
                    prices.add(new Price("night", 0, scale.multiply(BigDecimal.valueOf(p.get(3)))));
                    return new ServiceRate(u, inc, inc * first, f, b, prices);
                });
    }

    private static ServiceRate withoutWindows(ServiceRate r) {
        List<Price> prices = new ArrayList<>();
        for (Price p : r.prices()) {
            if (p.window() == null) {
                prices.add(p);
            }
        }
        return new ServiceRate(r.unit(), r.increment(), r.firstIncrement(), r.connectFee(), r.tierBasis(), prices);
    }

    private Arbitrary<List<Bundle>> bundles() {
        Arbitrary<Bundle> data = Arbitraries.longs().between(1, 1L << 33)
                .map(a -> new Bundle("data", Set.of(Service.data(RadioType.G4), Service.data(RadioType.G5)), a));
        Arbitrary<Bundle> calls = Arbitraries.longs().between(1, 7200)
                .map(a -> new Bundle("calls", Set.of(Service.call(CallType.VOICE)), a));
        Arbitrary<Bundle> sms = Arbitraries.longs().between(1, 5).map(a -> new Bundle("sms", Set.of(Service.sms()),
                a));
        return Combinators.combine(data.optional(), calls.optional(), sms.optional()).as((d, c, s) -> {
            List<Bundle> out = new ArrayList<>();
            d.ifPresent(out::add);
            c.ifPresent(out::add);
            s.ifPresent(out::add);
            return out;
        });
    }

    private static Long[] box(long[] values) {
        Long[] out = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void assertWithinOne(BigDecimal diff, RoundingRule.Direction direction) {
        switch (direction) {
            case UP:
                assertThat(diff).isGreaterThanOrEqualTo(BigDecimal.ZERO).isLessThan(BigDecimal.ONE);
                break;
            case DOWN:
                assertThat(diff).isLessThanOrEqualTo(BigDecimal.ZERO).isGreaterThan(BigDecimal.ONE.negate());
                break;
            default:
                assertThat(diff).isLessThanOrEqualTo(new BigDecimal("0.5")).isGreaterThan(new BigDecimal("-0.5"));
        }
    }

    /** The records of {@code usages} stamped at one tower, one a minute (calls may run long: starts stay apart). */
    private static List<UsageRecord> stamp(List<Usage> usages) {
        return stampSplit(usages, -1, 0);
    }

    /** As {@link #stamp}, with record {@code i} split after {@code a} units into two consecutive records. */
    private static List<UsageRecord> stampSplit(List<Usage> usages, int i, long a) {
        Towers towers = new Towers();
        List<UsageRecord> records = new ArrayList<>();
        for (int k = 0; k < usages.size(); k++) {
            java.time.Instant start = SeedScenario.T0.plusSeconds(5L * 3600 * k);
            Usage u = usages.get(k);
            if (k != i) {
                records.add(towers.stamp(TOWER, USER, start, u));
            } else if (u instanceof Usage.Call) {
                Usage.Call c = (Usage.Call) u;
                records.add(towers.stamp(TOWER, USER, start, new Usage.Call(c.callee(), c.type(), a)));
                records.add(towers.stamp(TOWER, USER, start.plusSeconds(a),
                        new Usage.Call(c.callee(), c.type(), c.durationSeconds() - a)));
            } else {
                Usage.Data d = (Usage.Data) u;
                records.add(towers.stamp(TOWER, USER, start, new Usage.Data(d.radio(), a, 0)));
                records.add(towers.stamp(TOWER, USER, start, new Usage.Data(d.radio(), d.totalBytes() - a, 0)));
            }
        }
        return records;
    }
}
