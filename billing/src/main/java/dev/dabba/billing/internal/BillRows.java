package dev.dabba.billing.internal;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillSummary;
import dev.dabba.billing.Money;
import dev.dabba.billing.Quantity;
import dev.dabba.billing.RatedLine;
import dev.dabba.billing.Service;
import dev.dabba.clock.NodeId;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The SQL of the bill tables in one schema, and the mapping between their rows and {@link Bill}s: every value is
 * bound as a parameter; only the schema name, validated by the store, is part of the statement text.
 */
public final class BillRows {

    /** Inserts a bill, or replaces the stored one only if the incoming version is higher; updates 0 rows if not. */
    public final String upsertBill;
    /** Deletes a bill's lines. */
    public final String deleteLines;
    /** Inserts one line. */
    public final String insertLine;
    /** Selects one bill by subscriber and cycle. */
    public final String selectBill;
    /** Selects a subscriber's newest cycle. */
    public final String selectLatestCycle;
    /** Selects a bill's lines in position order. */
    public final String selectLines;
    /** Selects summaries of a subscriber's bills, newest cycle first. */
    public final String selectSummariesBySubscriber;
    /** Selects summaries of one cycle's bills by subscriber, at most a given number. */
    public final String selectSummariesByCycle;

    private static final String BILL_COLUMNS =
            "subscriber, cycle, version, status, tariff_id, calls_paisa, sms_paisa, data_paisa, total_paisa, updated_at";
    private static final String LINE_COLUMNS = "subscriber, cycle, position, event_id, tower, start_at, clock, hlc, "
            + "service, quantity, quantity_unit, counterparty, amount_exact, amount_paisa, concurrent";

    /** Statements for the tables in {@code schema}, which must already be validated as a plain identifier. */
    public BillRows(String schema) {
        String bill = '"' + schema + "\".bill";
        String line = '"' + schema + "\".bill_line";
        upsertBill = "INSERT INTO " + bill + " AS b (" + BILL_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (subscriber, cycle) DO UPDATE SET version = EXCLUDED.version, "
                + "status = EXCLUDED.status, tariff_id = EXCLUDED.tariff_id, calls_paisa = EXCLUDED.calls_paisa, "
                + "sms_paisa = EXCLUDED.sms_paisa, data_paisa = EXCLUDED.data_paisa, "
                + "total_paisa = EXCLUDED.total_paisa, updated_at = EXCLUDED.updated_at "
                + "WHERE b.version < EXCLUDED.version";
        deleteLines = "DELETE FROM " + line + " WHERE subscriber = ? AND cycle = ?";
        insertLine = "INSERT INTO " + line + " (" + LINE_COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        selectBill = "SELECT " + BILL_COLUMNS + " FROM " + bill + " WHERE subscriber = ? AND cycle = ?";
        selectLatestCycle = "SELECT cycle FROM " + bill + " WHERE subscriber = ? ORDER BY cycle DESC LIMIT 1";
        selectLines = "SELECT " + LINE_COLUMNS + " FROM " + line + " WHERE subscriber = ? AND cycle = ? "
                + "ORDER BY position";
        String summary = "SELECT b.subscriber, b.cycle, b.version, b.status, b.tariff_id, b.total_paisa, "
                + "b.updated_at, (SELECT count(*) FROM " + line + " l "
                + "WHERE l.subscriber = b.subscriber AND l.cycle = b.cycle) AS line_count FROM " + bill + " b ";
        selectSummariesBySubscriber = summary + "WHERE b.subscriber = ? ORDER BY b.cycle DESC";
        selectSummariesByCycle = summary + "WHERE b.cycle = ? ORDER BY b.subscriber LIMIT ?";
    }

