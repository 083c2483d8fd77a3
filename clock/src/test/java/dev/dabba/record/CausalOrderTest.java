package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CausalOrderTest {

    private static final Msisdn USER = Msisdn.of("+919876543210");

    private static UsageRecord stamp(NodeId node, VectorClock clock, long hlcMillis, Usage usage) {
        return new UsageRecord(new EventId(node, clock.get(node)), USER, Instant.ofEpochMilli(hlcMillis),
                new HybridTimestamp(hlcMillis, 0), clock, usage);
    }

    @Test
    void sort_followsHappensBefore_notWallTime_andIsIndependentOfArrivalOrder() {
        NodeId bkc = NodeId.of("MUMBAI_BKC");
        NodeId andheri = NodeId.of("MUMBAI_ANDHERI");
        VectorClock c1 = VectorClock.empty().increment(bkc);
        VectorClock c2 = c1.increment(bkc);
        VectorClock c3 = c2.increment(andheri);
        // The later tower's wall clock runs 10 minutes slow: wall time alone would put Andheri first.
        UsageRecord call = stamp(bkc, c1, 1_000_000, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));
        UsageRecord data = stamp(bkc, c2, 1_000_500, new Usage.Data(RadioType.G4, 0, 1 << 20));
        UsageRecord next = stamp(andheri, c3, 400_000, new Usage.Call(Msisdn.of("+919876543212"), CallType.VIDEO, 300));
        // A record concurrent with everything, from an unrelated tower.
        UsageRecord other = stamp(NodeId.of("MUMBAI_DADAR"), VectorClock.empty().increment(NodeId.of("MUMBAI_DADAR")),
                1_000_200, new Usage.Sms(Msisdn.of("+919876543219")));

        List<UsageRecord> expected = CausalOrder.sort(List.of(call, data, next, other));
        assertThat(expected.indexOf(call)).isLessThan(expected.indexOf(data));
        assertThat(expected.indexOf(data)).isLessThan(expected.indexOf(next));

        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            List<UsageRecord> shuffled = new ArrayList<>(List.of(call, data, next, other));
            Collections.shuffle(shuffled, random);
            assertThat(CausalOrder.sort(shuffled)).containsExactlyElementsOf(expected);
        }
    }
}
