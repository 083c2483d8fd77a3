package dev.dabba.bench.clock;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Baseline: a vector clock the way the seed document writes one, a {@code HashMap<String, Long>} (the seed's Python
 * dict), with its algorithms and their cost: compare and merge build the union of both key sets and look every key up
 * in both maps (the seed's {@code happens_before} and {@code merge_vector_clocks}), and a message carries the clock as
 * JSON text (the seed's {@code json.dumps}).
 *
 * <p>Not the seed's bugs: compare answers all four relations in one pass (the seed calls {@code happens_before} twice
 * and reports equal clocks as concurrent), and a missing entry is zero.
 */
final class HashMapClock {

    final Map<String, Long> versions;

    HashMapClock(Map<String, Long> versions) {
        this.versions = versions;
    }

    /** -1 before, 1 after, 0 equal, 2 concurrent. */
    int compare(HashMapClock other) {
        Set<String> all = new HashSet<>(versions.keySet());
        all.addAll(other.versions.keySet());
        boolean less = false;
        boolean greater = false;
        for (String node : all) {
            long a = versions.getOrDefault(node, 0L);
            long b = other.versions.getOrDefault(node, 0L);
            if (a < b) {
                less = true;
            } else if (a > b) {
                greater = true;
            }
        }
        return less && greater ? 2 : less ? -1 : greater ? 1 : 0;
    }

    HashMapClock merge(HashMapClock other) {
        Set<String> all = new HashSet<>(versions.keySet());
        all.addAll(other.versions.keySet());
        Map<String, Long> merged = new HashMap<>();
        for (String node : all) {
            merged.put(node, Math.max(versions.getOrDefault(node, 0L), other.versions.getOrDefault(node, 0L)));
        }
        return new HashMapClock(merged);
    }

    HashMapClock increment(String node) {
        Map<String, Long> next = new HashMap<>(versions);
        next.merge(node, 1L, Long::sum);
        return new HashMapClock(next);
    }

    /** A handover message as the seed sends one: JSON with the whole clock. */
    static byte[] encodeHandover(String from, String to, String subscriber, long hlcWall, int hlcLogical,
            HashMapClock clock) {
        StringBuilder sb = new StringBuilder(96 + 24 * clock.versions.size());
        sb.append("{\"from\":\"").append(from).append("\",\"to\":\"").append(to).append("\",\"subscriber\":\"")
                .append(subscriber).append("\",\"hlc\":[").append(hlcWall).append(',').append(hlcLogical)
                .append("],\"vector_clock\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : clock.versions.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(e.getKey()).append("\":").append(e.getValue().longValue());
        }
        return sb.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The clock of a handover message written by {@link #encodeHandover}, parsed as JSON. */
    static HashMapClock decodeHandoverClock(byte[] json) {
        return new Json(new String(json, StandardCharsets.UTF_8)).handoverClock();
    }

    /** A small JSON reader for the message shape above: an object of strings, numbers, arrays and objects. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        HashMapClock handoverClock() {
            HashMapClock clock = null;
            expect('{');
            while (true) {
                String key = string();
                expect(':');
                switch (key) {
                    case "vector_clock" -> clock = new HashMapClock(counters());
                    case "hlc" -> {
                        expect('[');
                        number();
                        expect(',');
                        number();
                        expect(']');
                    }
                    default -> string();
                }
                if (s.charAt(i) == ',') {
                    i++;
                } else {
                    expect('}');
                    return clock;
                }
            }
        }

        private Map<String, Long> counters() {
            Map<String, Long> m = new HashMap<>();
            expect('{');
            if (s.charAt(i) == '}') {
                i++;
                return m;
            }
            while (true) {
                String key = string();
                expect(':');
                m.put(key, number());
                if (s.charAt(i) == ',') {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private String string() {
            expect('"');
            int start = i;
            while (s.charAt(i) != '"') {
                i++;
            }
            return s.substring(start, i++);
        }

        private long number() {
            long v = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                v = v * 10 + (s.charAt(i++) - '0');
            }
            return v;
        }

        private void expect(char c) {
            if (s.charAt(i++) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
            }
        }
    }
}
