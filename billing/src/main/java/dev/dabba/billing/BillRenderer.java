package dev.dabba.billing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dabba.billing.internal.Csv;
import dev.dabba.billing.internal.TextTable;
import dev.dabba.billing.internal.UnitText;
import java.math.BigDecimal;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders bills, bill listings and bill histories as tables for a terminal, JSON for programs (the HTTP API returns
 * exactly this JSON) or CSV for spreadsheets.
 *
 * <p>The table lists a bill's lines in causal order with each line's tower, vector clock and concurrency flag, then
 * the rating breakdown of every line priced in more than one way (time windows, tiers, bundles, connect fees), the
 * bundle usage, and the subtotals and total. In JSON every amount of money is a decimal string in rupees
 * ({@code "21.90"}) plus an integer in paisa, and exact pre-rounding amounts are decimal strings in paisa, so no
 * reader ever parses money as a binary fraction.
 */
public final class BillRenderer {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private BillRenderer() {
    }

    /** {@code bill} in {@code format}, ending in a newline. */
    public static String render(Bill bill, BillFormat format) {
        Objects.requireNonNull(format, "format must not be null");
        switch (format) {
            case JSON:
                return json(bill) + "\n";
            case CSV:
                return csv(bill);
            default:
                return table(bill);
        }
    }

    /** {@code page} in {@code format}, ending in a newline. */
    public static String render(BillPage page, BillFormat format) {
        Objects.requireNonNull(page, "page must not be null");
        Objects.requireNonNull(format, "format must not be null");
        switch (format) {
            case JSON:
                return write(pageJson(page)) + "\n";
            case CSV: {
                Csv csv = new Csv().row("subscriber", "cycle", "version", "status", "tariff_id", "lines",
                        "total_paisa", "total", "updated_at");
                for (BillSummary s : page.items()) {
                    csv.row(s.subscriber().value(), s.cycle(), s.version(), s.status(), s.tariffId(), s.lineCount(),
                            s.total().paisa(), s.total().toPlainString(), s.updatedAt());
                }
                return csv.toString();
            }
            default: {
                TextTable t = new TextTable("Subscriber", "Cycle", ">Version", "Status", "Tariff", ">Lines", ">Total",
                        "Updated");
                for (BillSummary s : page.items()) {
                    t.row(s.subscriber().value(), s.cycle().toString(), String.valueOf(s.version()),
                            s.status().name(), s.tariffId(), String.valueOf(s.lineCount()), s.total().toString(),
                            s.updatedAt().toString());
                }
                String more = page.nextCursor().map(c -> "More: --cursor " + c + "\n")
                        .orElse("(end of list)\n");
                return t.render() + page.items().size() + (page.items().size() == 1 ? " bill. " : " bills. ")
                        + more;
            }
        }
    }

    /** A bill's {@code versions} (newest first) in {@code format}, ending in a newline. */
    public static String render(List<BillVersion> versions, BillFormat format) {
        Objects.requireNonNull(versions, "versions must not be null");
        Objects.requireNonNull(format, "format must not be null");
        switch (format) {
            case JSON:
                return write(versionsJson(versions)) + "\n";
            case CSV: {
                Csv csv = new Csv().row("version", "previous_version", "status", "total_paisa", "lines",
                        "recorded_at", "event_id", "change", "old_position", "new_position", "old_amount_paisa",
                        "new_amount_paisa");
                for (BillVersion v : versions) {
                    if (v.changes().isEmpty()) {
                        csv.row(v.version(), v.previousVersion(), v.status(), v.total().paisa(), v.lineCount(),
                                v.recordedAt(), null, null, null, null, null, null);
                    }
                    for (BillChange c : v.changes()) {
                        csv.row(v.version(), v.previousVersion(), v.status(), v.total().paisa(), v.lineCount(),
                                v.recordedAt(), c.eventId(), c.kind(), c.oldPosition(), c.newPosition(),
                                c.oldAmount() == null ? null : c.oldAmount().paisa(),
                                c.newAmount() == null ? null : c.newAmount().paisa());
                    }
                }
                return csv.toString();
            }
            default: {
                StringBuilder sb = new StringBuilder();
                for (BillVersion v : versions) {
                    sb.append("Version ").append(v.version())
                            .append(v.previousVersion() == null ? "" : " (replaced " + v.previousVersion() + ")")
                            .append("  ").append(v.status()).append("  total ").append(v.total())
                            .append("  ").append(v.lineCount()).append(v.lineCount() == 1 ? " line" : " lines")
                            .append("  recorded ").append(v.recordedAt()).append('\n');
                    for (BillChange c : v.changes()) {
                        sb.append("  ").append(describe(c)).append('\n');
                    }
                }
                return sb.toString();
            }
        }
    }

