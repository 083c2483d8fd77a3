package dev.dabba.billing;

import dev.dabba.record.EventId;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each partial call record of a bill sits in its call, so the rating engine rates the parts of a call cut at
 * handovers as one call (stitching). Parts of a call are grouped by call reference and ordered by part sequence (then
 * event id, so two parts claiming one sequence still order the same way everywhere); a part's offset is the sum of
 * the durations of the parts before it, and the call starts at its first part's start. A function of the set of
 * records, so a missing part that turns up later changes the bill exactly as if it had always been there.
 */
final class CallPlan {

    /** A part's place in its call. */
    record Part(String callReference, long offset, long callDuration, long callStartMillis) {
    }

    private final Map<EventId, Part> parts;

    private CallPlan(Map<EventId, Part> parts) {
        this.parts = parts;
    }

    /** The plan of {@code records}, or {@code null} when none is a partial call (the common case costs nothing). */
    static CallPlan of(List<UsageRecord> records) {
        Map<String, List<UsageRecord>> byCall = null;
        for (UsageRecord r : records) {
            if (r != null && r.usage() instanceof Usage.Call && ((Usage.Call) r.usage()).isPartial()) {
                if (byCall == null) {
                    byCall = new HashMap<>();
                }
                byCall.computeIfAbsent(((Usage.Call) r.usage()).part().callReference(), k -> new ArrayList<>()).add(r);
            }
        }
        if (byCall == null) {
            return null;
        }
        Map<EventId, Part> parts = new HashMap<>();
        for (Map.Entry<String, List<UsageRecord>> e : byCall.entrySet()) {
            List<UsageRecord> call = e.getValue();
            call.sort(Comparator.<UsageRecord>comparingInt(r -> ((Usage.Call) r.usage()).part().sequence())
                    .thenComparing(UsageRecord::id));
            long total = 0;
            for (UsageRecord r : call) {
                total = Math.addExact(total, ((Usage.Call) r.usage()).durationSeconds());
            }
            long start = call.get(0).start().toEpochMilli();
            long offset = 0;
            for (UsageRecord r : call) {
                parts.put(r.id(), new Part(e.getKey(), offset, total, start));
                offset += ((Usage.Call) r.usage()).durationSeconds();
            }
        }
        return new CallPlan(parts);
    }

    /** The part {@code record} is, or {@code null} when it is not a partial call. */
    Part partOf(UsageRecord record) {
        return parts.get(record.id());
    }
}
