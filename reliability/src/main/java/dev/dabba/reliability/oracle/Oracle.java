package dev.dabba.reliability.oracle;

import dev.dabba.record.EventId;
import dev.dabba.record.Usage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bills a correct pipeline must end with, computed directly from the set of generated records: deliberately
 * simple and separate from the pipeline.
 *
 * <ol>
 *   <li>Dedupe by event id (the same id twice with different contents is an error: ids must never be reused).</li>
 *   <li>Group by subscriber and billing cycle (calendar month of the start in Asia/Kolkata).</li>
 *   <li>Order each bill by the execution's own happens-before ({@link GeneratedRecord#happenedBefore}, from the
 *       generator's bookkeeping): Kahn's algorithm, taking among ready records the smallest by hybrid timestamp,
 *       tower, sequence. Quadratic, and that is fine for test sizes.</li>
 *   <li>Rate with {@link SeedPlanRater}; a line is concurrent when it is not ordered with a neighbour.</li>
 * </ol>
 */
public final class Oracle {

    private static final Comparator<GeneratedRecord> TIE = Comparator
            .comparing((GeneratedRecord r) -> r.hlc() == null ? Long.MIN_VALUE : r.hlc().wallMillis())
            .thenComparingInt(r -> r.hlc() == null ? Integer.MIN_VALUE : r.hlc().logical())
            .thenComparing(r -> r.id().origin().value())
            .thenComparingLong(r -> r.id().sequence());

    private Oracle() {
    }

    /** The unique records of {@code generated} by event id. */
    public static Map<EventId, GeneratedRecord> unique(Collection<GeneratedRecord> generated) {
        Map<EventId, GeneratedRecord> unique = new LinkedHashMap<>();
        for (GeneratedRecord r : generated) {
            GeneratedRecord before = unique.putIfAbsent(r.id(), r);
            if (before != null && !sameRecord(before, r)) {
                throw new IllegalStateException("event id " + r.id() + " stands for two records: " + before
                        + " and " + r);
            }
        }
        return unique;
    }

    private static boolean sameRecord(GeneratedRecord a, GeneratedRecord b) {
        return a.subscriber().equals(b.subscriber()) && a.start().equals(b.start()) && a.usage().equals(b.usage());
    }

    /** Every bill of the records, by subscriber and cycle. */
    public static Map<BillKey, ExpectedBill> bills(Collection<GeneratedRecord> generated) {
        Map<BillKey, List<GeneratedRecord>> byBill = new TreeMap<>();
        for (GeneratedRecord r : unique(generated).values()) {
            byBill.computeIfAbsent(BillKey.of(r.subscriber(), r.start()), k -> new ArrayList<>()).add(r);
        }
        Map<BillKey, ExpectedBill> out = new TreeMap<>();
        byBill.forEach((key, records) -> out.put(key, bill(key, records)));
        return out;
    }

    private static ExpectedBill bill(BillKey key, List<GeneratedRecord> records) {
        List<GeneratedRecord> remaining = new ArrayList<>(records);
        List<GeneratedRecord> ordered = new ArrayList<>(records.size());
        boolean exact = true;
        while (!remaining.isEmpty()) {
            List<GeneratedRecord> ready = new ArrayList<>();
            for (GeneratedRecord candidate : remaining) {
                boolean blocked = false;
                for (GeneratedRecord other : remaining) {
                    if (other.happenedBefore(candidate)) {
                        blocked = true;
                        break;
                    }
                }
                if (!blocked) {
                    ready.add(candidate);
                }
            }
            if (ready.isEmpty()) {
                throw new IllegalStateException("the generated happens-before of " + key + " has a cycle");
            }
            if (ready.size() > 1 && ready.stream().anyMatch(r -> r.hlc() == null)) {
                exact = false;
            }
            GeneratedRecord next = ready.stream().min(TIE).orElseThrow();
            ordered.add(next);
            remaining.remove(next);
        }
        Map<EventId, Long> amounts = SeedPlanRater.rate(records);
        List<ExpectedLine> lines = new ArrayList<>(ordered.size());
        long calls = 0;
        long sms = 0;
        long data = 0;
        for (int i = 0; i < ordered.size(); i++) {
            GeneratedRecord r = ordered.get(i);
            boolean concurrent = (i > 0 && !ordered.get(i - 1).happenedBefore(r))
                    || (i + 1 < ordered.size() && !r.happenedBefore(ordered.get(i + 1)));
            long paisa = amounts.get(r.id());
            lines.add(new ExpectedLine(r.id(), paisa, concurrent));
            if (r.usage() instanceof Usage.Call) {
                calls = Math.addExact(calls, paisa);
            } else if (r.usage() instanceof Usage.Sms) {
                sms = Math.addExact(sms, paisa);
            } else {
                data = Math.addExact(data, paisa);
            }
        }
        return new ExpectedBill(key, lines, exact, calls, sms, data);
    }
}
