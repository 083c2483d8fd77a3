package dev.dabba.agent.internal.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.dabba.agent.UsageEvent;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the local input's JSON lines (one JSON object per line; schema in {@code docs/agent-config.md}) and
 * validates every field, naming the line and the field in each problem. Unknown fields are errors, so a typo never
 * silently drops data.
 */
public final class InputParser {

    /** One valid input line. */
    public sealed interface Line permits UsageLine, HandoverLine, ArrivalLine, CallStartLine, CallEndLine {
        int line();
    }

    /** A call, SMS or data record to stamp. */
    public record UsageLine(int line, UsageEvent event) implements Line {
    }

    /** The subscriber leaves this tower for {@code to}. */
    public record HandoverLine(int line, Msisdn subscriber, NodeId to, Instant at) implements Line {
    }

    /** The subscriber arrived here from {@code from}. */
    public record ArrivalLine(int line, Msisdn subscriber, NodeId from) implements Line {
    }

    /** A call begins here (its parts are recorded at handovers and at its end). */
    public record CallStartLine(int line, Msisdn subscriber, Msisdn callee, CallType type, Instant start)
            implements Line {
    }

    /** The subscriber's call ends here. */
    public record CallEndLine(int line, Msisdn subscriber, Instant end) implements Line {
    }

    /** What is wrong, where. */
    public record Problem(int line, String field, String message) {
    }

    /** The valid lines, or the problems (then nothing is to be applied). */
    public record Result(List<Line> lines, List<Problem> problems) {
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int MAX_PROBLEMS = 100;

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "call", Set.of("type", "subscriber", "start", "callee", "callType", "durationSeconds"),
            "sms", Set.of("type", "subscriber", "start", "recipient"),
            "data", Set.of("type", "subscriber", "start", "radio", "uplinkBytes", "downlinkBytes"),
            "handover", Set.of("type", "subscriber", "to", "at"),
            "arrival", Set.of("type", "subscriber", "from"),
            "call-start", Set.of("type", "subscriber", "start", "callee", "callType"),
            "call-end", Set.of("type", "subscriber", "end"));

    private InputParser() {
    }