    /** {@code bill} as a header, a table of lines, the rating breakdown, bundles and the totals. */
    public static String table(Bill bill) {
        Objects.requireNonNull(bill, "bill must not be null");
        StringBuilder sb = new StringBuilder();
        sb.append("Bill ").append(bill.subscriber())
                .append("  cycle ").append(bill.cycle())
                .append("  version ").append(bill.version())
                .append("  ").append(bill.status())
                .append("  tariff ").append(bill.tariffId()).append('\n');
        sb.append("Updated ").append(bill.updatedAt()).append("; ").append(bill.eventCount())
                .append(bill.eventCount() == 1 ? " event" : " events").append(" in causal order")
                .append('\n').append('\n');
        TextTable lines = new TextTable(
                ">#", "Tower", "Start (IST)", "Service", ">Quantity", "Counterparty", ">Amount", "Clock",
                "Flags");
        for (BillLine line : bill.lines()) {
            RatedLine r = line.rated();
            lines.row(String.valueOf(line.position()), r.tower().value(),
                    LOCAL.format(r.start().atZone(BillingCycle.ZONE)), r.service().label(),
                    r.quantity().toString(), r.counterparty() == null ? "-" : r.counterparty().value(),
                    r.amount().toString(), r.clock().toString(), flags(line));
        }
        sb.append(lines.render());
        TextTable breakdown = new TextTable(">#", ">From", ">Usage", ">Charged", "Window", ">Tier", ">Price",
                "Bundle", ">Connect", ">Exact paisa", ">Rounded");
        boolean any = false;
        for (BillLine line : bill.lines()) {
            if (!interesting(line.rated())) {
                continue;
            }
            any = true;
            Quantity.Unit unit = line.rated().service().unit();
            for (RatedSegment s : line.rated().segments()) {
                breakdown.row(String.valueOf(line.position()), UnitText.format(s.offset(), unit),
                        UnitText.format(s.quantity(), unit), UnitText.format(s.charged(), unit),
                        s.window() == null ? "any time" : s.window(),
                        s.tierFrom() == 0 ? "first" : "from " + UnitText.format(s.tierFrom(), unit),
                        s.price().toPlainString() + "/" + UnitText.format(s.unit(), unit),
                        s.bundle() == null ? "-" : s.bundle() + " " + UnitText.format(s.bundleUsed(), unit),
                        s.connectFee().signum() == 0 ? "-" : s.connectFee().toPlainString(),
                        plain(s.exactPaisa()), s.amount() == null ? "" : s.amount().toString());
            }
        }
        if (any) {
            sb.append('\n').append("Rating breakdown (lines priced in more than one way)").append('\n')
                    .append(breakdown.render());
        }
        if (!bill.bundles().isEmpty()) {
            TextTable bundles = new TextTable("Bundle", ">Allowance", ">Used", ">Left");
            for (BundleUsage b : bill.bundles()) {
                bundles.row(b.bundle(), UnitText.format(b.allowance(), b.unit()), UnitText.format(b.used(), b.unit()),
                        UnitText.format(b.remaining(), b.unit()));
            }
            sb.append('\n').append(bundles.render());
        }
        sb.append('\n');
        TextTable totals = new TextTable("", ">");
        totals.row("Calls", bill.calls().toString())
                .row("SMS", bill.sms().toString())
                .row("Data", bill.data().toString())
                .row("Total", bill.total().toString());
        sb.append(totals.renderRows());
        return sb.toString();
    }

