package dev.dabba.clock;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The member table of an epoch: every node the epoch authority has seen, each with a compact index (its position)
 * that the wire format uses instead of the node's string id.
 *
 * <p>Tables only grow: a node keeps its index forever and indices are never reused, so a table is always a prefix of
 * every later one, and an index written under an older epoch means the same node under a newer one. A node the
 * authority has not seen yet has no index; encoders write its id as a string until an epoch that lists it arrives.
 */
public final class NodeTable {

    /** The table of the genesis epoch: no members. */
    public static final NodeTable EMPTY = new NodeTable(new NodeId[0]);

    private final NodeId[] nodes;
    private final Map<String, Integer> indexById;

    private NodeTable(NodeId[] nodes) {
        this.nodes = nodes;
        Map<String, Integer> index = new HashMap<>(nodes.length * 2);
        for (int i = 0; i < nodes.length; i++) {
            if (index.put(nodes[i].value(), i) != null) {
                throw new IllegalArgumentException("node table lists " + nodes[i] + " twice");
            }
        }
        this.indexById = index;
    }

    /** A table listing {@code nodes} in index order; no node may appear twice. */
    public static NodeTable of(List<NodeId> nodes) {
        return new NodeTable(nodes.toArray(new NodeId[0]));
    }

    /** This table with every node of {@code more} that it lacks appended, in the given order. */
    public NodeTable with(Collection<NodeId> more) {
        Set<NodeId> added = new LinkedHashSet<>(); // a set: a list's contains() made appending n nodes O(n^2)
        for (NodeId n : more) {
            if (!indexById.containsKey(n.value())) {
                added.add(n);
            }
        }
        if (added.isEmpty()) {
            return this;
        }
        NodeId[] next = Arrays.copyOf(nodes, nodes.length + added.size());
        int i = nodes.length;
        for (NodeId n : added) {
            next[i++] = n;
        }
        return new NodeTable(next);
    }

    /** The number of members. */
    public int size() {
        return nodes.length;
    }

    /** The index of {@code node}, or -1 when it is not a member. */
    public int indexOf(NodeId node) {
        return indexOf(node.value());
    }

    /** The index of the node with id {@code id}, or -1 when it is not a member. */
    public int indexOf(String id) {
        Integer i = indexById.get(id);
        return i == null ? -1 : i;
    }

    /** The node at {@code index}. */
    public NodeId nodeAt(int index) {
        return nodes[index];
    }

    /** The members in index order. */
    public List<NodeId> nodes() {
        return Collections.unmodifiableList(Arrays.asList(nodes));
    }

    /** Whether {@code later} lists every member of this table at the same index (tables only grow). */
    public boolean isPrefixOf(NodeTable later) {
        if (later.nodes.length < nodes.length) {
            return false;
        }
        for (int i = 0; i < nodes.length; i++) {
            if (!nodes[i].equals(later.nodes[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeTable t && Arrays.equals(nodes, t.nodes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nodes);
    }

    @Override
    public String toString() {
        return "NodeTable" + Arrays.toString(nodes);
    }

    static NodeTable requireNonNull(NodeTable t) {
        return Objects.requireNonNull(t, "node table must not be null");
    }
}
