package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Helpers for the cases ported from established vector clock implementations ({@link VoldemortCasesTest},
 * {@link AkkaCasesTest}, {@link EventuateCasesTest}): their cases are written again, never copied.
 *
 * <p>Every relation is checked four ways: both clocks in the genesis epoch; both in an epoch whose base lies below
 * both (so most entries live in the base); one in that epoch and one in genesis; and after a wire round trip (a
 * handover, clock in its epoch).
 */
final class PublicCases {

    private static final RecordCodec CODEC = RecordCodec.standard();

    private PublicCases() {
    }

    /** A clock after incrementing the given nodes in order (Voldemort's {@code getClock(1, 1, 2)}, Akka's :+). */
    static VectorClock clock(String... increments) {
        VectorClock c = VectorClock.empty();
        for (String node : increments) {
            c = c.increment(NodeId.of(node));
        }
        return c;
    }

    static VectorClock of(Object... idsAndCounters) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < idsAndCounters.length; i += 2) {
            m.put((String) idsAndCounters[i], ((Number) idsAndCounters[i + 1]).longValue());
        }
        return VectorClock.of(m);
    }

    /** {@code a.compare(b) == expected}, and the reverse, in every representation. */
    static void assertRelation(VectorClock a, VectorClock b, Causality expected) {
        // An epoch below both: base = the entry-wise minimum, members in reverse id order (indices unlike id order).
        TreeSet<String> ids = new TreeSet<>(a.entries().keySet());
        ids.addAll(b.entries().keySet());
        List<NodeId> members = new ArrayList<>();
        Map<String, Long> min = new TreeMap<>();
        for (String id : ids.descendingSet()) {
            members.add(NodeId.of(id));
            min.put(id, Math.min(a.get(id), b.get(id)));
        }
        Epoch epoch = Epoch.of(5, NodeTable.of(members), VectorClock.of(min));
        EpochRegistry registry = new EpochRegistry();
        registry.accept(epoch);
        VectorClock ae = VectorClock.of(epoch, a.entries());
        VectorClock be = VectorClock.of(epoch, b.entries());
        List<VectorClock[]> pairs = List.of(
                new VectorClock[] {a, b},
                new VectorClock[] {ae, be},
                new VectorClock[] {ae, b},
                new VectorClock[] {a, be},
                new VectorClock[] {roundTrip(ae, registry), roundTrip(be, registry)});
        for (VectorClock[] p : pairs) {
            assertThat(p[0].compare(p[1])).as("%s vs %s in epochs %s and %s", p[0], p[1], p[0].epoch().number(),
                    p[1].epoch().number()).isEqualTo(expected);
            assertThat(p[1].compare(p[0])).as("%s vs %s", p[1], p[0]).isEqualTo(expected.reversed());
        }
    }

    static VectorClock roundTrip(VectorClock c, EpochResolver epochs) {
        Handover h = new Handover(NodeId.of("FROM"), NodeId.of("TO"), Msisdn.of("+919876543210"), c,
                HybridTimestamp.ZERO);
        VectorClock decoded = CODEC.decodeHandover(CODEC.encodeHandover(h), epochs).clock();
        assertThat(decoded).isEqualTo(c);
        assertThat(decoded.epoch().number()).isEqualTo(c.epoch().number());
        return decoded;
    }

    static VectorClock roundTrip(VectorClock c) {
        return roundTrip(c, EpochResolver.GENESIS_ONLY);
    }
}
