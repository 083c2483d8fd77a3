package dev.dabba.clock;

import static dev.dabba.clock.PublicCases.assertRelation;
import static dev.dabba.clock.PublicCases.clock;
import static dev.dabba.clock.PublicCases.of;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Akka's vector clock cases ({@code akka-cluster/src/test/scala/akka/cluster/VectorClockSpec.scala}, akka/akka),
 * written again for Dabba's clocks; each test names the case it mirrors. Akka's pruning has no counterpart: Dabba
 * never prunes (pruning creates false concurrency). See {@link PublicCases} for the four representations.
 */
class AkkaCasesTest {

    @Test // "have zero versions when created"
    void aNewClock_hasNoEntries() {
        assertThat(VectorClock.empty().entries()).isEmpty();
        assertThat(VectorClock.empty().isEmpty()).isTrue();
        assertThat(VectorClock.empty().size()).isZero();
    }

    @Test // "not happen before itself"
    void twoNewClocks_areEqual_notConcurrent() {
        assertRelation(VectorClock.empty(), VectorClock.empty(), Causality.EQUAL);
    }

    @Test // "pass misc comparison test 1"
    void sameIncrements_areEqual() {
        assertRelation(clock("1", "2", "1"), clock("1", "2", "1"), Causality.EQUAL);
    }

    @Test // "pass misc comparison test 2"
    void oneMoreIncrement_happensAfter() {
        assertRelation(clock("1", "2", "1"), clock("1", "2", "1", "3"), Causality.BEFORE);
    }

    @Test // "pass misc comparison test 3"
    void incrementsOfDifferentNodes_areConcurrent() {
        assertRelation(clock("1"), clock("2"), Causality.CONCURRENT);
    }

    @Test // "pass misc comparison test 4"
    void divergingHistories_areConcurrent() {
        assertRelation(clock("1", "2", "1"), clock("1", "1", "3"), Causality.CONCURRENT);
    }

    @Test // "pass misc comparison test 5"
    void aSubHistory_happensBefore() {
        assertRelation(clock("2", "2"), clock("1", "2", "2", "3"), Causality.BEFORE);
    }

    @Test // "pass misc comparison test 6"
    void sameLengthDifferentNodes_areConcurrentBothWays() {
        assertRelation(clock("1", "2"), clock("1", "1"), Causality.CONCURRENT);
    }

    @Test // "pass misc comparison test 7"
    void forkOfACommonPrefix_isConcurrent() {
        VectorClock common = clock("1", "2", "2");
        assertRelation(common.increment(NodeId.of("3")),
                common.increment(NodeId.of("2")).increment(NodeId.of("2")), Causality.CONCURRENT);
    }

    @Test // "pass misc comparison test 8" (there nodes built from hashes)
    void forkAfterThePrefix_isConcurrent() {
        VectorClock prefix = clock("1", "3");
        assertRelation(prefix.increment(NodeId.of("3")), prefix.increment(NodeId.of("2")), Causality.CONCURRENT);
    }

    @Test // "correctly merge two clocks"
    void mergeOfTwoClocks_coversBoth_andIsSymmetric() {
        VectorClock clock5 = clock("1", "2", "2", "3");
        VectorClock clock3 = clock("1", "2", "2", "2", "2");
        VectorClock merged1 = clock3.merge(clock5);
        VectorClock merged2 = clock5.merge(clock3);
        assertThat(merged1.entries()).containsOnlyKeys("1", "2", "3");
        assertThat(merged2.entries()).containsOnlyKeys("1", "2", "3");
        assertRelation(clock3, merged1, Causality.BEFORE);
        assertRelation(clock5, merged1, Causality.BEFORE);
        assertRelation(clock3, merged2, Causality.BEFORE);
        assertRelation(clock5, merged2, Causality.BEFORE);
        assertThat(merged1).isEqualTo(merged2);
    }

    @Test // "correctly merge two disjoint vector clocks"
    void mergeOfDisjointClocks_hasEveryNode() {
        VectorClock clock5 = clock("1", "2", "2", "3");
        VectorClock clock3 = clock("4", "4");
        VectorClock merged1 = clock3.merge(clock5);
        VectorClock merged2 = clock5.merge(clock3);
        assertThat(merged1.entries()).containsOnlyKeys("1", "2", "3", "4");
        assertThat(merged2.entries()).containsOnlyKeys("1", "2", "3", "4");
        assertRelation(clock3, merged1, Causality.BEFORE);
        assertRelation(clock5, merged1, Causality.BEFORE);
        assertThat(merged1).isEqualTo(merged2);
    }

    @Test // "pass blank clock incrementing"
    void anIncrementedBlankClock_isAfterEveryBlankClock_andConcurrentWithAnotherIncrement() {
        VectorClock v1 = VectorClock.empty();
        VectorClock v2 = VectorClock.empty();
        VectorClock vv1 = v1.increment(NodeId.of("1"));
        VectorClock vv2 = v2.increment(NodeId.of("2"));
        assertRelation(vv1, v1, Causality.AFTER);
        assertRelation(vv2, v2, Causality.AFTER);
        assertRelation(vv1, v2, Causality.AFTER);
        assertRelation(vv2, v1, Causality.AFTER);
        assertRelation(vv2, vv1, Causality.CONCURRENT);
    }

    @Test // "pass merging behavior"
    void anEventAfterAMerge_isAfterBothMergedClocks() {
        VectorClock a2 = clock("1", "1");
        VectorClock b1 = clock("2");
        VectorClock c1 = a2.merge(b1).increment(NodeId.of("3"));
        assertRelation(c1, a2, Causality.AFTER);
        assertRelation(c1, b1, Causality.AFTER);
    }
}
