package dev.dabba.billing.internal;

/** Writes RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled; lines end in CRLF. */
public final class Csv {

    private final StringBuilder sb = new StringBuilder();

    /** Appends one row. */
    public Csv row(Object... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields[i] == null ? "" : fields[i].toString();
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        sb.append("\r\n");
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
