package dev.dabba.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dabba.billing.internal.TextTable;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a {@link Bill} as a table for a terminal or as a JSON object for programs.
 *
 * <p>The table lists the lines in causal order with each line's vector clock and a concurrency flag, then the
 * subtotals and the total. In JSON every amount of money is a decimal string in rupees ({@code "21.90"}) plus an
 * integer in paisa, and exact pre-rounding amounts are decimal strings in paisa, so no reader ever parses money as
 * a binary float.
 */
public final class BillRenderer {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BillRenderer() {
    }

    /** {@code bill} in {@code format}, ending in a newline. */
    public static String render(Bill bill, BillFormat format) {
        Objects.requireNonNull(format, "format must not be null");
        return format == BillFormat.JSON ? json(bill) + "\n" : table(bill);
    }

    /** {@code bill} as a header, a table of lines and the Calls / SMS / Data / Total rows. */
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
                ">#", "Tower", "Service", ">Quantity", "Counterparty", ">Amount", "Clock", "Concurrent");
        for (BillLine line : bill.lines()) {
            RatedLine r = line.rated();
            lines.row(String.valueOf(line.position()), r.tower().value(), r.service().label(),
                    r.quantity().toString(), r.counterparty() == null ? "-" : r.counterparty().value(),
                    r.amount().toString(), r.clock().toString(), line.concurrent() ? "yes" : "");
        }
        sb.append(lines.render()).append('\n');
        TextTable totals = new TextTable("", ">");
        totals.row("Calls", bill.calls().toString())
                .row("SMS", bill.sms().toString())
                .row("Data", bill.data().toString())
                .row("Total", bill.total().toString());
        sb.append(totals.renderRows());
        return sb.toString();
    }

    /** {@code bill} as one compact JSON object. */
    public static String json(Bill bill) {
        Objects.requireNonNull(bill, "bill must not be null");
        ObjectNode root = MAPPER.createObjectNode();
        root.put("subscriber", bill.subscriber().value());
        root.put("cycle", bill.cycle().toString());
        root.put("version", bill.version());
        root.put("status", bill.status().name());
        root.put("tariffId", bill.tariffId());
        root.put("updatedAt", bill.updatedAt().toString());
        root.put("eventCount", bill.eventCount());
        var lines = root.putArray("lines");
        for (BillLine line : bill.lines()) {
            RatedLine r = line.rated();
            ObjectNode n = lines.addObject();
            n.put("position", line.position());
            n.put("eventId", r.eventId().toString());
            n.put("tower", r.tower().value());
            n.put("start", r.start().toString());
            ObjectNode clock = n.putObject("clock");
            for (Map.Entry<String, Long> e : r.clock().entries().entrySet()) {
                clock.put(e.getKey(), e.getValue().longValue());
            }
            n.put("hlc", r.hlc().toString());
            n.put("service", r.service().label());
            ObjectNode quantity = n.putObject("quantity");
            quantity.put("amount", r.quantity().amount());
            quantity.put("unit", r.quantity().unit().symbol());
            quantity.put("text", r.quantity().toString());
            if (r.counterparty() == null) {
                n.putNull("counterparty");
            } else {
                n.put("counterparty", r.counterparty().value());
            }
            n.put("exactPaisa", r.exactPaisa().toPlainString());
            putMoney(n, "amount", r.amount());
            n.put("concurrent", line.concurrent());
        }
        putMoney(root, "calls", bill.calls());
        putMoney(root, "sms", bill.sms());
        putMoney(root, "data", bill.data());
        putMoney(root, "total", bill.total());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize bill " + bill.subscriber() + " " + bill.cycle(), e);
        }
    }

    /** {@code "name": "21.90"} and {@code "namePaisa": 2190}. */
    private static void putMoney(ObjectNode node, String name, Money money) {
        node.put(name, money.toPlainString());
        node.put(name + "Paisa", money.paisa());
    }
}
