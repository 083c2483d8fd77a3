package dev.dabba.billing.internal;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Rows in PostgreSQL's COPY text format, for {@code COPY ... FROM STDIN}: fields separated by tabs, rows ended by a
 * newline, {@code \N} for NULL, and backslash, tab, newline and carriage return in a value escaped with a
 * backslash. Values go as text and PostgreSQL parses them with each column's own input function, as it does a bound
 * text parameter, so nothing is spliced into SQL.
 */
public final class CopyText {

    private final StringBuilder out = new StringBuilder(1 << 14);
    private boolean rowStarted;
    private int rows;

    private StringBuilder field() {
        if (rowStarted) {
            out.append('\t');
        }
        rowStarted = true;
        return out;
    }

    /** A text value; null is NULL. */
    public CopyText text(String value) {
        StringBuilder sb = field();
        if (value == null) {
            sb.append("\\N");
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
        return this;
    }

    /** An integer value. */
    public CopyText number(long value) {
        field().append(value);
        return this;
    }

    /** An integer value; null is NULL. */
    public CopyText number(Long value) {
        return value == null ? text(null) : number(value.longValue());
    }

    /** An exact decimal, written in full (never in exponent form); null is NULL. */
    public CopyText decimal(BigDecimal value) {
        return value == null ? text(null) : text(value.toPlainString());
    }

    /** A boolean. */
    public CopyText bool(boolean value) {
        field().append(value ? 't' : 'f');
        return this;
    }

    /** An instant for a timestamptz column, in ISO-8601 UTC. */
    public CopyText instant(Instant value) {
        return text(value.toString());
    }

    /** Ends the row. */
    public CopyText endRow() {
        out.append('\n');
        rowStarted = false;
        rows++;
        return this;
    }

    /** Rows ended so far. */
    public int rows() {
        return rows;
    }

    /** The rows as COPY reads them. */
    public String text() {
        if (rowStarted) {
            throw new IllegalStateException("the last row is not ended");
        }
        return out.toString();
    }
}
