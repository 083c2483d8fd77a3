package dev.dabba.billing.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The query parameters of one request, decoded strictly: a parameter that is malformed, repeated or not among those
 * the endpoint accepts is an error naming it.
 */
public final class QueryParams {

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code rawQuery} (may be null), accepting only {@code allowed} names. */
    public static QueryParams parse(String rawQuery, Collection<String> allowed) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new QueryParams(values);
        }
        if (rawQuery.length() > 4096) {
            throw new ApiException(414, "query_too_long", null, "the query string must be at most 4096 characters");
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "(name)");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            if (!allowed.contains(name)) {
                throw new ApiException(400, "unknown_parameter", clip(name), "unknown parameter '" + clip(name)
                        + "'; this endpoint accepts " + allowed);
            }
            if (values.put(name, value) != null) {
                throw new ApiException(400, "repeated_parameter", name, "parameter '" + name
                        + "' may be given only once");
            }
        }
        return new QueryParams(values);
    }

    /** The value of {@code name}, if given and non-empty. */
    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static String decode(String raw, String parameter) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "malformed_parameter", clip(parameter), "parameter '" + clip(parameter)
                    + "' is not validly percent-encoded");
        }
    }

    /** {@code s} cut to 64 characters, for echoing untrusted names in messages. */
    public static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
