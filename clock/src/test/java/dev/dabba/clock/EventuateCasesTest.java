package dev.dabba.clock;

import static dev.dabba.clock.PublicCases.assertRelation;
import static dev.dabba.clock.PublicCases.of;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Eventuate's vector time cases ({@code VectorTimeSpec.scala}, RBMHTechnology/eventuate), written again for Dabba's
 * clocks; each test names the case it mirrors. Dotted vector times have no counterpart here. See
 * {@link PublicCases} for the four representations.
 */
class EventuateCasesTest {

    @Test // VectorTimeSpec "have a partial ordering" (t6 has an explicit zero entry)
    void partialOrdering_withAnExplicitZero() {
        VectorClock t1 = of("a", 1, "b", 2);
        VectorClock t2 = of("a", 1, "b", 1);
        VectorClock t3 = of("a", 2, "b", 1);
        VectorClock t4 = of("a", 1, "b", 2, "c", 2);
        VectorClock t5 = of("a", 1, "c", 2);
        VectorClock t6 = of("a", 1, "c", 0);
        assertRelation(t1, t1, Causality.EQUAL);
        assertRelation(t1, t2, Causality.AFTER);
        assertRelation(t1, t3, Causality.CONCURRENT);
        assertRelation(t1, t4, Causality.BEFORE);
        assertRelation(t1, t5, Causality.CONCURRENT);
        assertRelation(t1, t6, Causality.AFTER);
        assertThat(t6).isEqualTo(of("a", 1)).hasSameHashCodeAs(of("a", 1));
        // The derived predicates agree (Eventuate checks <, <=, >, >=, equiv and conc separately).
        assertThat(t2.happensBefore(t1)).isTrue();
        assertThat(t2.isCoveredBy(t1)).isTrue();
        assertThat(t1.isCoveredBy(t1)).isTrue();
        assertThat(t1.happensBefore(t1)).isFalse();
        assertThat(t1.isConcurrent(t3)).isTrue();
        assertThat(t1.isCoveredBy(t3)).isFalse();
    }

    @Test // VectorTimeSpec "be comparable to DefaultVectorTime" (the 2016 spec, vectorTime(a, b) helpers)
    void comparableToOneAnother() {
        VectorClock vt = of("a", 1, "b", 2);
        assertRelation(vt, of("a", 1, "b", 2), Causality.EQUAL);
        assertRelation(vt, of("a", 1, "b", 3), Causality.BEFORE);
        assertRelation(vt, of("a", 2, "b", 3), Causality.BEFORE);
        assertRelation(vt, of("a", 0, "b", 1), Causality.AFTER);
        assertRelation(vt, of("a", 0, "b", 2), Causality.AFTER);
        assertRelation(vt, of("a", 0, "b", 3), Causality.CONCURRENT);
        assertRelation(vt, of("c", 2), Causality.CONCURRENT);
    }

    @Test // VectorTimeSpec "be mergeable"
    void mergeable_bothWays() {
        VectorClock t1 = of("a", 1, "b", 2, "c", 2);
        VectorClock t2 = of("a", 4, "c", 1);
        assertThat(t1.merge(t2)).isEqualTo(of("a", 4, "b", 2, "c", 2));
        assertThat(t2.merge(t1)).isEqualTo(of("a", 4, "b", 2, "c", 2));
    }
}
