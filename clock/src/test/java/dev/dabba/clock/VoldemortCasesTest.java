package dev.dabba.clock;

import static dev.dabba.clock.PublicCases.assertRelation;
import static dev.dabba.clock.PublicCases.clock;
import static dev.dabba.clock.PublicCases.of;
import static dev.dabba.clock.PublicCases.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Voldemort's vector clock cases ({@code test/unit/voldemort/versioning/VectorClockTest.java}, voldemort/voldemort),
 * written again for Dabba's clocks; each test names the case it mirrors. See {@link PublicCases} for how every
 * relation is checked in four representations.
 */
class VoldemortCasesTest {

    @Test // VectorClockTest.testEqualsAndHashcode
    void equalClocks_haveEqualHashCodes() {
        assertThat(clock("1", "2")).isEqualTo(clock("1", "2")).hasSameHashCodeAs(clock("1", "2"));
    }

    @Test // VectorClockTest.testComparisons
    void comparisons() {
        assertRelation(clock(), clock(), Causality.EQUAL); // "the empty clock should not happen before itself"
        assertRelation(clock("1", "1", "2"), clock("1", "1", "2"), Causality.EQUAL);
        assertRelation(clock("1", "1", "2"), clock("1", "1", "2", "3"), Causality.BEFORE);
        assertRelation(clock("1"), clock("2"), Causality.CONCURRENT);
        assertRelation(clock("1", "1", "2"), clock("1", "1", "3"), Causality.CONCURRENT);
        assertRelation(clock("2", "2"), clock("1", "2", "2", "3"), Causality.BEFORE);
    }

    @Test // VectorClockTest.testMerge
    void merge_isTheEntryWiseMaximum() {
        assertThat(clock().merge(clock())).isEqualTo(clock());
        assertThat(clock("1").merge(clock("1"))).isEqualTo(clock("1"));
        assertThat(clock("1").merge(clock("2"))).isEqualTo(clock("1", "2"));
        assertThat(clock("1").merge(clock("1", "2"))).isEqualTo(clock("1", "2"));
        assertThat(clock("1", "2").merge(clock("1"))).isEqualTo(clock("1", "2"));
        assertThat(clock("1", "1", "1", "2", "3", "5").merge(clock("1", "2", "2", "4")))
                .isEqualTo(clock("1", "1", "1", "2", "2", "3", "4", "5"));
        assertThat(clock("2", "3", "5").merge(clock("1", "2", "2", "4", "7")))
                .isEqualTo(clock("1", "2", "2", "3", "4", "5", "7"));
    }

    @Test // VectorClockTest.testMergeWithLargeVersion (there a counter past Short.MAX_VALUE; here near Long.MAX_VALUE)
    void merge_keepsCountersNearLongMax_andTheyTravel() {
        VectorClock small = clock("1");
        VectorClock large = of("1", Long.MAX_VALUE - 1, "2", Long.MAX_VALUE);
        VectorClock merged = small.merge(large);
        assertThat(merged.get("1")).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(merged.get("2")).isEqualTo(Long.MAX_VALUE);
        assertThat(merged.increment(NodeId.of("1")).get("1")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> merged.increment(NodeId.of("2"))).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("overflow");
        assertThat(roundTrip(merged)).isEqualTo(merged);
        assertRelation(small, large, Causality.BEFORE);
        assertRelation(of("1", Long.MAX_VALUE), of("1", Long.MAX_VALUE - 1, "2", 1), Causality.CONCURRENT);
        // In an epoch whose base is near the top too: the differences stay small on the wire.
        Epoch high = Epoch.of(9, NodeTable.of(List.of(NodeId.of("2"), NodeId.of("1"))),
                new long[] {Long.MAX_VALUE - 10, Long.MAX_VALUE - 20});
        EpochRegistry registry = new EpochRegistry();
        registry.accept(high);
        VectorClock inHigh = VectorClock.of(high, Map.of("1", Long.MAX_VALUE - 1, "2", Long.MAX_VALUE));
        assertThat(roundTrip(inHigh, registry)).isEqualTo(merged);
    }

    @Test // VectorClockTest.testSerialization
    void serialization_ofTheEmptyClock_andOfAClock() {
        assertThat(roundTrip(clock())).isEqualTo(clock());
        VectorClock c = clock("1", "1", "2", "3", "4", "4", "6");
        assertThat(roundTrip(c)).isEqualTo(c);
    }

    @Test // VectorClockTest.testSerializationWraps: counters across varint byte boundaries
    void serialization_wrapsAcrossVarintBoundaries() {
        VectorClock c = clock("1", "1", "2", "3", "3", "6");
        for (int i = 0; i < 300; i++) {
            c = c.increment(NodeId.of("2"));
            assertThat(roundTrip(c)).isEqualTo(c);
        }
        for (long v : new long[] {127, 128, 16_383, 16_384, (1L << 21) - 1, 1L << 21, (1L << 56) - 1, 1L << 56,
            (1L << 63) - 1}) {
            VectorClock at = of("2", v);
            assertThat(roundTrip(at)).isEqualTo(at);
        }
    }

    @Test // VectorClockTest.testIncrementOrderDoesntMatter
    void incrementOrder_doesNotMatter() {
        Random random = new Random(17);
        for (int t = 0; t < 10; t++) {
            List<String> increments = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                increments.add(Integer.toString(random.nextInt(100)));
            }
            VectorClock first = null;
            for (int n = 0; n < 10; n++) {
                Collections.shuffle(increments, random);
                VectorClock c = clock(increments.toArray(new String[0]));
                if (first == null) {
                    first = c;
                }
                assertThat(c).isEqualTo(first).hasSameHashCodeAs(first);
                assertRelation(c, first, Causality.EQUAL);
            }
        }
    }

    @Test // VectorClockTest.testIncrementAndSerialize
    void incrementAndSerialize_3000Times() {
        VectorClock c = clock("1");
        for (int i = 0; i < 3_000; i++) {
            c = roundTrip(c.increment(NodeId.of("1")));
        }
        assertThat(c.get("1")).isEqualTo(3_001);
    }
}
