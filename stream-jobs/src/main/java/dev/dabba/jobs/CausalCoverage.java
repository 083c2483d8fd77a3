package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.UsageRecord;
import java.util.Map;

/**
 * Decides whether a record's causal dependencies have all arrived: its clock must be covered by the causal
 * frontier (every other node's entry at most that node's frontier, its own node's frontier at least its sequence
 * minus one). Pure; the causal buffer calls it with the frontier it holds in broadcast state.
 *
 * <p>Cheap by construction: a clock is its epoch's base plus a sparse delta, and frontiers only grow, so once an
 * epoch's base is covered it stays covered; the base is checked once per epoch ({@code coveredEpochs}) and each
 * record costs one lookup per delta entry.
 */
final class CausalCoverage {

    /** The frontier as the buffer knows it. */
    interface Frontier {
        /** The node's frontier, or {@code null} when nothing was received from it. */
        FrontierAdvance of(String node);

        /** Whether any node has given-up (lost) sequences; when none has, lost checks are skipped. */
        boolean anyLost();
    }

    /** The outcome of a check. */
    enum State {
        /** Every dependency has arrived. */
        COMPLETE,
        /** The frontier covers the clock, but some dependency was given up as lost: release now, flagged. */
        LOST,
        /** Some dependency has not arrived yet. */
        WAITING
    }

    /** A check's outcome and, unless complete, what is missing ({@code NODE:FROM-TO}, lost ranges marked). */
    record Verdict(State state, String missing) {
        static final Verdict COMPLETE = new Verdict(State.COMPLETE, null);
    }

    private CausalCoverage() {
    }

    static Verdict check(UsageRecord record, Frontier frontier, Map<Long, Boolean> coveredEpochs) {
        VectorClock clock = record.clock();
        String origin = record.origin().value();
        StringBuilder waiting = null;
        StringBuilder lost = null;
        boolean anyLost = frontier.anyLost();
        for (int i = 0; i < clock.deltaSize(); i++) {
            String node = clock.deltaIdAt(i);
            long need = node.equals(origin) ? clock.deltaCounterAt(i) - 1 : clock.deltaCounterAt(i);
            if (need <= 0) {
                continue;
            }
            FrontierAdvance f = frontier.of(node);
            long prefix = f == null ? 0 : f.prefix();
            if (prefix < need) {
                waiting = append(waiting, node, prefix + 1, need, "");
            } else if (anyLost && f.lost().intersects(1, need)) {
                lost = appendLost(lost, node, f.lost(), need);
            }
        }
        Epoch epoch = clock.epoch();
        if (epoch.number() != Epoch.GENESIS.number()) {
            boolean covered = coveredEpochs.containsKey(epoch.number());
            if (!covered || anyLost) {
                boolean all = true;
                for (Map.Entry<String, Long> e : epoch.baseEntries().entrySet()) {
                    String node = e.getKey();
                    long need = node.equals(origin) ? Math.min(e.getValue(), clock.get(node) - 1) : e.getValue();
                    FrontierAdvance f = frontier.of(node);
                    long prefix = f == null ? 0 : f.prefix();
                    if (clock.get(node) != e.getValue()) {
                        continue; // in the delta: checked above
                    }
                    if (prefix < need) {
                        all = false;
                        waiting = append(waiting, node, prefix + 1, need, "");
                    } else if (anyLost && f != null && f.lost().intersects(1, need)) {
                        lost = appendLost(lost, node, f.lost(), need);
                    }
                }
                if (all && !covered) {
                    coveredEpochs.put(epoch.number(), Boolean.TRUE);
                }
            }
        }
        if (waiting == null && lost == null) {
            return Verdict.COMPLETE;
        }
        String text = waiting == null ? lost.toString()
                : lost == null ? waiting.toString() : waiting + ", " + lost;
        return new Verdict(waiting == null ? State.LOST : State.WAITING, text);
    }

    private static StringBuilder append(StringBuilder sb, String node, long from, long to, String suffix) {
        StringBuilder b = sb == null ? new StringBuilder() : sb.append(", ");
        return b.append(node).append(':').append(from).append('-').append(to).append(suffix);
    }

    private static StringBuilder appendLost(StringBuilder sb, String node, SequenceRanges lost, long need) {
        StringBuilder b = sb;
        for (int r = 0; r < lost.rangeCount() && lost.startOf(r) <= need; r++) {
            b = append(b, node, lost.startOf(r), Math.min(lost.endOf(r), need), " lost");
        }
        return b;
    }
}
