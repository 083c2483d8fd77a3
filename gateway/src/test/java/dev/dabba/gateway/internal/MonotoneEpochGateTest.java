package dev.dabba.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.RecordCodec;
import dev.dabba.clock.NodeId;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MonotoneEpochGateTest {

    private static final RecordCodec CODEC = RecordCodec.standard();
    private static final NodeTable TWO = table("MUMBAI_BKC", "MUMBAI_ANDHERI");
    private static final NodeTable THREE = table("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA");

    private static NodeTable table(String... ids) {
        return NodeTable.of(Arrays.stream(ids).map(NodeId::of).toList());
    }

    private final MonotoneEpochGate gate = new MonotoneEpochGate();

    private static byte[] epoch(long number, NodeTable members, long... base) {
        return CODEC.encodeEpoch(Epoch.of(number, members, base));
    }

    @Test
    void firstEpoch_advances_andOnlyTheNewestOfABatchIsPending() {
        assertThat(gate.offer(epoch(1, TWO, 1, 0)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
        assertThat(gate.offer(epoch(2, THREE, 2, 1, 0)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
        assertThat(gate.pending()).get().extracting(Epoch::number).isEqualTo(2L);
        gate.published();
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.announced()).get().extracting(Epoch::number).isEqualTo(2L);
    }

    @Test
    void olderOrEqualEpochs_areStale() {
        gate.offer(epoch(5, TWO, 3, 3));
        gate.published();
        assertThat(gate.offer(epoch(5, TWO, 3, 3)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.STALE);
        assertThat(gate.offer(epoch(4, TWO, 1, 1)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.STALE);
        assertThat(gate.pending()).isEmpty();
    }

    @Test
    void newerEpochWhoseBaseGoesBack_isRejected() {
        gate.offer(epoch(5, TWO, 3, 3));
        gate.published();
        MonotoneEpochGate.Decision d = gate.offer(epoch(6, TWO, 3, 2));
        assertThat(d.verdict()).isEqualTo(MonotoneEpochGate.Verdict.REJECT);
        assertThat(d.reason()).contains("epoch 6 does not extend epoch 5");
    }

    @Test
    void newerEpochThatReordersMembers_isRejected() {
        gate.offer(epoch(1, TWO, 1, 1));
        NodeTable swapped = table("MUMBAI_ANDHERI", "MUMBAI_BKC");
        assertThat(gate.offer(epoch(2, swapped, 1, 1)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.REJECT);
    }

    @Test
    void undecodableBytes_areRejectedWithTheDecoderReason() {
        MonotoneEpochGate.Decision d = gate.offer(new byte[] {0x44, 0x45, 0x09});
        assertThat(d.verdict()).isEqualTo(MonotoneEpochGate.Verdict.REJECT);
        assertThat(d.reason()).startsWith("malformed epoch announcement");
    }

    @Test
    void learntRetainedEpoch_makesOlderOnesStale() {
        gate.learnt(Epoch.of(7, TWO, new long[] {4, 4}));
        assertThat(gate.offer(epoch(6, TWO, 3, 3)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.STALE);
        assertThat(gate.offer(epoch(8, TWO, 4, 5)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
    }

    @Test
    void abandonedPublish_forgetsThePendingEpoch_soTheRetryAdvancesAgain() {
        gate.offer(epoch(1, TWO, 1, 1));
        gate.abandon();
        assertThat(gate.offer(epoch(1, TWO, 1, 1)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
    }

    @Test
    void newerLineage_advancesOverTheRetainedEpoch_andTheOlderLineageIsStaleAfter() {
        long l2 = 1_780_000_000_000L;
        gate.learnt(Epoch.of(7, TWO, new long[] {4, 4}));
        Epoch opening = Epoch.of(l2, l2, NodeTable.EMPTY, new long[0]);
        assertThat(gate.offer(CODEC.encodeEpoch(opening)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
        gate.published();
        Epoch next = Epoch.of(l2 + 1, l2, table("MUMBAI_ANDHERI", "MUMBAI_BKC"), new long[] {1, 1});
        assertThat(gate.offer(CODEC.encodeEpoch(next)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.ADVANCE);
        gate.published();
        assertThat(gate.offer(epoch(8, TWO, 4, 5)).verdict()).isEqualTo(MonotoneEpochGate.Verdict.STALE);
        MonotoneEpochGate.Decision sameLineageRegressing = gate.offer(CODEC.encodeEpoch(
                Epoch.of(l2 + 2, l2, table("MUMBAI_ANDHERI", "MUMBAI_BKC"), new long[] {0, 1})));
        assertThat(sameLineageRegressing.verdict()).isEqualTo(MonotoneEpochGate.Verdict.REJECT);
    }
}
