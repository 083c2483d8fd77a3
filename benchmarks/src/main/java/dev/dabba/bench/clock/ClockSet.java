package dev.dabba.bench.clock;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The logical clocks every operations benchmark measures, the same whatever the representation: {@code a} with
 * {@code n} non-zero entries; {@code b}, the same clock one entry later (a BEFORE b, so a compare must look at every
 * entry); {@code m}, a merge partner over the same nodes with three entries higher and three lower than {@code a}.
 * Deterministic (seed 42), so two benchmark classes see identical clocks.
 */
final class ClockSet {

    final List<String> nodes;
    final Map<String, Long> a;
    final Map<String, Long> b;
    final Map<String, Long> m;

    private ClockSet(List<String> nodes, Map<String, Long> a, Map<String, Long> b, Map<String, Long> m) {
        this.nodes = nodes;
        this.a = a;
        this.b = b;
        this.m = m;
    }

    static ClockSet of(int n) {
        Random random = new Random(42);
        List<String> nodes = ClockFixtures.pick(n, random);
        Map<String, Long> a = new HashMap<>();
        for (String id : nodes) {
            a.put(id, 2L + random.nextInt(1_000_000));
        }
        Map<String, Long> b = ClockFixtures.fresh(a);
        b.merge(nodes.get(random.nextInt(n)), 1L, Long::sum);
        Map<String, Long> m = ClockFixtures.fresh(a);
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        for (int i = 0; i < Math.min(6, n); i++) {
            m.merge(shuffled.get(i), i % 2 == 0 ? 1L + random.nextInt(10) : -1L, Long::sum);
        }
        return new ClockSet(nodes, a, b, m);
    }

    /**
     * An epoch over these nodes (members in random order) whose base is the entry-wise minimum of the three clocks:
     * what an epoch authority would announce once it has seen everything below them. Each clock's delta then holds
     * only the few entries where it is above that minimum.
     */
    Epoch epoch() {
        List<NodeId> members = new ArrayList<>();
        for (String id : nodes) {
            members.add(NodeId.of(id));
        }
        Collections.shuffle(members, new Random(43));
        Map<String, Long> min = new TreeMap<>();
        for (String id : nodes) {
            min.put(id, Math.min(a.get(id), Math.min(b.get(id), m.get(id))));
        }
        return Epoch.of(7, NodeTable.of(members), VectorClock.of(min));
    }

    EpochRegistry registry(Epoch epoch) {
        EpochRegistry r = new EpochRegistry();
        r.accept(epoch);
        return r;
    }
}
