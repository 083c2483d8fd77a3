package dev.dabba.record;

import dev.dabba.clock.Causality;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Sorts records into a causal order: a linear extension of happens-before, with concurrent records ordered by
 * {@link UsageRecord#TIE_BREAK}.
 *
 * <p>The result depends only on the set of records, never on the order they arrived in: it is Kahn's topological
 * sort where, among the records whose predecessors have all been placed, the smallest by the tie-break goes next.
 * Duplicates (same event id) must be removed before sorting.
 */
public final class CausalOrder {

    private CausalOrder() {
    }

    /** The records in causal order. Quadratic in the number of records: meant for one subscriber's cycle. */
    public static List<UsageRecord> sort(Collection<UsageRecord> records) {
        List<UsageRecord> all = new ArrayList<>(records);
        int n = all.size();
        int[] pendingPredecessors = new int[n];
        List<List<Integer>> successors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            successors.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                Causality c = all.get(i).clock().compare(all.get(j).clock());
                if (c == Causality.BEFORE) {
                    successors.get(i).add(j);
                    pendingPredecessors[j]++;
                } else if (c == Causality.AFTER) {
                    successors.get(j).add(i);
                    pendingPredecessors[i]++;
                } else if (c == Causality.EQUAL) {
                    throw new IllegalArgumentException("records " + all.get(i).id() + " and " + all.get(j).id()
                            + " carry equal clocks; deduplicate before sorting");
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> UsageRecord.TIE_BREAK.compare(all.get(a), all.get(b)));
        for (int i = 0; i < n; i++) {
            if (pendingPredecessors[i] == 0) {
                ready.add(i);
            }
        }
        List<UsageRecord> out = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int next = ready.poll();
            out.add(all.get(next));
            for (int s : successors.get(next)) {
                if (--pendingPredecessors[s] == 0) {
                    ready.add(s);
                }
            }
        }
        return out;
    }
}
