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
    void behavesAsASetOfLongs_whenItSpansManyChunks() {
        // Thousands of gaps, as above a frontier whose partitions drift apart: chunks split, ranges merge across
        // chunk boundaries, chunks empty out, and the first ranges go as the prefix advances.
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            SequenceRanges r = SequenceRanges.EMPTY;
            TreeSet<Long> model = new TreeSet<>();
            int space = 200 + random.nextInt(6000);
            for (int op = 0; op < 3000; op++) {
                int kind = random.nextInt(20);
                if (kind < 12) {
                    long s = random.nextInt(space);
                    r = r.with(s);
                    model.add(s);
                } else if (kind < 15) {
                    long from = random.nextInt(space);
                    long to = from + random.nextInt(kind == 14 ? 3 * SequenceRanges.CHUNK * 4 : 6);
                    r = r.with(from, to);
                    for (long x = from; x <= to; x++) {
                        model.add(x);
                    }
                } else if (kind < 19) {
                    long s = random.nextInt(space);
                    r = r.without(s);
                    model.remove(s);
                } else {
                    int count = random.nextInt(4) == 0 ? random.nextInt(3 * SequenceRanges.CHUNK) : random.nextInt(3);
                    long[] before = r.bounds();
                    r = r.withoutFirst(count);
                    for (int i = 0; i < Math.min(count, before.length / 2); i++) {
                        for (long x = before[2 * i]; x <= before[2 * i + 1]; x++) {
                            model.remove(x);
                        }
                    }
                }
                if (op % 50 == 0 || op == 2999) {
                    assertMatches(r, model, space);
                }
            }
        }
    }

    private static void assertMatches(SequenceRanges r, TreeSet<Long> model, int space) {
        java.util.List<Long> expected = new java.util.ArrayList<>();
        Long start = null;
        Long previous = null;
        for (long x : model) {
            if (start == null) {
                start = x;
            } else if (x != previous + 1) {
                expected.add(start);
                expected.add(previous);
                start = x;
            }
            previous = x;
        }
        if (start != null) {
            expected.add(start);
            expected.add(previous);
        }
        long[] bounds = r.bounds();
        assertThat(bounds).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
        assertThat(r.rangeCount()).isEqualTo(expected.size() / 2);
        assertThat(r.isEmpty()).isEqualTo(model.isEmpty());
        for (int i = 0; i < r.rangeCount(); i++) {
            assertThat(r.startOf(i)).isEqualTo(expected.get(2 * i));
            assertThat(r.endOf(i)).isEqualTo(expected.get(2 * i + 1));
        }
        for (long x = 0; x <= space + 3 * SequenceRanges.CHUNK * 4 + 6; x += 1 + (x % 7)) {
            assertThat(r.contains(x)).as("contains %d", x).isEqualTo(model.contains(x));
            long to = x + (x % 5);
            assertThat(r.intersects(x, to)).isEqualTo(!model.subSet(x, true, to, true).isEmpty());
        }
        assertThat(SequenceRanges.of(bounds)).isEqualTo(r);
        assertThat(SequenceRanges.of(bounds).hashCode()).isEqualTo(r.hashCode());
    }

    /**
     * The compact form (the node frontier's state) gives back the same ranges: many chunks of alternating gaps as a
     * backlog leaves them, wide gaps, and sequences at both ends of the long range.
     */
    @Test
    void compactForm_roundTrips_andIsSmall() throws java.io.IOException {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            SequenceRanges r = SequenceRanges.EMPTY;
            long at = round % 3 == 0 ? Long.MIN_VALUE + random.nextInt(5) : random.nextInt(1_000_000);
            int ranges = random.nextInt(round % 10 == 0 ? 2_000 : 40);
            for (int i = 0; i < ranges && at < Long.MAX_VALUE - 1_000_000_000_000L; i++) {
                long length = random.nextInt(4) == 0 ? random.nextInt(1_000) : 0;
                r = r.with(at, at + length);
                at += length + 2 + (random.nextInt(8) == 0 ? (long) random.nextInt(Integer.MAX_VALUE) << 20 : random.nextInt(3));
            }
            if (round % 7 == 0) {
                r = r.with(Long.MAX_VALUE - 1, Long.MAX_VALUE);
            }
            org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(64);
            r.writeCompact(out);

            SequenceRanges back = SequenceRanges.readCompact(
                    new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()), "test");

            assertThat(back).as("round %d: %s", round, r.describe()).isEqualTo(r);
            assertThat(back.rangeCount()).isEqualTo(r.rangeCount());
        }
        SequenceRanges alternating = SequenceRanges.EMPTY;
        for (long q = 1_000_001; q < 1_010_000; q += 3) {
            alternating = alternating.with(q);
        }
        org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        alternating.writeCompact(out);
        assertThat(out.length()).as("%d ranges", alternating.rangeCount())
                .isLessThanOrEqualTo(4 + 3 + 2 * alternating.rangeCount());
    }

    @Test
    void compactForm_refusesWhatItCannotHaveWritten() {
        byte[] adjacent = {0, 0, 0, 2, /* start 1 */ 2, /* length */ 0, /* gap -1: adjacent */ (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 0};
        assertThatThrownBy(() -> SequenceRanges.readCompact(
                new org.apache.flink.core.memory.DataInputDeserializer(adjacent), "node frontier"))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("node frontier")
                .hasMessageContaining("not adjacent");
        byte[] endless = {0, 0, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
        assertThatThrownBy(() -> SequenceRanges.readCompact(
                new org.apache.flink.core.memory.DataInputDeserializer(endless), "node frontier"))
                .hasMessageContaining("longer than 10 bytes");
        assertThatThrownBy(() -> SequenceRanges.readCompact(
                new org.apache.flink.core.memory.DataInputDeserializer(new byte[] {(byte) 0x80, 0, 0, 0}), "node frontier"))
                .hasMessageContaining("bad range count");
    }

    @Test
    void of_rejectsUnsortedOrAdjacentBounds() {
        assertThatThrownBy(() -> SequenceRanges.of(new long[] {1, 2, 3, 4})).hasMessageContaining("adjacent");
        assertThatThrownBy(() -> SequenceRanges.of(new long[] {1})).hasMessageContaining("even");
    }
}
