package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The job's keyed core (frontier and dedupe, causal buffer, bill) wired together through operator test harnesses,
 * with processing time and watermarks moved explicitly: a deterministic, fast stand-in for the cluster that any
 * arrival schedule can be fed to.
 */
final class PipelineSimulation implements AutoCloseable {

    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, UsageRecord> frontier;
    private final KeyedBroadcastOperatorTestHarness<String, UsageRecord, FrontierAdvance, ReleasedRecord> buffer;
    private final KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> bill;
    private final Map<String, Bill> latest = new TreeMap<>();
    private final List<CloneAlert> alerts = new ArrayList<>();
    private long now;
    private int releasedIncomplete;

    PipelineSimulation() throws Exception {
        JobSettings s = JobSettings.builder().maxCausalWait(MAX_WAIT).build();
        frontier = Harnesses.keyed(new NodeFrontierFunction(s.frontierInterval(), s.maxCausalWait(),
                s.maxLostRanges()), r -> r.origin().value(), Types.STRING, SerializerTypeInfo.USAGE_RECORD);
        buffer = Harnesses.keyedBroadcast(new CausalBufferFunction(s.maxCausalWait(), s.causalRecheck(),
                s.incompleteRetention()), r -> r.subscriber().value(), Types.STRING,
                SerializerTypeInfo.RELEASED_RECORD, CausalBufferFunction.FRONTIER, CausalBufferFunction.LOST_NODES);
        bill = Harnesses.keyed(SubscriberBillFunction.withDefaults(s.billEmitInterval()), new SubscriberCycleKey(),
                Types.STRING, SerializerTypeInfo.BILL);
        setTime(0);
    }

    /** A record arrives at processing time {@code at} (not before the previous arrival). */
    void arrive(UsageRecord record, long at) throws Exception {
        setTime(at);
        frontier.processElement(record, record.hlc().wallMillis());
        route();
    }

    /** Lets time pass until nothing waits any more, then closes every cycle; returns the final bills by key. */
    Map<String, Bill> finish() throws Exception {
        for (int i = 0; i < 6; i++) {
            setTime(now + MAX_WAIT.toMillis());
            setTime(now + 1_000);
        }
        bill.processWatermark(Long.MAX_VALUE);
        route();
        return latest;
    }

    List<CloneAlert> alerts() {
        return alerts;
    }

    /** How many records the buffer released before their dependencies had arrived. */
    int releasedIncomplete() {
        return releasedIncomplete;
    }

    int bufferedStateEntries() {
        return Harnesses.keyedStateEntries(buffer);
    }

    private void setTime(long t) throws Exception {
        now = Math.max(now, t);
        frontier.setProcessingTime(now);
        route();
        buffer.setProcessingTime(now);
        route();
        bill.setProcessingTime(now);
        route();
    }

    private void route() throws Exception {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (FrontierAdvance a : Harnesses.drain(frontier, NodeFrontierFunction.ADVANCES)) {
                buffer.processBroadcastElement(a, 0);
                moved = true;
            }
            for (UsageRecord r : Harnesses.drain(frontier)) {
                buffer.processElement(r, r.hlc().wallMillis());
                moved = true;
            }
            for (ReleasedRecord r : Harnesses.drain(buffer)) {
                releasedIncomplete += r.isComplete() ? 0 : 1;
                bill.processElement(r, r.record().hlc().wallMillis());
                moved = true;
            }
            for (Bill b : Harnesses.drain(bill)) {
                String key = b.subscriber().value() + "|" + b.cycle();
                Bill known = latest.get(key);
                if (known == null || known.version() < b.version()) {
                    latest.put(key, b);
                }
            }
            alerts.addAll(Harnesses.drain(bill, SubscriberBillFunction.ALERTS));
        }
    }

    @Override
    public void close() throws Exception {
        frontier.close();
        buffer.close();
        bill.close();
    }
}
