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

    /**
     * A check's outcome; unless complete, what is missing ({@code NODE:FROM-TO}, lost ranges marked; only from
     * {@link #check}); when waiting, the first dependency found missing: {@code waitingFor}'s records up to
     * {@code need}.
     */
    record Verdict(State state, String missing, String waitingFor, long need) {
        static final Verdict COMPLETE = new Verdict(State.COMPLETE, null, null, 0);
        static final Verdict LOST = new Verdict(State.LOST, null, null, 0);

        /**
         * Whether the dependency found missing is still missing from {@code frontier}: while it is, the record
         * cannot be complete, so a re-check can wait until it has arrived (frontiers only grow).
         */
        boolean stillWaiting(Frontier frontier) {
            if (state != State.WAITING) {
                return false;
            }
            FrontierAdvance f = frontier.of(waitingFor);
            return (f == null ? 0 : f.prefix()) < need;
        }
    }

    private CausalCoverage() {
    }

    /**
     * The check with what is missing spelled out: for a record that is released incomplete or flagged. Costs more
     * than {@link #state} (it builds the text and looks at every entry); most records need only the state.
     */
    static Verdict check(UsageRecord record, Frontier frontier, Map<Long, Boolean> coveredEpochs) {
        return check(record, frontier, coveredEpochs, true);
    }

    /**
     * The state alone, with the first dependency found missing: stops there and builds no text. What the buffer
     * asks of every record it receives and of every record it re-checks while it waits.
     */
    static Verdict probe(UsageRecord record, Frontier frontier, Map<Long, Boolean> coveredEpochs) {
        return check(record, frontier, coveredEpochs, false);
    }

    private static Verdict check(UsageRecord record, Frontier frontier, Map<Long, Boolean> coveredEpochs,
            boolean describe) {
        VectorClock clock = record.clock();
        String origin = record.origin().value();
        StringBuilder waiting = null;
        StringBuilder lost = null;
        boolean isWaiting = false;
        boolean isLost = false;
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
                if (!describe) {
                    return new Verdict(State.WAITING, null, node, need);
                }
                isWaiting = true;
                waiting = append(waiting, node, prefix + 1, need, "");
            } else if (anyLost && f.lost().intersects(1, need)) {
                isLost = true;
                if (describe) {
                    lost = appendLost(lost, node, f.lost(), need);
                }
            }
        }
        Epoch epoch = clock.epoch();
        if (epoch.number() != Epoch.GENESIS.number()) {
            boolean covered = coveredEpochs.containsKey(epoch.number());
            if (!covered || anyLost) {
                boolean all = true;
                for (Map.Entry<String, Long> e : epoch.baseEntries().entrySet()) {
                    String node = e.getKey();
                    if (clock.get(node) != e.getValue()) {
                        continue; // in the delta: checked above
                    }
                    long need = node.equals(origin) ? Math.min(e.getValue(), clock.get(node) - 1) : e.getValue();
                    FrontierAdvance f = frontier.of(node);
                    long prefix = f == null ? 0 : f.prefix();
                    if (prefix < need) {
                        if (!describe) {
                            return new Verdict(State.WAITING, null, node, need);
                        }
                        all = false;
                        isWaiting = true;
                        waiting = append(waiting, node, prefix + 1, need, "");
                    } else if (anyLost && f != null && f.lost().intersects(1, need)) {
                        isLost = true;
                        if (describe) {
                            lost = appendLost(lost, node, f.lost(), need);
                        }
                    }
                }
                if (all && !covered) {
                    coveredEpochs.put(epoch.number(), Boolean.TRUE);
                }
            }
        }
        if (!isWaiting && !isLost) {
            return Verdict.COMPLETE;
        }
        if (!describe) {
            return Verdict.LOST; // a waiting dependency would have returned above
        }
        String text = waiting == null ? lost.toString()
                : lost == null ? waiting.toString() : waiting + ", " + lost;
        return new Verdict(isWaiting ? State.WAITING : State.LOST, text, null, 0);
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