    /** A line's flags for the table: concurrent, incomplete (with what was missing), clone suspect. */
    private static String flags(BillLine line) {
        List<String> flags = new java.util.ArrayList<>(3);
        if (line.concurrent()) {
            flags.add("concurrent");
        }
        if (line.releasedIncomplete()) {
            flags.add("incomplete (missing " + line.missingDependencies() + ")");
        }
        if (line.cloneSuspect()) {
            flags.add("clone suspect");
        }
        return String.join(", ", flags);
    }

    /** {@code bill}'s lines as CSV, one row per line in causal order, with a header row. */
    public static String csv(Bill bill) {
        Objects.requireNonNull(bill, "bill must not be null");
        Csv csv = new Csv().row("subscriber", "cycle", "version", "position", "event_id", "tower", "start", "service",
                "quantity", "unit", "charged", "counterparty", "exact_paisa", "amount_paisa", "amount", "clock",
                "hlc", "concurrent", "segments", "missing_dependencies", "clone_suspect");
        for (BillLine line : bill.lines()) {
            RatedLine r = line.rated();
            csv.row(bill.subscriber().value(), bill.cycle(), bill.version(), line.position(), r.eventId(),
                    r.tower().value(), r.start(), r.service().label(), r.quantity().amount(),
                    r.quantity().unit().symbol(), r.charged(),
                    r.counterparty() == null ? null : r.counterparty().value(), plain(r.exactPaisa()),
                    r.amount().paisa(), r.amount().toPlainString(), r.clock().toString(), r.hlc().toString(),
                    line.concurrent(), r.segments().size(), line.missingDependencies(), line.cloneSuspect());
        }
        return csv.toString();
    }

