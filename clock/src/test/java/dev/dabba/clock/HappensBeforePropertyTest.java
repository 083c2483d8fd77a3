package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Execution.Event;
import dev.dabba.clock.Execution.Kind;
import dev.dabba.clock.Execution.Message;
import dev.dabba.clock.Execution.State;
import dev.dabba.clock.Execution.Step;
import dev.dabba.record.EventId;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.SplitBatch;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The central correctness property of the clock module: over random distributed executions with epoch announcements
 * and adoptions, {@code compare} of two events' clocks equals the happens-before relation of the execution graph,
 * for every pair of events, whether the clocks are compared raw, after encoding and decoding in their own epoch,
 * after rebasing onto any earlier epoch, or with the two clocks of a pair in different epochs. Beyond events, every
 * state an execution passes through (a process after a merge or an adoption, a message, an epoch's base) compares as
 * its causal past does: those are the clocks whose deltas may lack the own entry, which events never produce. See
 * {@link Execution} for the model. 10,000 executions per run; a failure prints the execution, shrunk by jqwik.
 */
class HappensBeforePropertyTest {

    private static final List<String> NAMES = List.of("MUMBAI_BKC", "A", "z9", "tower-7", "T.1");
    private static final RecordCodec PLAIN = RecordCodec.withoutCompression();
    private static final RecordCodec ZSTD = RecordCodec.standard().withCompression(0, 1);
    private static final Msisdn SUBSCRIBER = Msisdn.of("+919876543210");
    private static final NodeId FROM = NodeId.of("HANDOVER_FROM");
    private static final NodeId TO = NodeId.of("HANDOVER_TO");
    private static final Usage SMS = new Usage.Sms(Msisdn.of("+919876543211"));

    @Provide
    Arbitrary<Execution> executions() {
        Arbitrary<Kind> kind = Arbitraries.frequency(Tuple.of(30, Kind.STAMP), Tuple.of(20, Kind.SEND),
                Tuple.of(20, Kind.RECEIVE), Tuple.of(12, Kind.ANNOUNCE), Tuple.of(18, Kind.ADOPT));
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 999);
        Arbitrary<Step> step = Combinators.combine(kind, small, small, small).as(Step::new);
        Arbitrary<List<Step>> steps = step.list().ofMinSize(6).ofMaxSize(30)
                .withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(Arbitraries.integers().between(2, NAMES.size()), steps)
                .as((n, s) -> Execution.run(NAMES, n, s));
    }

    @Property(tries = 10_000)
    void compare_equalsHappensBefore_raw_decoded_rebased_andAcrossEpochs(@ForAll("executions") Execution x) {
        EpochRegistry reader = readerRegistry(x);
        List<Event> events = x.events();

        // Every representation of every event: raw, then encoded and decoded as a record in each epoch it may be
        // written in (its own and every earlier one), decoded by a reader whose epochs came over the wire.
        List<List<VectorClock>> reps = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            List<VectorClock> r = new ArrayList<>();
            r.add(e.clock());
            for (Epoch target : x.epochsUpTo(e.clock().epoch().number())) {
                VectorClock rebased = e.clock().rebase(target);
                UsageRecord record = record(e, rebased);
                RecordCodec codec = (i + r.size()) % 2 == 0 ? PLAIN : ZSTD;
                UsageRecord decoded = codec.decodeRecord(codec.encodeRecord(record), reader);
                check(decoded.equals(record) && decoded.clock().epoch().number() == target.number()
                        && rebased.epoch().number() == target.number()
                        && decoded.clock().deltaSize() == rebased.deltaSize(),
                        () -> "record " + record + " rebased onto epoch " + target.number() + " decoded as " + decoded);
                r.add(decoded.clock());
            }
            reps.add(r);
        }

        for (int i = 0; i < events.size(); i++) {
            for (int j = 0; j < events.size(); j++) {
                assertAllCompare(reps.get(i), reps.get(j), x.truth(events.get(i), events.get(j)), x);
            }
        }

        // Every state (a process after any step, a message, an epoch's base), raw and decoded from a handover in
        // every epoch it may be written in, against every other: compare is inclusion of their causal pasts.
        List<State> states = x.states();
        List<List<VectorClock>> stateReps = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            VectorClock clock = states.get(i).clock();
            List<VectorClock> r = new ArrayList<>();
            r.add(clock);
            for (Epoch target : x.epochsUpTo(clock.epoch().number())) {
                Handover h = new Handover(FROM, TO, SUBSCRIBER, clock.rebase(target), HybridTimestamp.ZERO);
                RecordCodec codec = (i + r.size()) % 2 == 0 ? PLAIN : ZSTD;
                Handover decoded = codec.decodeHandover(codec.encodeHandover(h), reader);
                check(decoded.equals(h) && decoded.clock().epoch().number() == target.number(),
                        () -> "handover " + h + " in epoch " + target.number() + " decoded as " + decoded);
                r.add(decoded.clock());
            }
            stateReps.add(r);
        }
        for (int i = 0; i < states.size(); i++) {
            for (int j = 0; j < states.size(); j++) {
                Causality expected = x.knowledgeTruth(states.get(i), states.get(j));
                assertAllCompare(stateReps.get(i), stateReps.get(j), expected, x);
            }
        }

        // The representations of one event are one clock: equal, same hash, same entries.
        for (List<VectorClock> r : reps) {
            for (VectorClock c : r) {
                check(c.equals(r.get(0)) && r.get(0).equals(c) && c.hashCode() == r.get(0).hashCode()
                        && c.entries().equals(r.get(0).entries()),
                        () -> c + " in epoch " + c.epoch().number() + " differs from " + r.get(0));
            }
        }
    }

    @Property(tries = 2_000)
    void merge_acrossRepresentations_isTheEntryWiseMaximum_inTheLaterEpoch(@ForAll("executions") Execution x) {
        List<Event> events = x.events();
        for (int i = 0; i < events.size(); i++) {
            VectorClock a = events.get(i).clock();
            for (int j = 0; j < events.size(); j++) {
                VectorClock b = events.get(j).clock();
                List<Epoch> targets = x.epochsUpTo(b.epoch().number());
                VectorClock bElsewhere = b.rebase(targets.get((i + j) % targets.size()));
                VectorClock merged = a.merge(bElsewhere);
                assertThat(merged.entries()).isEqualTo(entryWiseMax(a, b));
                assertThat(merged.epoch().number()).isEqualTo(Math.max(a.epoch().number(),
                        bElsewhere.epoch().number()));
                assertThat(bElsewhere.merge(a)).isEqualTo(merged);
                assertThat(a.compare(merged)).isIn(Causality.BEFORE, Causality.EQUAL);
                assertThat(b.compare(merged)).isIn(Causality.BEFORE, Causality.EQUAL);
            }
        }
    }

    @Property(tries = 2_000)
    void batchesAndHandovers_ofAnExecution_roundTrip_inTheirEpochs(@ForAll("executions") Execution x) {
        EpochRegistry reader = readerRegistry(x);
        for (int p = 0; p < x.processes().size(); p++) {
            List<UsageRecord> records = new ArrayList<>();
            for (Event e : x.events()) {
                if (e.process() == p) {
                    records.add(record(e, e.clock()));
                }
            }
            RecordBatch batch = new RecordBatch(x.processes().get(p), records);
            for (RecordCodec codec : List.of(PLAIN, ZSTD)) {
                byte[] bytes = codec.encodeBatch(batch);
                RecordBatch decoded = codec.decodeBatch(bytes, reader);
                assertThat(decoded).isEqualTo(batch);
                for (int k = 0; k < records.size(); k++) {
                    assertThat(decoded.records().get(k).clock().epoch().number())
                            .isEqualTo(records.get(k).clock().epoch().number());
                }
                SplitBatch split = codec.splitBatch(bytes);
                assertThat(split.records()).hasSize(records.size());
                for (int k = 0; k < records.size(); k++) {
                    SplitBatch.RawRecord raw = split.records().get(k);
                    assertThat(raw.id()).isEqualTo(records.get(k).id());
                    assertThat(raw.epoch()).isEqualTo(records.get(k).clock().epoch().number());
                    assertThat(codec.decodeRecord(raw.encoded(), reader)).isEqualTo(records.get(k));
                }
            }
        }
        for (Message m : x.messages()) {
            Handover h = new Handover(x.processes().get(m.from()), x.processes().get(m.to()), SUBSCRIBER, m.clock(),
                    new HybridTimestamp(1_700_000_000_000L + m.node(), m.node() % 3));
            RecordCodec codec = m.node() % 2 == 0 ? PLAIN : ZSTD;
            Handover decoded = codec.decodeHandover(codec.encodeHandover(h), reader);
            assertThat(decoded).isEqualTo(h);
            assertThat(decoded.clock().epoch().number()).isEqualTo(m.clock().epoch().number());
            assertThat(decoded.clock().compare(m.clock())).isEqualTo(Causality.EQUAL);
        }
    }

    private static void check(boolean condition, java.util.function.Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    private static void assertAllCompare(List<VectorClock> as, List<VectorClock> bs, Causality expected,
            Execution x) {
        for (VectorClock a : as) {
            for (VectorClock b : bs) {
                Causality actual = a.compare(b);
                if (actual != expected) {
                    throw new AssertionError(a + " in epoch " + a.epoch().number() + " vs " + b + " in epoch "
                            + b.epoch().number() + ": compare said " + actual + ", the execution says " + expected
                            + "; " + x);
                }
            }
        }
    }

    /** The reader's registry, built from the announcements as they travel: encoded, decoded, accepted. */
    private static EpochRegistry readerRegistry(Execution x) {
        EpochRegistry reader = new EpochRegistry();
        for (Epoch e : x.announced()) {
            RecordCodec codec = e.number() % 2 == 0 ? PLAIN : ZSTD;
            Epoch decoded = codec.decodeEpoch(codec.encodeEpoch(e));
            assertThat(decoded).isEqualTo(e);
            assertThat(reader.accept(decoded)).isTrue();
        }
        return reader;
    }

    private static UsageRecord record(Event e, VectorClock clock) {
        long seq = clock.get(e.id());
        return new UsageRecord(new EventId(e.id(), seq), SUBSCRIBER,
                Instant.ofEpochMilli(1_700_000_000_000L + e.node()),
                new HybridTimestamp(1_700_000_000_000L + e.node(), 0), clock, SMS);
    }

    private static Map<String, Long> entryWiseMax(VectorClock a, VectorClock b) {
        Map<String, Long> m = new TreeMap<>(a.entries());
        b.entries().forEach((k, v) -> m.merge(k, v, Math::max));
        return m;
    }
}
