package dev.dabba.reliability.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.RatingEngine;
import dev.dabba.billing.Tariff;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The oracle and the billing module are two independent programs: on random executions (towers stamping calls, call
 * parts cut at handovers, SMS and data; subscribers handed over with their causal past; starts spread over two
 * billing cycles; every record delivered twice in random order) they must produce the same bills, line by line,
 * to the paisa. The billing side is what the stream job runs: {@code CausalOrder.sort} then {@code Bill.compute}
 * with the seed plan. Any disagreement fails the property.
 */
class OracleAgreesWithBillingProperties {

    private static final Tariff SEED = Tariff.seedDefault();
    private static final RatingEngine ENGINE = RatingEngine.of(SEED);

    @Property(tries = 300)
    void oracleBills_equalTheBillingModulesBills(@ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int steps) {
        List<GeneratedRecord> generated = new Execution(new Random(seed)).run(steps);

        List<GeneratedRecord> arrivals = new ArrayList<>(generated);
        arrivals.addAll(generated);
        Collections.shuffle(arrivals, new Random(seed ^ 0x5DEECE66DL));
        Map<BillKey, ExpectedBill> expected = Oracle.bills(arrivals);

        Map<BillKey, List<UsageRecord>> byBill = new HashMap<>();
        for (GeneratedRecord g : generated) {
            byBill.computeIfAbsent(BillKey.of(g.subscriber(), g.start()), k -> new ArrayList<>()).add(asRecord(g));
        }
        assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(byBill.keySet());
        for (Map.Entry<BillKey, List<UsageRecord>> e : byBill.entrySet()) {
            BillKey key = e.getKey();
            Bill actual = Bill.compute(key.subscriber(), key.cycle(), 1, BillStatus.PROVISIONAL,
                    CausalOrder.sort(e.getValue()), ENGINE, Instant.EPOCH, dev.dabba.billing.LineMarks.NONE);
            ExpectedBill oracle = expected.get(key);
            assertThat(actual.lines()).as("lines of %s", key).extracting(l -> l.rated().eventId())
                    .containsExactlyElementsOf(oracle.lines().stream().map(ExpectedLine::id).toList());
            for (int i = 0; i < oracle.lines().size(); i++) {
                BillLine line = actual.lines().get(i);
                assertThat(line.rated().amount().paisa()).as("amount of %s in %s", oracle.lines().get(i).id(), key)
                        .isEqualTo(oracle.lines().get(i).paisa());
            }
            assertThat(actual.calls().paisa()).as("calls of %s", key).isEqualTo(oracle.callsPaisa());
            assertThat(actual.sms().paisa()).as("sms of %s", key).isEqualTo(oracle.smsPaisa());
            assertThat(actual.data().paisa()).as("data of %s", key).isEqualTo(oracle.dataPaisa());
            assertThat(actual.total().paisa()).as("total of %s", key).isEqualTo(oracle.totalPaisa());
        }
    }

    /** The pipeline's view of a generated record: the generator's knowledge vector is exactly its vector clock. */
    private static UsageRecord asRecord(GeneratedRecord g) {
        return new UsageRecord(g.id(), g.subscriber(), g.start(), g.hlc(), VectorClock.of(g.knownBefore()),
                g.usage());
    }

    /** A small random execution: four towers, three subscribers, handovers carrying the causal past. */
    private static final class Execution {
        private static final String[] TOWERS = {"T_A", "T_B", "T_C", "T_D"};
        private static final long MIB = 1024L * 1024L;
        private final Random random;
        private final Msisdn[] subscribers = {Msisdn.of("+919800000001"), Msisdn.of("+919800000002"),
                Msisdn.of("+919800000003")};
        private final int[] at = new int[subscribers.length];
        private final List<Map<String, Long>> knows = new ArrayList<>();
        private final long[] sequence = new long[TOWERS.length];
        /** A call in progress per subscriber: its reference, type, next part number. */
        private final String[] callRef = new String[subscribers.length];
        private final CallType[] callType = new CallType[subscribers.length];
        private final int[] callPart = new int[subscribers.length];
        private final List<GeneratedRecord> out = new ArrayList<>();
        /** 31 March, 23:00 in Mumbai less a few hours: executions cross into April's cycle. */
        private Instant now = Instant.parse("2025-03-31T12:00:00Z");
        private long calls;

        Execution(Random random) {
            this.random = random;
            for (int i = 0; i < TOWERS.length; i++) {
                knows.add(new HashMap<>());
            }
            for (int s = 0; s < subscribers.length; s++) {
                at[s] = random.nextInt(TOWERS.length);
            }
        }

        List<GeneratedRecord> run(int steps) {
            for (int i = 0; i < steps; i++) {
                now = now.plusMillis(random.nextInt(3_600_000));
                int s = random.nextInt(subscribers.length);
                double action = random.nextDouble();
                if (action < 0.2) {
                    move(s);
                } else if (action < 0.35) {
                    call(s);
                } else if (action < 0.5) {
                    stamp(s, new Usage.Sms(subscribers[(s + 1) % subscribers.length]));
                } else {
                    stamp(s, data());
                }
            }
            for (int s = 0; s < subscribers.length; s++) {
                if (callRef[s] != null) {
                    callPartAndMaybeEnd(s, true);
                }
            }
            return out;
        }

        private void move(int s) {
            if (callRef[s] != null) {
                callPartAndMaybeEnd(s, false);
            }
            int from = at[s];
            int to = (from + 1 + random.nextInt(TOWERS.length - 1)) % TOWERS.length;
            knows.get(from).forEach((node, count) -> knows.get(to).merge(node, count, Math::max));
            at[s] = to;
        }

        private void call(int s) {
            if (callRef[s] != null) {
                callPartAndMaybeEnd(s, true);
                return;
            }
            CallType type = CallType.values()[random.nextInt(CallType.values().length)];
            long seconds = random.nextInt(10) == 0 ? random.nextInt(3) : random.nextInt(20_000);
            if (random.nextInt(3) == 0) {
                callRef[s] = "call-" + (++calls);
                callType[s] = type;
                callPart[s] = 1;
                callPartAndMaybeEnd(s, false);
            } else {
                stamp(s, new Usage.Call(other(s), type, seconds));
            }
        }

        private void callPartAndMaybeEnd(int s, boolean last) {
            long seconds = random.nextInt(5) == 0 ? random.nextInt(2) : random.nextInt(5_000);
            stamp(s, new Usage.Call(other(s), callType[s], seconds,
                    new Usage.CallPart(callRef[s], callPart[s]++, last)));
            if (last) {
                callRef[s] = null;
            }
        }

        private Usage.Data data() {
            RadioType radio = RadioType.values()[random.nextInt(RadioType.values().length)];
            long scale = switch (random.nextInt(4)) {
                case 0 -> 1_000;
                case 1 -> MIB;
                case 2 -> 100 * MIB;
                default -> 50L * 1024 * MIB;
            };
            return new Usage.Data(radio, (long) (random.nextDouble() * scale), (long) (random.nextDouble() * scale));
        }

        private Msisdn other(int s) {
            return subscribers[(s + 1) % subscribers.length];
        }

        private void stamp(int s, Usage usage) {
            int t = at[s];
            long seq = ++sequence[t];
            knows.get(t).put(TOWERS[t], seq);
            int logical = random.nextInt(3);
            out.add(new GeneratedRecord(new EventId(NodeId.of(TOWERS[t]), seq), subscribers[s], now, usage,
                    new dev.dabba.clock.HybridTimestamp(now.toEpochMilli() + random.nextInt(2), logical),
                    knows.get(t)));
        }
    }
}
