package dev.dabba.deploy.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A usage record as the seed's tower code builds it ({@code record_call_event}, {@code record_data_usage}): a JSON
 * object with the tower's whole vector clock as a JSON object over every tower of the region (zeros included,
 * {@code {tower: 0 for tower in region_towers}}), the wall time as float seconds, and the cost computed at the tower
 * in float paisa. Two additions the seed lacks: SMS records (the seed declares them but never builds one; billed 0
 * as the seed would) and {@code event_id}, which the benchmark needs to time each record (the seed has no ids).
 */
final class SeedJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private SeedJson() {
    }

    /** The seed's record for {@code r}, its clock written over all of {@code region}. */
    static byte[] encode(UsageRecord r, List<NodeId> region) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event_id", r.id().toString());
        Usage u = r.usage();
        if (u instanceof Usage.Call c) {
            m.put("event_type", "CALL");
            m.put("caller", r.subscriber().value());
            m.put("receiver", c.callee().value());
            m.put("duration_seconds", c.durationSeconds());
            m.put("call_type", c.type().name());
        } else if (u instanceof Usage.Data d) {
            long bytes = d.uplinkBytes() + d.downlinkBytes();
            m.put("event_type", "DATA");
            m.put("user_number", r.subscriber().value());
            m.put("bytes_consumed", bytes);
            m.put("mb_consumed", bytes / (1024.0 * 1024.0));
            m.put("data_type", d.radio().label());
        } else if (u instanceof Usage.Sms s) {
            m.put("event_type", "SMS");
            m.put("sender", r.subscriber().value());
            m.put("recipient", s.recipient().value());
        }
        m.put("tower_id", r.origin().value());
        Map<String, Long> vector = new LinkedHashMap<>();
        for (NodeId t : region) {
            vector.put(t.value(), r.clock().get(t));
        }
        m.put("vector_clock", vector);
        m.put("timestamp", r.start().toEpochMilli() / 1000.0);
        if (u instanceof Usage.Call c) {
            m.put("billing_rate", callRate(c.type()));
            m.put("cost_paisa", callRate(c.type()) * c.durationSeconds());
        } else if (u instanceof Usage.Data d) {
            m.put("billing_rate_per_mb", dataRate(d.radio()));
            m.put("cost_paisa", (d.uplinkBytes() + d.downlinkBytes()) / (1024.0 * 1024.0) * dataRate(d.radio()));
        } else {
            m.put("cost_paisa", 0.0);
        }
        try {
            return MAPPER.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + r.id() + " as JSON", e);
        }
    }

    /** Bytes of the {@code "vector_clock":{...}} member alone, for the clock-bytes comparison. */
    static int vectorBytes(UsageRecord r, List<NodeId> region) {
        Map<String, Long> vector = new LinkedHashMap<>();
        for (NodeId t : region) {
            vector.put(t.value(), r.clock().get(t));
        }
        try {
            return "\"vector_clock\":".length() + MAPPER.writeValueAsBytes(vector).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The seed tariff, paisa per second. */
    static double callRate(CallType type) {
        return switch (type) {
            case VOICE -> 1.0;
            case VIDEO -> 2.0;
            case VOLTE -> 0.5;
        };
    }

    /** The seed tariff, paisa per MiB. */
    static double dataRate(RadioType radio) {
        return switch (radio) {
            case G3 -> 10.0;
            case G4 -> 5.0;
            case G5 -> 3.0;
        };
    }
}
