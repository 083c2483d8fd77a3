package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.LineMarks;
import dev.dabba.billing.Tariff;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.EventId;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The bills the job must end with, computed directly from the set of records: an independent oracle. */
final class BillOracle {

    private BillOracle() {
    }

    /** The bills of the records by {@code MSISDN|YYYY-MM}: complete, clone suspects flagged, FINAL if closed. */
    static Map<String, Bill> bills(List<UsageRecord> records, boolean closed) {
        JobSettings s = JobSettings.defaults();
        CloneDetector clones = new CloneDetector(s.towers(), s.cloneDistanceKm(), s.cloneSlack());
        Map<String, List<UsageRecord>> byBill = new TreeMap<>();
        for (UsageRecord r : records) {
            byBill.computeIfAbsent(r.subscriber().value() + "|" + BillingCycle.of(r.start()), k -> new ArrayList<>())
                    .add(r);
        }
        Map<String, Bill> out = new TreeMap<>();
        for (Map.Entry<String, List<UsageRecord>> e : byBill.entrySet()) {
            List<UsageRecord> set = e.getValue();
            YearMonth cycle = BillingCycle.of(set.get(0).start());
            Set<EventId> suspects = new HashSet<>();
            for (int i = 0; i < set.size(); i++) {
                for (int j = i + 1; j < set.size(); j++) {
                    if (clones.check(set.get(i), set.get(j), cycle.toString()).isPresent()) {
                        suspects.add(set.get(i).id());
                        suspects.add(set.get(j).id());
                    }
                }
            }
            long newest = set.stream().mapToLong(r -> r.hlc().wallMillis()).max().orElseThrow();
            out.put(e.getKey(), Bill.compute(set.get(0).subscriber(), cycle, BillVersions.of(set.size(), 0, closed),
                    closed ? BillStatus.FINAL : BillStatus.PROVISIONAL, CausalOrder.sort(set), Tariff.seedDefault(), Instant.ofEpochMilli(newest),
                    new LineMarks() {
                        @Override
                        public String missingDependencies(EventId record) {
                            return null;
                        }

                        @Override
                        public boolean cloneSuspect(EventId record) {
                            return suspects.contains(record);
                        }
                    }));
        }
        return out;
    }
}
