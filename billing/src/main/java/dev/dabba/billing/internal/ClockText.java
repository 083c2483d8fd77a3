package dev.dabba.billing.internal;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.VectorClock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Parses the text forms that {@link VectorClock#toString()} ({@code {A:1, B:2}}) and
 * {@link HybridTimestamp#toString()} ({@code 1712345678901.3}) print, for reading them back from storage.
 */
public final class ClockText {

    private ClockText() {
    }

    /** The vector clock printed as {@code text}. */
    public static VectorClock parseVectorClock(String text) {
        Objects.requireNonNull(text, "vector clock text must not be null");
        String s = text.trim();
        if (s.length() < 2 || s.charAt(0) != '{' || s.charAt(s.length() - 1) != '}') {
            throw new IllegalArgumentException("vector clock must look like {NODE:COUNTER, ...}, was '" + text + "'");
        }
        String body = s.substring(1, s.length() - 1).trim();
        Map<String, Long> entries = new LinkedHashMap<>();
        if (!body.isEmpty()) {
            for (String entry : body.split(",")) {
                int colon = entry.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("vector clock entry must look like NODE:COUNTER, was '"
                            + entry.trim() + "' in '" + text + "'");
                }
                String node = entry.substring(0, colon).trim();
                long counter;
                try {
                    counter = Long.parseLong(entry.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("vector clock counter must be a number, was '" + entry.trim()
                            + "' in '" + text + "'", e);
                }
                if (entries.put(node, counter) != null) {
                    throw new IllegalArgumentException("vector clock names node " + node + " twice in '" + text
                            + "'");
                }
            }
        }
        return clockOf(entries);
    }

    /**
     * The vector clock with {@code entries} (node id to counter; zero entries dropped): the one place billing builds
     * clocks, so a change of the clock module's factories touches only this.
     */
    public static VectorClock clockOf(Map<String, Long> entries) {
        return VectorClock.of(entries);
    }

    /** The hybrid timestamp printed as {@code text}. */
    public static HybridTimestamp parseHybridTimestamp(String text) {
        Objects.requireNonNull(text, "hlc text must not be null");
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw new IllegalArgumentException("hlc must look like WALLMILLIS.LOGICAL, was '" + text + "'");
        }
        try {
            return new HybridTimestamp(Long.parseLong(text.substring(0, dot)),
                    Integer.parseInt(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hlc must look like WALLMILLIS.LOGICAL, was '" + text + "'", e);
        }
    }
}
