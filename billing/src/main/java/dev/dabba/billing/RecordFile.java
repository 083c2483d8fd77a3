package dev.dabba.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dabba.billing.internal.ClockText;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes usage records as JSON lines, one record per line (format: {@code docs/record-jsonl.md}), for
 * rating without the pipeline ({@code dabba rate}), rerating and checks.
 *
 * <p>Reading checks every line and reports problems by line and field; blank lines are skipped. A record whose event
 * id appeared before is dropped if it is identical (a duplicate delivery) and refused if it differs.
 */
public final class RecordFile {

    /** At most this many problems are reported; reading stops after that. */
    public static final int MAX_PROBLEMS = 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private static final Set<String> RECORD_FIELDS = Set.of("id", "subscriber", "start", "hlc", "clock", "usage");

    private RecordFile() {
    }

    /** The records of the file at {@code file}, in file order, duplicates dropped. */
    public static List<UsageRecord> read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new RecordFileException(List.of(file + ": cannot read the file: " + e));
        }
    }

    /** The records read from {@code in}; {@code source} names it in messages. */
    public static List<UsageRecord> read(Reader in, String source) {
        Objects.requireNonNull(in, "reader must not be null");
        BufferedReader lines = in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in);
        List<String> problems = new ArrayList<>();
        Map<EventId, UsageRecord> byId = new LinkedHashMap<>();
        Map<EventId, Integer> lineOf = new LinkedHashMap<>();
        int number = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = source + ":" + number + ": ";
                try {
                    UsageRecord r = parse(line);
                    UsageRecord earlier = byId.putIfAbsent(r.id(), r);
                    if (earlier == null) {
                        lineOf.put(r.id(), number);
                    } else if (!earlier.equals(r)) {
                        problems.add(where + "id: " + r.id() + " was already used by a different record on line "
                                + lineOf.get(r.id()));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(where + e.getMessage());
                }
                if (problems.size() >= MAX_PROBLEMS) {
                    problems.add(source + ": stopped after " + MAX_PROBLEMS + " problems");
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
        if (!problems.isEmpty()) {
            throw new RecordFileException(problems);
        }
        return new ArrayList<>(byId.values());
    }

    /** The record on one line; throws {@link IllegalArgumentException} starting with the field's path. */
    public static UsageRecord parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new FieldProblem("(record)", "must be a JSON object");
        }
        onlyFields(node, "", RECORD_FIELDS);
        EventId id = field(node, "id", v -> EventId.parse(text(v, "id")));
        Msisdn subscriber = field(node, "subscriber", v -> Msisdn.of(text(v, "subscriber")));
        Instant start = field(node, "start", v -> {
            try {
                return Instant.parse(text(v, "start"));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("must be an ISO-8601 instant such as 2025-03-10T04:30:00Z, was '"
                        + v.asText() + "'");
            }
        });
        HybridTimestamp hlc = node.has("hlc") ? field(node, "hlc", RecordFile::hlc)
                : new HybridTimestamp(start.toEpochMilli(), 0);
        VectorClock clock = field(node, "clock", RecordFile::clock);
        Usage usage = field(node, "usage", RecordFile::usage);
        try {
            return new UsageRecord(id, subscriber, start, hlc, clock, usage);
        } catch (IllegalArgumentException e) {
            throw new FieldProblem("clock", e.getMessage());
        }
    }

    /** {@code record} as one line of JSON (without the line break), the inverse of {@link #parse}. */
    public static String write(UsageRecord record) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", record.id().toString());
        n.put("subscriber", record.subscriber().value());
        n.put("start", record.start().toString());
        n.put("hlc", record.hlc().toString());
        ObjectNode clock = n.putObject("clock");
        record.clock().entries().forEach(clock::put);
        ObjectNode u = n.putObject("usage");
        Usage usage = record.usage();
        if (usage instanceof Usage.Call) {
            Usage.Call c = (Usage.Call) usage;
            u.put("type", "call");
            u.put("callee", c.callee().value());
            u.put("callType", c.type().name());
            u.put("seconds", c.durationSeconds());
        } else if (usage instanceof Usage.Sms) {
            u.put("type", "sms");
            u.put("recipient", ((Usage.Sms) usage).recipient().value());
        } else {
            Usage.Data d = (Usage.Data) usage;
            u.put("type", "data");
            u.put("radio", d.radio().label());
            u.put("uplinkBytes", d.uplinkBytes());
            u.put("downlinkBytes", d.downlinkBytes());
        }
        return n.toString();
    }

    private static HybridTimestamp hlc(JsonNode v) {
        if (v.isTextual()) {
            return ClockText.parseHybridTimestamp(v.asText());
        }
        if (v.isObject()) {
            onlyFields(v, "", Set.of("wallMillis", "logical"));
            long wall = field(v, "wallMillis", w -> whole(w, "wallMillis"));
            long logical = field(v, "logical", w -> whole(w, "logical"));
            if (logical > Integer.MAX_VALUE) {
                throw new FieldProblem("logical", "must be at most " + Integer.MAX_VALUE);
            }
            return new HybridTimestamp(wall, (int) logical);
        }
        throw new IllegalArgumentException("must be \"WALLMILLIS.LOGICAL\" or {\"wallMillis\": .., \"logical\": ..}");
    }

    private static VectorClock clock(JsonNode v) {
        if (!v.isObject() || v.isEmpty()) {
            throw new IllegalArgumentException("must be a non-empty object of node id to counter, such as "
                    + "{\"MUMBAI_BKC\": 1}");
        }
        Map<String, Long> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            try {
                entries.put(e.getKey(), whole(e.getValue(), e.getKey()));
            } catch (IllegalArgumentException problem) {
                throw new FieldProblem(e.getKey(), problem.getMessage());
            }
        }
        return ClockText.clockOf(entries);
    }

    private static Usage usage(JsonNode v) {
        if (!v.isObject()) {
            throw new IllegalArgumentException("must be an object with a type: call, sms or data");
        }
        String type = field(v, "type", t -> text(t, "type"));
        switch (type) {
            case "call": {
                onlyFields(v, "", Set.of("type", "callee", "callType", "seconds"));
                Msisdn callee = field(v, "callee", c -> Msisdn.of(text(c, "callee")));
                CallType callType = field(v, "callType", c -> {
                    try {
                        return CallType.valueOf(text(c, "callType"));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("must be VOICE, VIDEO or VOLTE, was '" + c.asText() + "'");
                    }
                });
                long seconds = field(v, "seconds", c -> whole(c, "seconds"));
                return new Usage.Call(callee, callType, seconds);
            }
            case "sms": {
                onlyFields(v, "", Set.of("type", "recipient"));
                return new Usage.Sms(field(v, "recipient", c -> Msisdn.of(text(c, "recipient"))));
            }
            case "data": {
                onlyFields(v, "", Set.of("type", "radio", "uplinkBytes", "downlinkBytes"));
                RadioType radio = field(v, "radio", c -> RadioType.parse(text(c, "radio")));
                long up = field(v, "uplinkBytes", c -> whole(c, "uplinkBytes"));
                long down = field(v, "downlinkBytes", c -> whole(c, "downlinkBytes"));
                try {
                    return new Usage.Data(radio, up, down);
                } catch (IllegalArgumentException e) {
                    throw new FieldProblem("downlinkBytes", e.getMessage());
                }
            }
            default:
                throw new FieldProblem("type", "must be call, sms or data, was '" + type + "'");
        }
    }

    /** The value of {@code name} converted, with failures prefixed by the field's path. */
    private static <T> T field(JsonNode node, String name, java.util.function.Function<JsonNode, T> convert) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new FieldProblem(name, "is missing");
        }
        try {
            return convert.apply(v);
        } catch (FieldProblem e) {
            throw new FieldProblem(name + "." + e.path, e.problem);
        } catch (IllegalArgumentException e) {
            throw new FieldProblem(name, e.getMessage());
        }
    }

    /** A problem with the field at {@code path}; its message is {@code path: problem}. */
    private static final class FieldProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String path;
        final String problem;

        FieldProblem(String path, String problem) {
            super(path + ": " + problem);
            this.path = path;
            this.problem = problem;
        }
    }

    private static String text(JsonNode v, String name) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException("must be a string, was " + v);
        }
        return v.asText();
    }

    private static long whole(JsonNode v, String name) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IllegalArgumentException("must be a non-negative whole number, was " + v);
        }
        return v.asLong();
    }

    private static void onlyFields(JsonNode node, String path, Set<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw new FieldProblem(path + n, "unknown field; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }
}