    /** Binds {@code bill}'s header to {@link #upsertBill}. */
    public static void bindBill(PreparedStatement ps, Bill bill) throws SQLException {
        ps.setString(1, bill.subscriber().value());
        ps.setString(2, bill.cycle().toString());
        ps.setLong(3, bill.version());
        ps.setString(4, bill.status().name());
        ps.setString(5, bill.tariffId());
        ps.setLong(6, bill.calls().paisa());
        ps.setLong(7, bill.sms().paisa());
        ps.setLong(8, bill.data().paisa());
        ps.setLong(9, bill.total().paisa());
        ps.setObject(10, utc(bill.updatedAt()));
    }

    /** Binds one of {@code bill}'s lines to {@link #insertLine}. */
    public static void bindLine(PreparedStatement ps, Bill bill, BillLine line) throws SQLException {
        RatedLine r = line.rated();
        ps.setString(1, bill.subscriber().value());
        ps.setString(2, bill.cycle().toString());
        ps.setInt(3, line.position());
        ps.setString(4, r.eventId().toString());
        ps.setString(5, r.tower().value());
        ps.setObject(6, utc(r.start()));
        ps.setString(7, r.clock().toString());
        ps.setString(8, r.hlc().toString());
        ps.setString(9, r.service().label());
        ps.setLong(10, r.quantity().amount());
        ps.setString(11, r.quantity().unit().symbol());
        if (r.counterparty() == null) {
            ps.setNull(12, Types.VARCHAR);
        } else {
            ps.setString(12, r.counterparty().value());
        }
        ps.setBigDecimal(13, r.exactPaisa());
        ps.setLong(14, r.amount().paisa());
        ps.setBoolean(15, line.concurrent());
    }

    /** Binds a subscriber and cycle key (the first two parameters). */
    public static void bindKey(PreparedStatement ps, Msisdn subscriber, YearMonth cycle) throws SQLException {
        ps.setString(1, subscriber.value());
        ps.setString(2, cycle.toString());
    }

    /** The line at the cursor of a {@link #selectLines} result. */
    public static BillLine readLine(ResultSet rs) throws SQLException {
        String counterparty = rs.getString("counterparty");
        RatedLine rated = new RatedLine(
                EventId.parse(rs.getString("event_id")),
                NodeId.of(rs.getString("tower")),
                instant(rs, "start_at"),
                ClockText.parseVectorClock(rs.getString("clock")),
                ClockText.parseHybridTimestamp(rs.getString("hlc")),
                Service.parse(rs.getString("service")),
                new Quantity(rs.getLong("quantity"), Quantity.Unit.ofSymbol(rs.getString("quantity_unit"))),
                counterparty == null ? null : Msisdn.of(counterparty),
                rs.getBigDecimal("amount_exact"),
                Money.ofPaisa(rs.getLong("amount_paisa")));
        return new BillLine(rs.getInt("position"), rated, rs.getBoolean("concurrent"));
    }

    /** The bill at the cursor of a {@link #selectBill} result, with {@code lines}. */
    public static Bill readBill(ResultSet rs, List<BillLine> lines) throws SQLException {
        return new Bill(
                Msisdn.of(rs.getString("subscriber")),
                YearMonth.parse(rs.getString("cycle")),
                rs.getLong("version"),
                BillStatus.valueOf(rs.getString("status")),
                rs.getString("tariff_id"),
                lines,
                Money.ofPaisa(rs.getLong("calls_paisa")),
                Money.ofPaisa(rs.getLong("sms_paisa")),
                Money.ofPaisa(rs.getLong("data_paisa")),
                Money.ofPaisa(rs.getLong("total_paisa")),
                instant(rs, "updated_at"));
    }

    /** The summary at the cursor of a summaries result. */
    public static BillSummary readSummary(ResultSet rs) throws SQLException {
        return new BillSummary(
                Msisdn.of(rs.getString("subscriber")),
                YearMonth.parse(rs.getString("cycle")),
                rs.getLong("version"),
                BillStatus.valueOf(rs.getString("status")),
                rs.getString("tariff_id"),
                Math.toIntExact(rs.getLong("line_count")),
                Money.ofPaisa(rs.getLong("total_paisa")),
                instant(rs, "updated_at"));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
