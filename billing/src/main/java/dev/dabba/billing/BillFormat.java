package dev.dabba.billing;

import java.util.Locale;

/** How bills and listings are printed: a table for people, JSON for programs, CSV for spreadsheets. */
public enum BillFormat {
    /** Aligned columns for a terminal. */
    TABLE,
    /** One JSON object; money as decimal strings plus integer paisa, never binary fractions. */
    JSON,
    /** Comma-separated values with a header row, one row per line (or per bill in listings), RFC 4180 quoting. */
    CSV;

    /** Parses {@code table}, {@code json} or {@code csv}, in any case. */
    public static BillFormat parse(String text) {
        for (BillFormat f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("format must be table, json or csv, was '" + text + "'");
    }

    /** The name as typed on the command line: {@code table}, {@code json}, {@code csv}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
