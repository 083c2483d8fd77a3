package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.ClockWorld.Model;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Compare, merge, increment, equality and hashing of clocks in random epochs, against a reference model (full counter
 * vectors over a small pool of nodes): vector clocks form a join semilattice under merge whatever epochs their
 * operands are stored in.
 */
class ClockLatticePropertyTest {

    /** A world and three clocks in it, each in a random epoch of that world. */
    record Three(ClockWorld world, Model a, Model b, Model c) {
    }

    @Provide
    Arbitrary<Three> three() {
        return Combinators.combine(ClockWorld.worlds(), ClockWorld.shapes(), ClockWorld.shapes(), ClockWorld.shapes())
                .as((w, a, b, c) -> new Three(w, w.clock(a), w.clock(b), w.clock(c)));
    }

    @Property(tries = 2_000)
    void compare_equalsTheEntryWiseRelation_acrossEpochs(@ForAll("three") Three t) {
        assertThat(t.a.clock().compare(t.b.clock())).isEqualTo(t.a.expectedCompare(t.b));
        assertThat(t.b.clock().compare(t.a.clock())).isEqualTo(t.a.expectedCompare(t.b).reversed());
        assertThat(t.a.clock().compare(t.a.clock())).isEqualTo(Causality.EQUAL);
        Causality c = t.a.expectedCompare(t.b);
        assertThat(t.a.clock().happensBefore(t.b.clock())).isEqualTo(c == Causality.BEFORE);
        assertThat(t.a.clock().isConcurrent(t.b.clock())).isEqualTo(c == Causality.CONCURRENT);
        assertThat(t.a.clock().isCoveredBy(t.b.clock())).isEqualTo(c == Causality.BEFORE || c == Causality.EQUAL);
    }

    @Property(tries = 2_000)
    void merge_isTheEntryWiseMaximum_inTheLaterEpoch(@ForAll("three") Three t) {
        VectorClock m = t.a.clock().merge(t.b.clock());
        assertThat(ClockWorld.full(m)).containsExactly(t.a.expectedMerge(t.b));
        assertThat(m.epoch().number())
                .isEqualTo(Math.max(t.a.clock().epoch().number(), t.b.clock().epoch().number()));
        assertThat(m.entries()).isEqualTo(t.b.clock().merge(t.a.clock()).entries());
    }

    @Property(tries = 2_000)
    void merge_isCommutative_associative_andIdempotent(@ForAll("three") Three t) {
        VectorClock a = t.a.clock();
        VectorClock b = t.b.clock();
        VectorClock c = t.c.clock();
        assertThat(a.merge(b)).isEqualTo(b.merge(a)).hasSameHashCodeAs(b.merge(a));
        assertThat(a.merge(b).epoch().number()).isEqualTo(b.merge(a).epoch().number());
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
        assertThat(a.merge(a)).isEqualTo(a);
        assertThat(a.merge(b).merge(b)).isEqualTo(a.merge(b));
        // Idempotent across representations: merging the same clock stored in an earlier epoch changes nothing.
        for (Epoch earlier : t.world.epochs()) {
            if (earlier.number() <= a.epoch().number()) {
                VectorClock same = a.rebase(earlier);
                assertThat(a.merge(same)).isEqualTo(a);
                assertThat(a.merge(same).epoch()).isSameAs(a.epoch());
                assertThat(same.merge(a)).isEqualTo(a);
            }
        }
    }

    @Property(tries = 2_000)
    void merge_isTheLeastUpperBound(@ForAll("three") Three t) {
        VectorClock a = t.a.clock();
        VectorClock b = t.b.clock();
        VectorClock m = a.merge(b);
        assertThat(a.compare(m)).isIn(Causality.BEFORE, Causality.EQUAL);
        assertThat(b.compare(m)).isIn(Causality.BEFORE, Causality.EQUAL);
        // Any upper bound of both is an upper bound of the merge: a random clock, and one built to be an upper bound.
        for (VectorClock upper : List.of(t.c.clock(), m.merge(t.c.clock()), m.increment(NodeId.of("A")))) {
            if (a.isCoveredBy(upper) && b.isCoveredBy(upper)) {
                assertThat(m.compare(upper)).isIn(Causality.BEFORE, Causality.EQUAL);
            }
        }
        // Strictly above both operands unless one covers the other.
        if (a.isConcurrent(b)) {
            assertThat(a.compare(m)).isEqualTo(Causality.BEFORE);
            assertThat(b.compare(m)).isEqualTo(Causality.BEFORE);
        }
    }

    @Property(tries = 2_000)
    void equalsAndHashCode_dependOnEntriesOnly_notOnTheEpoch(@ForAll("three") Three t) {
        VectorClock a = t.a.clock();
        VectorClock inGenesis = VectorClock.of(a.entries());
        assertThat(inGenesis).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a).isEqualTo(inGenesis);
        for (Epoch earlier : t.world.epochs()) {
            if (earlier.number() <= a.epoch().number()) {
                VectorClock same = a.rebase(earlier);
                assertThat(same).isEqualTo(a).hasSameHashCodeAs(a);
                assertThat(same.entries()).isEqualTo(a.entries());
                assertThat(same.size()).isEqualTo(a.size());
                assertThat(same.isEmpty()).isEqualTo(a.isEmpty());
                assertThat(same.compare(a)).isEqualTo(Causality.EQUAL);
                assertThat(same).hasToString(a.toString());
            }
        }
        boolean sameEntries = a.entries().equals(t.b.clock().entries());
        assertThat(a.equals(t.b.clock())).isEqualTo(sameEntries);
        assertThat(t.b.clock().equals(a)).isEqualTo(sameEntries);
        if (sameEntries) {
            assertThat(a.hashCode()).isEqualTo(t.b.clock().hashCode());
        }
    }

    @Property(tries = 1_000)
    void increment_raisesOneEntryByOne_andHappensAfter(@ForAll("three") Three t) {
        for (int i = 0; i < ClockWorld.POOL.size(); i++) {
            NodeId node = NodeId.of(ClockWorld.POOL.get(i));
            VectorClock next = t.a.clock().increment(node);
            long[] expected = t.a.full().clone();
            expected[i]++;
            assertThat(ClockWorld.full(next)).containsExactly(expected);
            assertThat(next.epoch()).isSameAs(t.a.clock().epoch());
            assertThat(t.a.clock().compare(next)).isEqualTo(Causality.BEFORE);
            assertThat(next.size()).isEqualTo(t.a.clock().size() + (t.a.full()[i] == 0 ? 1 : 0));
        }
    }

    @Property(tries = 1_000)
    void adoptingAnEpoch_isAMerge_thatNeverLosesKnowledge(@ForAll("three") Three t) {
        for (Epoch e : t.world.epochs()) {
            VectorClock adopted = t.a.clock().merge(e.baseClock());
            assertThat(adopted.epoch().number()).isEqualTo(Math.max(e.number(), t.a.clock().epoch().number()));
            assertThat(t.a.clock().compare(adopted)).isIn(Causality.BEFORE, Causality.EQUAL);
            assertThat(e.baseClock().compare(adopted)).isIn(Causality.BEFORE, Causality.EQUAL);
            for (int i = 0; i < ClockWorld.POOL.size(); i++) {
                String id = ClockWorld.POOL.get(i);
                assertThat(adopted.get(id)).isEqualTo(Math.max(t.a.full()[i], e.base(id)));
            }
        }
    }
}
