package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    void eventIdsOfTowersNamedAlike_rarelyShareAHash() {
        Set<Integer> hashes = new HashSet<>();
        int ids = 0;
        for (int tower = 1; tower <= 8; tower++) {
            NodeId node = NodeId.of("MUMBAI_TOWER_" + tower);
            for (long sequence = 1; sequence <= 10_000; sequence++) {
                hashes.add(new EventId(node, sequence).hashCode());
                ids++;
            }
        }
        // 80,000 ids over 2^32 hashes: about one pair shares a hash by chance.
        // The record's own hash (31 * origin + sequence) gave 10,217 distinct hashes here.
        assertThat(hashes).hasSizeGreaterThan(ids - 10);
    }

    @Test
    void equalEventIds_haveEqualHashes_andParseBackFromText() {
        EventId id = new EventId(NodeId.of("MUMBAI_BKC"), 42);
        EventId parsed = EventId.parse(id.toString());

        assertThat(parsed).isEqualTo(id);
        assertThat(parsed.hashCode()).isEqualTo(id.hashCode());
    }
}
