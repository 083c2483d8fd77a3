package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SequenceRangesTest {

    @Test
    void adjacentAndOverlappingRanges_merge_andRemovalSplits() {
        SequenceRanges r = SequenceRanges.EMPTY.with(5).with(7).with(6).with(10, 12).with(1, 2);

        assertThat(r.describe()).isEqualTo("1-2,5-7,10-12");
        assertThat(r.without(6).describe()).isEqualTo("1-2,5-5,7-7,10-12");
        assertThat(r.without(10).without(12).describe()).isEqualTo("1-2,5-7,11-11");
        assertThat(r.with(3, 9).describe()).isEqualTo("1-12");
        assertThat(r.intersects(3, 4)).isFalse();
        assertThat(r.intersects(3, 5)).isTrue();
        assertThat(r.withoutFirst(2).describe()).isEqualTo("10-12");
    }

    @Test
    void behavesAsASetOfLongs_underRandomOperations() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            SequenceRanges r = SequenceRanges.EMPTY;
            TreeSet<Long> model = new TreeSet<>();
            for (int op = 0; op < 60; op++) {
                long s = random.nextInt(40);
                if (random.nextBoolean()) {
                    r = r.with(s);
                    model.add(s);
                } else {
                    r = r.without(s);
                    model.remove(s);
                }
                for (long x = 0; x < 41; x++) {
                    assertThat(r.contains(x)).isEqualTo(model.contains(x));
                }
                assertThat(SequenceRanges.of(r.bounds())).isEqualTo(r);
            }
        }
    }

    @Test
    void of_rejectsUnsortedOrAdjacentBounds() {
        assertThatThrownBy(() -> SequenceRanges.of(new long[] {1, 2, 3, 4})).hasMessageContaining("adjacent");
        assertThatThrownBy(() -> SequenceRanges.of(new long[] {1})).hasMessageContaining("even");
    }
}
