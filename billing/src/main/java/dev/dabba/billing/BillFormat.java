package dev.dabba.billing;

import java.util.Locale;

/** How a bill is printed: a table for people or JSON for programs. */
public enum BillFormat {
    /** Aligned columns for a terminal. */
    TABLE,
    /** One JSON object; money as decimal strings plus integer paisa, never floats. */
    JSON;

    /** Parses {@code table} or {@code json}, in any case. */
    public static BillFormat parse(String text) {
        for (BillFormat f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("format must be table or json, was '" + text + "'");
    }

    /** The name as typed on the command line: {@code table}, {@code json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