    /**
     * {@code bill} as one compact JSON object, written field by field without building a tree first (the stream job
     * renders every bill version it emits this way; the tree cost it a third of its bill thread).
     */
    public static String json(Bill bill) {
        Objects.requireNonNull(bill, "bill must not be null");
        java.io.StringWriter out = new java.io.StringWriter(512 + 1024 * bill.lines().size());
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writeBill(g, bill);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write JSON", e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** {@code bill} as a JSON tree (the shape of {@code GET /api/v1/subscribers/{msisdn}/bills/{cycle}}). */
    public static ObjectNode billJson(Bill bill) {
        try {
            return (ObjectNode) MAPPER.readTree(json(bill));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read back the JSON just written", e);
        }
    }

    private static void writeBill(JsonGenerator g, Bill bill) throws java.io.IOException {
        writeHeader(g, bill);
        g.writeArrayFieldStart("lines");
        for (BillLine line : bill.lines()) {
            writeLine(g, line);
        }
        g.writeEndArray();
        writeTotals(g, bill);
    }

    /**
     * A version of {@code bill} as the stream job publishes it on {@code dabba.bill-updates}: the header, bundles and
     * totals as {@link #json} has them, {@code lineCount}, and under {@code changedLines} only the lines at
     * {@code changedPositions} (1-based, ascending): those this version added or changed against the previous one
     * published. A version costs what it changed, not what the bill holds; the whole bill is at the API.
     */
    public static String updateJson(Bill bill, int[] changedPositions) {
        return new String(updateJsonBytes(bill, changedPositions), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@link #updateJson} as UTF-8 bytes, written straight to bytes: what the stream job puts on
     * {@code dabba.bill-updates} once per bill version (a character writer and a conversion after it had cost a
     * quarter of the bill operator's time).
     */
    public static byte[] updateJsonBytes(Bill bill, int[] changedPositions) {
        Objects.requireNonNull(bill, "bill must not be null");
        Objects.requireNonNull(changedPositions, "changedPositions must not be null");
        com.fasterxml.jackson.core.util.ByteArrayBuilder out =
                new com.fasterxml.jackson.core.util.ByteArrayBuilder(512 + 1024 * changedPositions.length);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            writeHeader(g, bill);
            g.writeNumberField("lineCount", bill.lines().size());
            g.writeArrayFieldStart("changedLines");
            for (int position : changedPositions) {
                if (position < 1 || position > bill.lines().size()) {
                    throw new IllegalArgumentException("changed position " + position + " is not a line of the "
                            + bill.lines().size() + "-line bill of " + bill.subscriber() + " " + bill.cycle());
                }
                writeLine(g, bill.lines().get(position - 1));
            }
            g.writeEndArray();
            writeTotals(g, bill);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write JSON", e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void writeHeader(JsonGenerator g, Bill bill) throws java.io.IOException {
        g.writeStartObject();
        g.writeStringField("subscriber", bill.subscriber().value());
        g.writeStringField("cycle", bill.cycle().toString());
        g.writeNumberField("version", bill.version());
        g.writeStringField("status", bill.status().name());
        g.writeStringField("tariffId", bill.tariffId());
        g.writeStringField("updatedAt", bill.updatedAt().toString());
        g.writeNumberField("eventCount", bill.eventCount());
    }

    private static void writeLine(JsonGenerator g, BillLine line) throws java.io.IOException {
        RatedLine r = line.rated();
        g.writeStartObject();
        g.writeNumberField("position", line.position());
        g.writeStringField("eventId", r.eventId().toString());
        g.writeStringField("tower", r.tower().value());
        g.writeStringField("start", r.start().toString());
        g.writeObjectFieldStart("clock");
        for (Map.Entry<String, Long> e : r.clock().entries().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue().longValue());
        }
        g.writeEndObject();
        g.writeStringField("clockText", r.clock().toString());
        g.writeStringField("hlc", r.hlc().toString());
        g.writeStringField("service", r.service().label());
        g.writeObjectFieldStart("quantity");
        g.writeNumberField("amount", r.quantity().amount());
        g.writeStringField("unit", r.quantity().unit().symbol());
        g.writeStringField("text", r.quantity().toString());
        g.writeEndObject();
        g.writeNumberField("charged", r.charged());
        g.writeStringField("counterparty", r.counterparty() == null ? null : r.counterparty().value());
        g.writeStringField("exactPaisa", plain(r.exactPaisa()));
        writeMoney(g, "amount", r.amount());
        g.writeBooleanField("concurrent", line.concurrent());
        g.writeBooleanField("releasedIncomplete", line.releasedIncomplete());
        g.writeStringField("missingDependencies", line.missingDependencies());
        g.writeBooleanField("cloneSuspect", line.cloneSuspect());
        g.writeArrayFieldStart("segments");
        Quantity.Unit unit = r.service().unit();
        for (RatedSegment seg : r.segments()) {
            g.writeStartObject();
            g.writeNumberField("offset", seg.offset());
            g.writeNumberField("quantity", seg.quantity());
            g.writeNumberField("charged", seg.charged());
            g.writeNumberField("pulses", seg.pulses());
            g.writeStringField("window", seg.window());
            g.writeNumberField("tierFrom", seg.tierFrom());
            g.writeStringField("price", plain(seg.price()));
            g.writeNumberField("rateUnit", seg.unit());
            g.writeStringField("rateUnitText", UnitText.format(seg.unit(), unit));
            g.writeStringField("bundle", seg.bundle());
            g.writeNumberField("bundleUsed", seg.bundleUsed());
            g.writeStringField("connectFee", plain(seg.connectFee()));
            g.writeStringField("exactPaisa", plain(seg.exactPaisa()));
            if (seg.amount() == null) {
                g.writeNullField("amountPaisa");
            } else {
                g.writeNumberField("amountPaisa", seg.amount().paisa());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeTotals(JsonGenerator g, Bill bill) throws java.io.IOException {
        g.writeArrayFieldStart("bundles");
        for (BundleUsage b : bill.bundles()) {
            g.writeStartObject();
            g.writeStringField("bundle", b.bundle());
            g.writeStringField("unit", b.unit().symbol());
            g.writeNumberField("allowance", b.allowance());
            g.writeNumberField("used", b.used());
            g.writeNumberField("remaining", b.remaining());
            g.writeEndObject();
        }
        g.writeEndArray();
        writeMoney(g, "calls", bill.calls());
        writeMoney(g, "sms", bill.sms());
        writeMoney(g, "data", bill.data());
        writeMoney(g, "total", bill.total());
        g.writeStringField("exactTotalPaisa", plain(bill.exactTotal()));
        g.writeEndObject();
    }

    /** {@code "name": "21.90"} and {@code "namePaisa": 2190}. */
    private static void writeMoney(JsonGenerator g, String name, Money money) throws java.io.IOException {
        g.writeStringField(name, money.toPlainString());
        g.writeNumberField(name + "Paisa", money.paisa());
    }

    /** A listing page as a JSON tree: {@code {"items": [...], "nextCursor": "..." | null}}. */
    public static ObjectNode pageJson(BillPage page) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode items = root.putArray("items");
        for (BillSummary s : page.items()) {
            ObjectNode n = items.addObject();
            n.put("subscriber", s.subscriber().value());
            n.put("cycle", s.cycle().toString());
            n.put("version", s.version());
            n.put("status", s.status().name());
            n.put("tariffId", s.tariffId());
            n.put("lineCount", s.lineCount());
            putMoney(n, "total", s.total());
            n.put("updatedAt", s.updatedAt().toString());
        }
        if (page.nextCursor().isPresent()) {
            root.put("nextCursor", page.nextCursor().get());
        } else {
            root.putNull("nextCursor");
        }
        return root;
    }

    /** A bill's versions as a JSON tree: {@code {"versions": [...]}}, newest first. */
    public static ObjectNode versionsJson(List<BillVersion> versions) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode list = root.putArray("versions");
        for (BillVersion v : versions) {
            ObjectNode n = list.addObject();
            n.put("version", v.version());
            if (v.previousVersion() == null) {
                n.putNull("previousVersion");
            } else {
                n.put("previousVersion", v.previousVersion());
            }
            n.put("status", v.status().name());
            n.put("tariffId", v.tariffId());
            putMoney(n, "calls", v.calls());
            putMoney(n, "sms", v.sms());
            putMoney(n, "data", v.data());
            putMoney(n, "total", v.total());
            n.put("lineCount", v.lineCount());
            n.put("updatedAt", v.updatedAt().toString());
            n.put("recordedAt", v.recordedAt().toString());
            ArrayNode changes = n.putArray("changes");
            for (BillChange c : v.changes()) {
                ObjectNode cn = changes.addObject();
                cn.put("eventId", c.eventId());
                cn.put("kind", c.kind().name());
                putInteger(cn, "oldPosition", c.oldPosition());
                putInteger(cn, "newPosition", c.newPosition());
                putNullableMoney(cn, "oldAmount", c.oldAmount());
                putNullableMoney(cn, "newAmount", c.newAmount());
            }
        }
        return root;
    }

    /** {@code node} as compact JSON text. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String describe(BillChange c) {
        switch (c.kind()) {
            case ADDED:
                return "+ " + c.eventId() + " at #" + c.newPosition() + ": " + c.newAmount();
            case REMOVED:
                return "- " + c.eventId() + " was #" + c.oldPosition() + ": " + c.oldAmount();
            default:
                return "~ " + c.eventId() + " #" + c.oldPosition() + " -> #" + c.newPosition() + ": "
                        + c.oldAmount() + " -> " + c.newAmount();
        }
    }

    /** Whether a line's breakdown says more than its line: several segments, a window, tier, bundle or fee. */
    private static boolean interesting(RatedLine r) {
        if (r.segments().size() > 1) {
            return true;
        }
        for (RatedSegment s : r.segments()) {
            if (s.window() != null || s.tierFrom() != 0 || s.bundle() != null || s.connectFee().signum() != 0
                    || s.charged() != s.quantity()) {
                return true;
            }
        }
        return false;
    }

    private static String plain(BigDecimal value) {
        return Amounts.normalize(value).toPlainString();
    }

    /** {@code "name": "21.90"} and {@code "namePaisa": 2190}. */
    private static void putMoney(ObjectNode node, String name, Money money) {
        node.put(name, money.toPlainString());
        node.put(name + "Paisa", money.paisa());
    }

    private static void putNullableMoney(ObjectNode node, String name, Money money) {
        if (money == null) {
            node.putNull(name);
            node.putNull(name + "Paisa");
        } else {
            putMoney(node, name, money);
        }
    }

    private static void putInteger(ObjectNode node, String name, Integer value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value.intValue());
        }
    }
}
