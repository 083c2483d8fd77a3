package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Member tables only grow, keep every index, and append each new node once, in the order first seen. */
class NodeTableTest {

    @Test
    void with_appendsNewNodesOnce_inTheOrderGiven_andKeepsEveryIndex() {
        NodeTable ab = NodeTable.of(List.of(NodeId.of("B"), NodeId.of("A")));
        NodeTable next = ab.with(List.of(NodeId.of("D"), NodeId.of("A"), NodeId.of("C"), NodeId.of("D")));
        assertThat(next.nodes()).extracting(NodeId::value).containsExactly("B", "A", "D", "C");
        assertThat(ab.isPrefixOf(next)).isTrue();
        assertThat(next.isPrefixOf(ab)).isFalse();
        assertThat(next.indexOf("C")).isEqualTo(3);
        assertThat(ab.with(List.of(NodeId.of("A")))).isSameAs(ab);
    }

    @Test // regression: with() checked each candidate against a list: appending n nodes took O(n^2), minutes at 10^5
    void with_appendsTheWholeNetworkAtOnce() {
        List<NodeId> network = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            network.add(NodeId.of("TOWER_" + i));
        }
        network.addAll(network.subList(0, 1_000)); // seen twice
        NodeTable table = NodeTable.EMPTY.with(network);
        assertThat(table.size()).isEqualTo(200_000);
        assertThat(table.indexOf("TOWER_199999")).isEqualTo(199_999);
        assertThat(table.with(network)).isSameAs(table);
    }

    @Test
    void of_refusesANodeListedTwice() {
        assertThatThrownBy(() -> NodeTable.of(List.of(NodeId.of("A"), NodeId.of("A"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