    /** Parses a request body of JSON lines; blank lines are skipped. */
    public static Result parse(String body) {
        List<Line> lines = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int number = 0;
        int start = 0;
        while (start <= body.length() && problems.size() < MAX_PROBLEMS) {
            int end = body.indexOf('\n', start);
            if (end < 0) {
                end = body.length();
            }
            number++;
            String text = body.substring(start, end).strip();
            start = end + 1;
            if (!text.isEmpty()) {
                LineReader reader = new LineReader(number, problems);
                Line parsed = reader.parse(text);
                if (parsed != null) {
                    lines.add(parsed);
                }
            }
            if (end == body.length()) {
                break;
            }
        }
        if (lines.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(0, "body", "no JSON lines in the request body"));
        }
        return new Result(problems.isEmpty() ? lines : List.of(), problems);
    }

    private static final class LineReader {
        private final int line;
        private final List<Problem> problems;
        private final int before;
        private Map<String, Object> fields;

        LineReader(int line, List<Problem> problems) {
            this.line = line;
            this.problems = problems;
            this.before = problems.size();
        }

        Line parse(String text) {
            try {
                fields = object(text);
            } catch (IOException e) {
                String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
                problem("json", "not a JSON object: " + msg);
                return null;
            }
            if (fields == null) {
                return null;
            }
            Object typeValue = fields.get("type");
            if (!(typeValue instanceof String type)) {
                problem("type", typeValue == null ? "is required (call, sms, data, handover, arrival, call-start, "
                        + "call-end)" : "must be a string");
                return null;
            }
            Set<String> allowed = FIELDS.get(type);
            if (allowed == null) {
                problem("type", "must be one of call, sms, data, handover, arrival, call-start, call-end, was '"
                        + type + "'");
                return null;
            }
            for (String name : fields.keySet()) {
                if (!allowed.contains(name)) {
                    problem(name, "is not a field of a " + type + " line (fields: " + String.join(", ",
                            new java.util.TreeSet<>(allowed)) + ")");
                }
            }
            Line result = switchType(type);
            return problems.size() == before ? result : null;
        }

        private Line switchType(String type) {
            Msisdn subscriber = msisdn("subscriber", true);
            switch (type) {
                case "call": {
                    Instant start = instant("start", true);
                    Msisdn callee = msisdn("callee", true);
                    CallType callType = callType();
                    Long seconds = nonNegative("durationSeconds", true);
                    return ok() ? new UsageLine(line, new UsageEvent(subscriber, start,
                            new Usage.Call(callee, callType, seconds))) : null;
                }
                case "sms": {
                    Instant start = instant("start", true);
                    Msisdn recipient = msisdn("recipient", true);
                    return ok() ? new UsageLine(line, new UsageEvent(subscriber, start, new Usage.Sms(recipient)))
                            : null;
                }
                case "data": {
                    Instant start = instant("start", true);
                    RadioType radio = radio();
                    Long up = nonNegative("uplinkBytes", true);
                    Long down = nonNegative("downlinkBytes", true);
                    if (up != null && down != null && up > Long.MAX_VALUE - down) {
                        problem("downlinkBytes", "uplinkBytes + downlinkBytes overflows");
                    }
                    return ok() ? new UsageLine(line, new UsageEvent(subscriber, start,
                            new Usage.Data(radio, up, down))) : null;
                }
                case "handover": {
                    NodeId to = node("to");
                    Instant at = instant("at", false);
                    return ok() ? new HandoverLine(line, subscriber, to, at) : null;
                }
                case "arrival": {
                    NodeId from = node("from");
                    return ok() ? new ArrivalLine(line, subscriber, from) : null;
                }
                case "call-start": {
                    Instant start = instant("start", true);
                    Msisdn callee = msisdn("callee", true);
                    CallType callType = callType();
                    return ok() ? new CallStartLine(line, subscriber, callee, callType, start) : null;
                }
                default: {
                    Instant end = instant("end", true);
                    return ok() ? new CallEndLine(line, subscriber, end) : null;
                }
            }
        }

        private boolean ok() {
            return problems.size() == before;
        }

        private void problem(String field, String message) {
            problems.add(new Problem(line, field, message));
        }

        private Object required(String field, boolean required) {
            Object v = fields.get(field);
            if (v == null && required) {
                problem(field, "is required");
            }
            return v;
        }

        private Msisdn msisdn(String field, boolean required) {
            Object v = required(field, required);
            if (v == null) {
                return null;
            }
            if (!(v instanceof String s)) {
                problem(field, "must be a string like \"+91-9876543210\"");
                return null;
            }
            try {
                return Msisdn.of(s);
            } catch (IllegalArgumentException e) {
                problem(field, e.getMessage());
                return null;
            }
        }

        private NodeId node(String field) {
            Object v = required(field, true);
            if (v == null) {
                return null;
            }
            if (!(v instanceof String s) || !NodeId.isValid(s)) {
                problem(field, "must be a node id of 1-64 characters [A-Za-z0-9_.-], was " + render(v));
                return null;
            }
            return NodeId.of(s);
        }

        private Instant instant(String field, boolean required) {
            Object v = required(field, required);
            if (v == null) {
                return null;
            }
            if (v instanceof Long ms) {
                if (ms < 0) {
                    problem(field, "epoch milliseconds must be non-negative, was " + ms);
                    return null;
                }
                return Instant.ofEpochMilli(ms);
            }
            if (v instanceof String s) {
                try {
                    Instant t = Instant.parse(s);
                    if (t.isBefore(Instant.EPOCH)) {
                        problem(field, "must not be before 1970-01-01T00:00:00Z, was " + render(v));
                        return null;
                    }
                    return t;
                } catch (DateTimeException e) {
                    problem(field, "must be an ISO-8601 instant like \"2026-11-26T04:30:00Z\" or epoch "
                            + "milliseconds, was " + render(v));
                    return null;
                }
            }
            problem(field, "must be an ISO-8601 instant string or epoch milliseconds, was " + render(v));
            return null;
        }

        private Long nonNegative(String field, boolean required) {
            Object v = required(field, required);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Long n) || n < 0) {
                problem(field, "must be a non-negative integer, was " + render(v));
                return null;
            }
            return n;
        }

        private CallType callType() {
            Object v = required("callType", true);
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                try {
                    return CallType.valueOf(s.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    // fall through
                }
            }
            problem("callType", "must be VOICE, VIDEO or VOLTE, was " + render(v));
            return null;
        }

        private RadioType radio() {
            Object v = required("radio", true);
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                try {
                    return RadioType.parse(s);
                } catch (IllegalArgumentException e) {
                    // fall through
                }
            }
            problem("radio", "must be 3G, 4G or 5G, was " + render(v));
            return null;
        }

        private static String render(Object v) {
            return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        }

        /** A flat JSON object: strings, integers, decimals, booleans, nulls. */
        private Map<String, Object> object(String text) throws IOException {
            try (JsonParser p = JSON.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    problem("json", "each line must be one JSON object");
                    return null;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    Object value;
                    switch (v) {
                        case VALUE_STRING:
                            value = p.getText();
                            break;
                        case VALUE_NUMBER_INT:
                            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                                problem(name, "is too large");
                                value = "";
                            } else {
                                value = p.getLongValue();
                            }
                            break;
                        case VALUE_NUMBER_FLOAT:
                            value = p.getDoubleValue();
                            break;
                        case VALUE_TRUE:
                        case VALUE_FALSE:
                            value = p.getBooleanValue();
                            break;
                        case VALUE_NULL:
                            value = null;
                            break;
                        default:
                            problem(name, "must be a string or a number, not an object or array");
                            p.skipChildren();
                            value = "";
                    }
                    if (out.containsKey(name)) {
                        problem(name, "appears twice");
                    }
                    out.put(name, value);
                }
                if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                    problem("json", "each line must be exactly one JSON object");
                    return null;
                }
                return out;
            }
        }
    }
}
