package dev.dabba.billing.internal;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with padded columns, for terminals: add rows, then {@link #render()}. */
public final class TextTable {

    private static final String GAP = "  ";

    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** A table with {@code headers}; a header starting with {@code >} is right-aligned (the {@code >} is dropped). */
    public TextTable(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].startsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
        }
    }

    /** Adds a row with one cell per column. */
    public TextTable row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row must have " + headers.length + " cells, had " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    /** The table, header first, one line per row, each ending in a newline and without trailing spaces. */
    public String render() {
        return render(true);
    }

    /** The rows only, aligned as in {@link #render()}, for tables whose columns need no header. */
    public String renderRows() {
        return render(false);
    }

    private String render(boolean withHeader) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        if (withHeader) {
            appendRow(sb, headers, widths);
        }
        for (String[] row : rows) {
            appendRow(sb, row, widths);
        }
        return sb.toString();
    }

    private void appendRow(StringBuilder sb, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(GAP);
            }
            String pad = " ".repeat(widths[i] - cells[i].length());
            line.append(rightAligned[i] ? pad + cells[i] : cells[i] + pad);
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
