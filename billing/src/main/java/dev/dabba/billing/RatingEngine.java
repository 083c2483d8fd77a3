package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prices usage records under a tariff: a pure, deterministic fold over records in causal order, with no clock, no
 * I/O and no state between calls.
 *
 * <p>The fold carries what makes a record's price depend on earlier ones: the bundles' remaining allowances, each
 * service's usage so far in the cycle (for cycle tiers) and, for per-bill rounding, the running exact total. Each
 * record is charged in pulses (see {@link ServiceRate}) and split into {@link RatedSegment}s wherever the price can
 * change: a time-window boundary (calls, evaluated in the tariff's zone), a tier threshold, or a bundle running out.
 * All arithmetic is exact: pulse prices are terminating decimals, held as small integers over powers of ten and two
 * ({@link PulsePrice}), and only results become {@link BigDecimal}s. Rounding follows the tariff's
 * {@link RoundingRule}; totals are sums of the rounded lines, so a bill always adds up.
 *
 * <p>An engine is immutable and thread-safe; {@link #of(Tariff)} compiles the tariff once.
 */
public final class RatingEngine {

    private static final int SERVICES = Service.ALL.size();
    private static final int SMS_INDEX = 3;
    private static final int DATA_INDEX = 4;

    private final Tariff tariff;
    private final CompiledRate[] rates = new CompiledRate[SERVICES];
    private final WindowSchedule schedule;
    private final RoundingRule.Scope scope;
    private final RoundingRule.Direction direction;
    private final RoundingRule rounding;
    /** Per bundle, bit {@code i} set when it covers service {@code i}. */
    private final int[] bundleCovers;
    /** Per service, the bundles covering it, in plan order. */
    private final int[][] bundlesOf = new int[SERVICES][];

    private RatingEngine(Tariff tariff) {
        this.tariff = tariff;
        this.rounding = tariff.rounding();
        this.scope = rounding.scope();
        this.direction = rounding.direction();
        for (int i = 0; i < SERVICES; i++) {
            rates[i] = new CompiledRate(tariff.rate(Service.ALL.get(i)), tariff.windows(), rounding);
        }
        this.schedule = new WindowSchedule(tariff.windows(), tariff.zone().getRules());
        List<Bundle> bundles = tariff.bundles();
        bundleCovers = new int[bundles.size()];
        for (int b = 0; b < bundles.size(); b++) {
            for (int i = 0; i < SERVICES; i++) {
                if (bundles.get(b).covers(Service.ALL.get(i))) {
                    bundleCovers[b] |= 1 << i;
                }
            }
        }
        for (int i = 0; i < SERVICES; i++) {
            int count = 0;
            for (int cover : bundleCovers) {
                if ((cover & (1 << i)) != 0) {
                    count++;
                }
            }
            bundlesOf[i] = new int[count];
            int k = 0;
            for (int b = 0; b < bundleCovers.length; b++) {
                if ((bundleCovers[b] & (1 << i)) != 0) {
                    bundlesOf[i][k++] = b;
                }
            }
        }
    }

    /** An engine for {@code tariff}, compiled once for many ratings. */
    public static RatingEngine of(Tariff tariff) {
        return new RatingEngine(Objects.requireNonNull(tariff, "tariff must not be null"));
    }

    /** One rated line per record, in the given (causal) order, with subtotals, total and bundle usage. */
    public static RatedUsage rate(List<UsageRecord> recordsInCausalOrder, Tariff tariff) {
        return of(tariff).rate(recordsInCausalOrder);
    }

    /** The rated line of one record on its own, as the first record of a cycle. */
    public static RatedLine rate(UsageRecord record, Tariff tariff) {
        return of(tariff).rate(List.of(Objects.requireNonNull(record, "record must not be null"))).lines().get(0);
    }

    /** The tariff this engine rates with. */
    public Tariff tariff() {
        return tariff;
    }

    /**
     * Rates one subscriber's records of one cycle, in the given order, which must be the causal order: bundles and
     * cycle tiers are consumed in it.
     */
    public RatedUsage rate(List<UsageRecord> recordsInCausalOrder) {
        Objects.requireNonNull(recordsInCausalOrder, "records must not be null");
        Fold fold = fold(recordsInCausalOrder);
        List<RatedLine> lines = new ArrayList<>(recordsInCausalOrder.size());
        for (UsageRecord record : recordsInCausalOrder) {
            lines.add(fold.rate(Objects.requireNonNull(record, "records must not contain null")));
        }
        return RatedUsage.of(lines, fold.bundleUsage());
    }

    /**
     * A fold at the start of a cycle, planned for the partial calls among {@code records}: {@link #rate(List)} rates
     * them through it in causal order, and {@link RunningBill} goes on rating records that are no partial calls
     * after them (their plan stays the same).
     */
    Fold fold(List<UsageRecord> records) {
        return new Fold(CallPlan.of(records));
    }

    /** The state carried from record to record. */
    final class Fold {
        final long[] remaining = new long[bundleCovers.length];
        final long[] cycleUsage = new long[SERVICES];
        BigDecimal cumulativeExact = BigDecimal.ZERO;
        long cumulativeRounded;
        /** Where each partial call record sits in its call; {@code null} when the records have no partial calls. */
        final CallPlan calls;
        /** Per call reference, the exact and rounded amounts of its parts so far (per-record rounding of a call). */
        final Map<String, BigDecimal> callExact = new HashMap<>();
        final Map<String, Long> callRounded = new HashMap<>();

        Fold(CallPlan calls) {
            this.calls = calls;
            for (int b = 0; b < remaining.length; b++) {
                remaining[b] = tariff.bundles().get(b).allowance();
            }
        }

        /** How much of each bundle the records rated so far used, in plan order. */
        List<BundleUsage> bundleUsage() {
            List<BundleUsage> usage = new ArrayList<>(bundleCovers.length);
            for (int b = 0; b < bundleCovers.length; b++) {
                Bundle bundle = tariff.bundles().get(b);
                usage.add(new BundleUsage(bundle.id(), bundle.unit(), bundle.allowance(),
                        bundle.allowance() - remaining[b]));
            }
            return usage;
        }

        /** Rates the next record in causal order; the fold's state moves past it. */
        RatedLine rate(UsageRecord record) {
            Usage usage = record.usage();
            int index;
            long quantity;
            Msisdn counterparty;
            boolean timed = false;
            if (usage instanceof Usage.Call) {
                Usage.Call call = (Usage.Call) usage;
                index = call.type().ordinal();
                quantity = call.durationSeconds();
                counterparty = call.callee();
                timed = true;
            } else if (usage instanceof Usage.Sms) {
                index = SMS_INDEX;
                quantity = 1;
                counterparty = ((Usage.Sms) usage).recipient();
            } else if (usage instanceof Usage.Data) {
                Usage.Data data = (Usage.Data) usage;
                index = DATA_INDEX + data.radio().ordinal();
                quantity = data.totalBytes();
                counterparty = null;
            } else {
                throw new IllegalArgumentException("record " + record.id() + " has a usage this engine cannot rate: "
                        + usage.getClass().getName());
            }
            Service service = Service.ALL.get(index);
            CompiledRate rate = rates[index];
            // A part of a call cut at handovers is rated as its stretch of the whole call: the call's pulses are laid
            // from the call's start, and this part is charged the pulses that start within it (the connect fee with
            // the first pulse, increments over the whole duration).
            CallPlan.Part part = calls == null ? null : calls.partOf(record);
            long fromPulse = part == null ? 0 : rate.pulseAtOrAfter(part.offset());
            long toPulse = part == null ? rate.pulses(quantity) : rate.pulseAtOrAfter(part.offset() + quantity);
            long pulses = toPulse - fromPulse;
            List<RatedSegment> segments;
            BigDecimal exact;
            long rounded;
            if (pulses == 0) {
                segments = List.of();
                exact = BigDecimal.ZERO;
                rounded = 0;
            } else if (part != null) {
                segments = segments(record, index, rate, part.callDuration(), fromPulse, toPulse, timed,
                        part.callStartMillis());
                exact = BigDecimal.ZERO;
                for (RatedSegment s : segments) {
                    exact = exact.add(s.exactPaisa());
                }
                if (scope == RoundingRule.Scope.PER_INCREMENT) {
                    rounded = 0;
                    for (RatedSegment s : segments) {
                        rounded += s.amount().paisa();
                    }
                } else {
                    // Per-record rounding rounds the call: each part gets the difference of the call's rounded
                    // running total, so the parts add up to the call rated whole.
                    BigDecimal callTotal = callExact.getOrDefault(part.callReference(), BigDecimal.ZERO).add(exact);
                    long r = rounding.round(callTotal).paisa();
                    rounded = r - callRounded.getOrDefault(part.callReference(), 0L);
                    callExact.put(part.callReference(), callTotal);
                    callRounded.put(part.callReference(), r);
                }
            } else if (rate.flat && bundlesOf[index].length == 0 && rate.connectFee.signum() == 0) {
                RatedSegment s = flatSegment(rate, quantity, pulses);
                segments = List.of(s);
                exact = s.exactPaisa();
                rounded = s.amount() != null ? s.amount().paisa()
                        : scope == RoundingRule.Scope.PER_RECORD ? roundFlat(rate, pulses) : 0;
            } else {
                segments = segments(record, index, rate, quantity, 0, pulses, timed, record.start().toEpochMilli());
                if (segments.size() == 1) {
                    exact = segments.get(0).exactPaisa();
                } else {
                    exact = BigDecimal.ZERO;
                    for (RatedSegment s : segments) {
                        exact = exact.add(s.exactPaisa());
                    }
                }
                if (scope == RoundingRule.Scope.PER_INCREMENT) {
                    rounded = 0;
                    for (RatedSegment s : segments) {
                        rounded += s.amount().paisa();
                    }
                } else {
                    rounded = rounding.round(exact).paisa();
                }
            }
            if (rate.cycleTiers) {
                cycleUsage[index] = Math.addExact(cycleUsage[index], rate.offset(toPulse) - rate.offset(fromPulse));
            }
            if (scope == RoundingRule.Scope.PER_BILL && exact.signum() != 0) {
                cumulativeExact = cumulativeExact.add(exact);
                long r = rounding.round(cumulativeExact).paisa();
                rounded = r - cumulativeRounded;
                cumulativeRounded = r;
            } else if (scope == RoundingRule.Scope.PER_BILL) {
                rounded = 0;
            }
            return new RatedLine(record.id(), record.origin(), record.start(), record.clock(), record.hlc(), service,
                    new Quantity(quantity, service.unit()), counterparty, segments, exact, Money.ofPaisa(rounded));
        }

        private RatedSegment flatSegment(CompiledRate rate, long quantity, long pulses) {
            CompiledRate.PriceList prices = rate.anyTime;
            long charged = rate.offset(pulses);
            BigDecimal exact = amountOf(prices, 0, 0, pulses);
            Money amount = scope == RoundingRule.Scope.PER_INCREMENT
                    ? Money.ofPaisa(roundedOf(prices, 0, 0, pulses)) : null;
            return new RatedSegment(0, quantity, charged, pulses, null, 0, prices.price[0], rate.unit, null, 0,
                    BigDecimal.ZERO, exact, amount);
        }

        private long roundFlat(CompiledRate rate, long pulses) {
            CompiledRate.PriceList prices = rate.anyTime;
            if (rate.firstIncrement == rate.increment) {
                return prices.pulse[0].roundedTimes(pulses, direction);
            }
            return rounding.round(amountOf(prices, 0, 0, pulses)).paisa();
        }

        /**
         * The segments of pulses {@code [fromPulse, toPulse)} of a usage of {@code quantity} units starting at
         * {@code startMillis}: the whole record, or (for a part of a call) the part's pulses of the whole call, with
         * offsets within the call.
         */
        private List<RatedSegment> segments(UsageRecord record, int index, CompiledRate rate, long quantity,
                long fromPulse, long toPulse, boolean timed, long startMillis) {
            // Cycle tiers count the cycle's usage before this usage began (earlier parts of a call are inside it).
            long tierBase = rate.cycleTiers ? Math.max(0, cycleUsage[index] - rate.offset(fromPulse)) : 0;
            int[] bundles = bundlesOf[index];
            List<RatedSegment> out = new ArrayList<>(2);
            long pulses = toPulse;
            long p = fromPulse;
            while (p < pulses) {
                long offset = rate.offset(p);
                long end = pulses;
                int matching = 0;
                if (!schedule.isEmpty() && rate.windowsWithPrices != 0) {
                    long at = timed ? startMillis + offset * 1000L : startMillis;
                    matching = schedule.matching(at);
                    if (timed) {
                        long change = schedule.nextChange(at);
                        if (change != Long.MAX_VALUE) {
                            end = Math.min(end, rate.pulseAtOrAfter(CompiledRate.ceilDiv(change - startMillis, 1000L)));
                        }
                    }
                }
                CompiledRate.PriceList prices = rate.prices(matching);
                int tier = prices.tierAt(tierBase + offset);
                if (tier + 1 < prices.from.length) {
                    end = Math.min(end, rate.pulseAtOrAfter(prices.from[tier + 1] - tierBase));
                }
                int bundle = -1;
                for (int b : bundles) {
                    if (remaining[b] > 0) {
                        bundle = b;
                        break;
                    }
                }
                if (bundle >= 0) {
                    end = Math.min(end, p + rate.pulsesCovered(p, remaining[bundle]));
                }
                long endOffset = rate.offset(end);
                long charged = endOffset - offset;
                long used = Math.min(quantity, endOffset) - offset;
                BigDecimal connect = p == 0 ? rate.connectFee : BigDecimal.ZERO;
                BigDecimal exact;
                long rounded;
                String bundleId = null;
                long bundleUsed = 0;
                if (bundle >= 0) {
                    bundleUsed = Math.min(remaining[bundle], charged);
                    remaining[bundle] -= bundleUsed;
                    bundleId = tariff.bundles().get(bundle).id();
                    exact = connect;
                    rounded = p == 0 ? rate.connectFeeRounded : 0;
                } else {
                    exact = amountOf(prices, tier, p, end - p);
                    if (p == 0 && connect.signum() != 0) {
                        exact = exact.add(connect);
                    }
                    rounded = scope == RoundingRule.Scope.PER_INCREMENT
                            ? roundedOf(prices, tier, p, end - p) + (p == 0 ? rate.connectFeeRounded : 0) : 0;
                }
                Money amount = scope == RoundingRule.Scope.PER_INCREMENT ? Money.ofPaisa(rounded) : null;
                RatedSegment segment = new RatedSegment(offset, used, charged, end - p, prices.window,
                        prices.from[tier], prices.price[tier], rate.unit, bundleId, bundleUsed, connect, exact, amount);
                int last = out.size() - 1;
                if (last >= 0 && continues(out.get(last), segment)) {
                    out.set(last, merge(out.get(last), segment));
                } else {
                    out.add(segment);
                }
                p = end;
            }
            return out;
        }

        /** Exact cost of {@code count} pulses from pulse {@code p} at {@code tier}. */
        private BigDecimal amountOf(CompiledRate.PriceList prices, int tier, long p, long count) {
            if (p == 0 && prices.distinctFirst) {
                BigDecimal first = prices.first[tier].times(1);
                return count == 1 ? first : first.add(prices.pulse[tier].times(count - 1));
            }
            return prices.pulse[tier].times(count);
        }

        /** Per-increment rounded cost of {@code count} pulses from pulse {@code p} at {@code tier}. */
        private long roundedOf(CompiledRate.PriceList prices, int tier, long p, long count) {
            if (p == 0) {
                return Math.addExact(prices.firstRounded[tier],
                        Math.multiplyExact(count - 1, prices.pulseRounded[tier]));
            }
            return Math.multiplyExact(count, prices.pulseRounded[tier]);
        }
    }

    /** Whether {@code next} continues {@code previous} at the same price from the same source. */
    private static boolean continues(RatedSegment previous, RatedSegment next) {
        return Objects.equals(previous.window(), next.window()) && previous.tierFrom() == next.tierFrom()
                && previous.price().compareTo(next.price()) == 0 && Objects.equals(previous.bundle(), next.bundle());
    }

    private static RatedSegment merge(RatedSegment a, RatedSegment b) {
        return new RatedSegment(a.offset(), a.quantity() + b.quantity(), a.charged() + b.charged(),
                a.pulses() + b.pulses(), a.window(), a.tierFrom(), a.price(), a.unit(), a.bundle(),
                a.bundleUsed() + b.bundleUsed(), a.connectFee().add(b.connectFee()),
                a.exactPaisa().add(b.exactPaisa()),
                a.amount() == null ? null : a.amount().plus(b.amount()));
    }
}
