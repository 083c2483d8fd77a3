package dev.dabba.billing.internal;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillChange;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillSummary;
import dev.dabba.billing.BillVersion;
import dev.dabba.billing.BundleUsage;
import dev.dabba.billing.Money;
import dev.dabba.billing.Quantity;
import dev.dabba.billing.RatedLine;
import dev.dabba.billing.RatedSegment;
import dev.dabba.billing.Service;
import dev.dabba.clock.NodeId;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The SQL of the bill tables in one schema, and the mapping between their rows and bills: every value is bound as a
 * parameter; only the schema name, validated by the store, is part of the statement text.
 */
public final class BillRows {

    /**
     * Inserts bills, or replaces a stored one only if the incoming version is higher, in one statement: parameters
     * are arrays, one element per bill (see {@link #bindBills}); returns the subscriber and cycle of each bill it
     * wrote. The bills must have distinct keys.
     */
    public final String upsertBills;
    /**
     * Locks the stored headers of many bills ({@code FOR UPDATE}, so no other writer changes them before this
     * transaction ends) and reads their subscriber, cycle, version, {@code line_hashes} and line count. Parameters as
     * {@link #selectStoredLines}.
     */
    public final String lockHeaders;
    /**
     * As {@link #selectStoredLines}, only the lines at given positions. Parameters: a subscriber, a cycle and a
     * position array, one element per line ({@link #bindLinePositions}).
     */
    public final String selectLinesAt;
    /**
     * The stored lines' subscribers, cycles, event ids, positions, amounts and content hashes ({@link LineHash}) for
     * many bills, to tell what new versions change. Parameters: a subscriber array and a cycle array
     * ({@link #bindKeys}).
     */
    public final String selectStoredLines;
    /**
     * Deletes lines (and, by cascade, their segments) by subscriber, cycle and position. Parameters: a subscriber, a
     * cycle and a position array, one element per line.
     */
    public final String deleteLinesAt;
    /** Deletes many bills' bundle usage. Parameters as {@link #selectStoredLines}. */
    public final String deleteBundles;
    /**
     * For many bills, the subscriber, cycle and highest version in the bill's history below a given one (NULL if
     * none). Parameters: subscriber, cycle and version arrays.
     */
    public final String selectPreviousVersions;
    /**
     * For the rest of the transaction, plans without table scans or hash and merge joins: the write statements look up
     * a batch's bills and lines by key, a few hundred of them, and with a table's statistics stale (a new store, or
     * autovacuum off, as on the benchmark machine) PostgreSQL planned those as a scan of the whole table joined by
     * hashing, which every batch then paid in full as the table grew (docs/benchmarks.md, "End to end").
     */
    public final String keyLookupsOnly = "SELECT set_config('enable_seqscan', 'off', true), "
            + "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)";
    /** COPY of lines in text format ({@link #copyLine}). */
    public final String copyLines;
    /** COPY of segments in text format ({@link #copySegment}). */
    public final String copySegments;
    /** COPY of bundle usage in text format ({@link #copyBundle}). */
    public final String copyBundles;
    /** COPY of versions into the history in text format ({@link #copyVersion}); recorded_at takes its default. */
    public final String copyVersions;
    /** COPY of the changes of versions in text format ({@link #copyChange}). */
    public final String copyChanges;
    /** Selects a bill's versions, newest first. */
    public final String selectVersions;
    /** Selects the changes of a bill's versions. */
    public final String selectChanges;
    /**
     * One whole bill in one statement (so one snapshot, without a transaction): header, bundles as a JSON array,
     * and one row per line and segment, in order. Parameters: subscriber, cycle.
     */
    public final String selectWholeBill;
    /** As {@link #selectWholeBill} for the subscriber's newest cycle. Parameters: subscriber, subscriber. */
    public final String selectWholeLatestBill;
    /** The start of a summary listing; callers append WHERE, ORDER BY and LIMIT with parameters only. */
    public final String selectSummaries;

    private static final String BILL_COLUMNS = "subscriber, cycle, version, status, tariff_id, calls_paisa, "
            + "sms_paisa, data_paisa, total_paisa, updated_at, line_count";
    private static final String LINE_COLUMNS = "subscriber, cycle, position, event_id, tower, start_at, clock, hlc, "
            + "service, quantity, quantity_unit, counterparty, amount_exact, amount_paisa, concurrent, missing_dependencies, "
            + "clone_suspect, content_hash";
    private static final String SEGMENT_COLUMNS = "subscriber, cycle, position, seq, offset_qty, quantity, charged, "
            + "pulses, time_window, tier_from, price, rate_unit, bundle_id, bundle_used, connect_fee, amount_exact, "
            + "amount_paisa";
    private static final String BUNDLE_COLUMNS = "subscriber, cycle, seq, bundle_id, unit, allowance, used";
    private static final String VERSION_COLUMNS = "subscriber, cycle, version, previous_version, status, tariff_id, "
            + "calls_paisa, sms_paisa, data_paisa, total_paisa, line_count, updated_at, recorded_at";
    private static final String CHANGE_COLUMNS = "subscriber, cycle, version, event_id, kind, old_position, "
            + "new_position, old_amount_paisa, new_amount_paisa";

    /** Statements for the tables in {@code schema}, which must already be validated as a plain identifier. */
    public BillRows(String schema) {
        // sql-allowlist: the schema is an identifier checked by BillStore.requireValidSchema, quoted; values are bound
        String q = '"' + schema + "\".";
        String bill = q + "bill";
        String line = q + "bill_line";
        String segment = q + "bill_segment";
        String bundle = q + "bill_bundle";
        String version = q + "bill_version";
        String change = q + "bill_change";
        String key = " WHERE subscriber = ? AND cycle = ?";
        String onConflict = "ON CONFLICT (subscriber, cycle) DO UPDATE SET version = EXCLUDED.version, "
                + "status = EXCLUDED.status, tariff_id = EXCLUDED.tariff_id, calls_paisa = EXCLUDED.calls_paisa, "
                + "sms_paisa = EXCLUDED.sms_paisa, data_paisa = EXCLUDED.data_paisa, "
                + "total_paisa = EXCLUDED.total_paisa, updated_at = EXCLUDED.updated_at, "
                + "line_count = EXCLUDED.line_count, line_hashes = EXCLUDED.line_hashes "
                + "WHERE b.version < EXCLUDED.version";
        String keys = " k(s, c) ON t.subscriber = k.s AND t.cycle = k.c";
        String keysWhere = " k(s, c) WHERE t.subscriber = k.s AND t.cycle = k.c";
        String keyArrays = "unnest(?::text[], ?::text[]) AS";
        upsertBills = "INSERT INTO " + bill + " AS b (" + BILL_COLUMNS + ", line_hashes) SELECT s, c, v, st, t, cp, "
                + "sp, dp, tp, u::timestamptz, lc, lh FROM unnest(?::text[], ?::text[], ?::int8[], ?::text[], "
                + "?::text[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int4[], ?::bytea[]) "
                + "AS k(s, c, v, st, t, cp, sp, dp, tp, u, lc, lh) "
                + "WHERE true " // so that ON CONFLICT is not read as a join condition
                + onConflict + " RETURNING b.subscriber, b.cycle";
        lockHeaders = "SELECT t.subscriber, t.cycle, t.version, t.line_hashes, t.line_count FROM " + bill + " t JOIN "
                + keyArrays
                + keys + " ORDER BY t.subscriber, t.cycle FOR UPDATE OF t";
        selectStoredLines = "SELECT t.subscriber, t.cycle, t.event_id, t.position, t.amount_paisa, t.content_hash FROM "
                + line + " t JOIN " + keyArrays + keys;
        selectLinesAt = "SELECT t.subscriber, t.cycle, t.event_id, t.position, t.amount_paisa, t.content_hash FROM "
                + line + " t JOIN unnest(?::text[], ?::text[], ?::int4[]) AS k(s, c, p) ON t.subscriber = k.s "
                + "AND t.cycle = k.c AND t.position = k.p";
        deleteLinesAt = "DELETE FROM " + line + " t USING unnest(?::text[], ?::text[], ?::int4[]) AS k(s, c, p) "
                + "WHERE t.subscriber = k.s AND t.cycle = k.c AND t.position = k.p";
        deleteBundles = "DELETE FROM " + bundle + " t USING " + keyArrays + keysWhere;
        selectPreviousVersions = "SELECT k.s, k.c, (SELECT max(t.version) FROM " + version + " t WHERE "
                + "t.subscriber = k.s AND t.cycle = k.c AND t.version < k.v) FROM unnest(?::text[], ?::text[], "
                + "?::int8[]) AS k(s, c, v)";
        copyLines = "COPY " + line + " (" + LINE_COLUMNS + ") FROM STDIN";
        copySegments = "COPY " + segment + " (" + SEGMENT_COLUMNS + ") FROM STDIN";
        copyBundles = "COPY " + bundle + " (" + BUNDLE_COLUMNS + ") FROM STDIN";
        copyVersions = "COPY " + version + " (" + VERSION_COLUMNS.replace(", recorded_at", "") + ") FROM STDIN";
        copyChanges = "COPY " + change + " (" + CHANGE_COLUMNS + ") FROM STDIN";
        selectVersions = "SELECT " + VERSION_COLUMNS + " FROM " + version + key + " ORDER BY version DESC";
        selectChanges = "SELECT " + CHANGE_COLUMNS + " FROM " + change + key
                + " ORDER BY version DESC, coalesce(new_position, old_position), event_id";
        String whole = "WITH h AS (SELECT b.subscriber, b.cycle, b.version, b.status, b.tariff_id, b.calls_paisa, "
                + "b.sms_paisa, b.data_paisa, b.total_paisa, b.updated_at, (SELECT json_agg(json_build_array("
                + "u.bundle_id, u.unit, u.allowance, u.used) ORDER BY u.seq) FROM " + bundle + " u "
                + "WHERE u.subscriber = b.subscriber AND u.cycle = b.cycle) AS bundles FROM " + bill + " b WHERE %s) "
                + "SELECT h.*, l.position, l.event_id, l.tower, l.start_at, l.clock, l.hlc, l.service, "
                + "l.quantity AS l_quantity, l.quantity_unit, l.counterparty, l.amount_exact AS l_amount_exact, "
                + "l.amount_paisa AS l_amount_paisa, l.concurrent, l.missing_dependencies, l.clone_suspect, s.seq, s.offset_qty, s.quantity AS s_quantity, "
                + "s.charged, s.pulses, s.time_window, s.tier_from, s.price, s.rate_unit, s.bundle_id, s.bundle_used, "
                + "s.connect_fee, s.amount_exact AS s_amount_exact, s.amount_paisa AS s_amount_paisa FROM h "
                + "LEFT JOIN " + line + " l ON l.subscriber = h.subscriber AND l.cycle = h.cycle "
                + "LEFT JOIN " + segment + " s ON s.subscriber = l.subscriber AND s.cycle = l.cycle "
                + "AND s.position = l.position ORDER BY l.position, s.seq";
        selectWholeBill = String.format(whole, "b.subscriber = ? AND b.cycle = ?");
        selectWholeLatestBill = String.format(whole, "b.subscriber = ? AND b.cycle = (SELECT max(cycle) FROM " + bill
                + " WHERE subscriber = ?)");
        selectSummaries = "SELECT b.subscriber, b.cycle, b.version, b.status, b.tariff_id, b.total_paisa, "
                + "b.updated_at, b.line_count FROM " + bill + " b";
    }

    /**
     * Binds the headers of {@code bills}, which must have distinct keys, to {@link #upsertBills}, with
     * {@code lineHashes.get(i)} the {@link LineHash} of each line of bill i.
     */
    public static void bindBills(PreparedStatement ps, List<Bill> bills, List<long[]> lineHashes)
            throws SQLException {
        int n = bills.size();
        Object[][] columns = new Object[12][];
        for (int i = 0; i < columns.length - 1; i++) {
            columns[i] = new Object[n];
        }
        columns[11] = new byte[n][]; // the driver encodes bytea arrays from byte[][] only
        for (int i = 0; i < n; i++) {
            Bill one = bills.get(i);
            columns[0][i] = one.subscriber().value();
            columns[1][i] = one.cycle().toString();
            columns[2][i] = one.version();
            columns[3][i] = one.status().name();
            columns[4][i] = one.tariffId();
            columns[5][i] = one.calls().paisa();
            columns[6][i] = one.sms().paisa();
            columns[7][i] = one.data().paisa();
            columns[8][i] = one.total().paisa();
            columns[9][i] = one.updatedAt().toString(); // ISO-8601 in UTC, always with seconds
            columns[10][i] = one.lines().size();
            columns[11][i] = lineHashBytes(lineHashes.get(i));
        }
        String[] types = {"text", "text", "int8", "text", "text", "int8", "int8", "int8", "int8", "text", "int4",
            "bytea"};
        for (int i = 0; i < columns.length; i++) {
            ps.setArray(i + 1, ps.getConnection().createArrayOf(types[i], columns[i]));
        }
    }

    /** Binds the subscribers and cycles of {@code bills} as the two arrays of a many-bill key statement. */
    public static void bindKeys(PreparedStatement ps, List<Bill> bills) throws SQLException {
        String[] subscribers = new String[bills.size()];
        String[] cycles = new String[bills.size()];
        for (int i = 0; i < bills.size(); i++) {
            subscribers[i] = bills.get(i).subscriber().value();
            cycles[i] = bills.get(i).cycle().toString();
        }
        ps.setArray(1, ps.getConnection().createArrayOf("text", subscribers));
        ps.setArray(2, ps.getConnection().createArrayOf("text", cycles));
    }

    /**
     * Appends {@code bill}'s header, replacing version {@code previous} (null: none), as a {@link #copyVersions}
     * row.
     */
    public static void copyVersion(CopyText rows, Bill bill, Long previous) {
        copyKey(rows, bill);
        rows.number(bill.version()).number(previous).text(bill.status().name()).text(bill.tariffId())
                .number(bill.calls().paisa()).number(bill.sms().paisa()).number(bill.data().paisa())
                .number(bill.total().paisa()).number(bill.lines().size()).instant(bill.updatedAt()).endRow();
    }

    /** Appends one change of {@code bill}'s version as a row of {@link #copyChanges}. */
    public static void copyChange(CopyText rows, Bill bill, BillChange change) {
        copyKey(rows, bill);
        rows.number(bill.version()).text(change.eventId()).text(change.kind().name())
                .number(change.oldPosition() == null ? null : (long) change.oldPosition())
                .number(change.newPosition() == null ? null : (long) change.newPosition())
                .number(paisa(change.oldAmount())).number(paisa(change.newAmount())).endRow();
    }

    /**
     * Appends one of {@code bill}'s lines, whose event id's text is {@code eventId} and {@link LineHash}
     * {@code contentHash}, as a {@link #copyLines} row.
     */
    public static void copyLine(CopyText rows, Bill bill, BillLine line, String eventId, long contentHash) {
        RatedLine r = line.rated();
        copyKey(rows, bill);
        rows.number(line.position()).text(eventId).text(r.tower().value()).instant(r.start())
                .text(r.clock().toString()).text(r.hlc().toString()).text(r.service().label())
                .number(r.quantity().amount()).text(r.quantity().unit().symbol())
                .text(r.counterparty() == null ? null : r.counterparty().value()).decimal(r.exactPaisa())
                .number(r.amount().paisa()).bool(line.concurrent()).text(line.missingDependencies())
                .bool(line.cloneSuspect()).number(contentHash).endRow();
    }

    /** Appends segment number {@code seq} (1-based) of {@code line} as a row of {@link #copySegments}. */
    public static void copySegment(CopyText rows, Bill bill, BillLine line, int seq, RatedSegment s) {
        copyKey(rows, bill);
        rows.number(line.position()).number(seq).number(s.offset()).number(s.quantity()).number(s.charged())
                .number(s.pulses()).text(s.window()).number(s.tierFrom()).decimal(s.price()).number(s.unit())
                .text(s.bundle()).number(s.bundleUsed()).decimal(s.connectFee()).decimal(s.exactPaisa())
                .number(paisa(s.amount())).endRow();
    }

    /** Appends bundle usage number {@code seq} (1-based) as a row of {@link #copyBundles}. */
    public static void copyBundle(CopyText rows, Bill bill, int seq, BundleUsage b) {
        copyKey(rows, bill);
        rows.number(seq).text(b.bundle()).text(b.unit().symbol()).number(b.allowance()).number(b.used()).endRow();
    }

    private static void copyKey(CopyText rows, Bill bill) {
        rows.text(bill.subscriber().value()).text(bill.cycle().toString());
    }

    private static Long paisa(Money m) {
        return m == null ? null : m.paisa();
    }

    /** Binds the line at {@code positions.get(i)} of {@code bills.get(i)}, for every i, to {@link #deleteLinesAt}. */
    public static void bindLinePositions(PreparedStatement ps, List<Bill> bills, List<Integer> positions)
            throws SQLException {
        bindKeys(ps, bills);
        ps.setArray(3, ps.getConnection().createArrayOf("int4", positions.toArray(Integer[]::new)));
    }

    /** {@code hashes} as {@code bill.line_hashes} holds them: 8 bytes big-endian each, in order. */
    public static byte[] lineHashBytes(long[] hashes) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 * hashes.length);
        for (long h : hashes) {
            out.putLong(h);
        }
        return out.array();
    }

    /** What {@link #lineHashBytes} wrote; null for null (a bill stored before version 6 of the schema). */
    public static long[] lineHashes(byte[] stored) {
        if (stored == null) {
            return null;
        }
        if (stored.length % 8 != 0) {
            throw new IllegalArgumentException("line_hashes must be 8 bytes a line, found " + stored.length);
        }
        long[] out = new long[stored.length / 8];
        java.nio.ByteBuffer.wrap(stored).asLongBuffer().get(out);
        return out;
    }

    /** Binds a subscriber and cycle key (the first two parameters). */
    public static void bindKey(PreparedStatement ps, Msisdn subscriber, YearMonth cycle) throws SQLException {
        ps.setString(1, subscriber.value());
        ps.setString(2, cycle.toString());
    }



    /** The bill of a {@link #selectWholeBill} result, read to its end; empty if it has no rows. */
    public static java.util.Optional<Bill> readWholeBill(ResultSet rs) throws SQLException {
        if (!rs.next()) {
            return java.util.Optional.empty();
        }
        List<BundleUsage> bundles = readBundlesJson(rs.getString("bundles"));
        Msisdn subscriber = Msisdn.of(rs.getString("subscriber"));
        YearMonth cycle = YearMonth.parse(rs.getString("cycle"));
        long version = rs.getLong("version");
        BillStatus status = BillStatus.valueOf(rs.getString("status"));
        String tariffId = rs.getString("tariff_id");
        Money calls = Money.ofPaisa(rs.getLong("calls_paisa"));
        Money sms = Money.ofPaisa(rs.getLong("sms_paisa"));
        Money data = Money.ofPaisa(rs.getLong("data_paisa"));
        Money total = Money.ofPaisa(rs.getLong("total_paisa"));
        Instant updatedAt = instant(rs, "updated_at");
        List<BillLine> lines = new java.util.ArrayList<>();
        boolean more = true;
        while (more) {
            int position = rs.getInt("position");
            if (rs.wasNull()) {
                break;
            }
            String counterparty = rs.getString("counterparty");
            EventId eventId = EventId.parse(rs.getString("event_id"));
            NodeId tower = NodeId.of(rs.getString("tower"));
            Instant start = instant(rs, "start_at");
            String clock = rs.getString("clock");
            String hlc = rs.getString("hlc");
            Service service = Service.parse(rs.getString("service"));
            Quantity quantity = new Quantity(rs.getLong("l_quantity"),
                    Quantity.Unit.ofSymbol(rs.getString("quantity_unit")));
            java.math.BigDecimal exact = rs.getBigDecimal("l_amount_exact");
            Money amount = Money.ofPaisa(rs.getLong("l_amount_paisa"));
            boolean concurrent = rs.getBoolean("concurrent");
            String missingDependencies = rs.getString("missing_dependencies");
            boolean cloneSuspect = rs.getBoolean("clone_suspect");
            List<RatedSegment> segments = new java.util.ArrayList<>(2);
            do {
                rs.getInt("seq");
                if (!rs.wasNull()) {
                    long paisa = rs.getLong("s_amount_paisa");
                    Money rounded = rs.wasNull() ? null : Money.ofPaisa(paisa);
                    segments.add(new RatedSegment(rs.getLong("offset_qty"), rs.getLong("s_quantity"),
                            rs.getLong("charged"), rs.getLong("pulses"), rs.getString("time_window"),
                            rs.getLong("tier_from"), rs.getBigDecimal("price"), rs.getLong("rate_unit"),
                            rs.getString("bundle_id"), rs.getLong("bundle_used"), rs.getBigDecimal("connect_fee"),
                            rs.getBigDecimal("s_amount_exact"), rounded));
                }
                more = rs.next();
            } while (more && rs.getInt("position") == position);
            lines.add(new BillLine(position, new RatedLine(eventId, tower, start, ClockText.parseVectorClock(clock),
                    ClockText.parseHybridTimestamp(hlc), service, quantity,
                    counterparty == null ? null : Msisdn.of(counterparty), segments, exact, amount), concurrent,
                    missingDependencies, cloneSuspect));
        }
        return java.util.Optional.of(new Bill(subscriber, cycle, version, status, tariffId, lines, calls, sms, data,
                total, bundles, updatedAt));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static List<BundleUsage> readBundlesJson(String json) throws SQLException {
        if (json == null) {
            return List.of();
        }
        try {
            List<BundleUsage> out = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode b : JSON.readTree(json)) {
                out.add(new BundleUsage(b.get(0).asText(), Quantity.Unit.ofSymbol(b.get(1).asText()),
                        b.get(2).longValue(), b.get(3).longValue()));
            }
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("bill_bundle rows did not aggregate to JSON: " + json, e);
        }
    }



    /** The summary at the cursor of a {@link #selectSummaries} result. */
    public static BillSummary readSummary(ResultSet rs) throws SQLException {
        return new BillSummary(
                Msisdn.of(rs.getString("subscriber")),
                YearMonth.parse(rs.getString("cycle")),
                rs.getLong("version"),
                BillStatus.valueOf(rs.getString("status")),
                rs.getString("tariff_id"),
                rs.getInt("line_count"),
                Money.ofPaisa(rs.getLong("total_paisa")),
                instant(rs, "updated_at"));
    }

    /** The change at the cursor of a {@link #selectChanges} result. */
    public static BillChange readChange(ResultSet rs) throws SQLException {
        return new BillChange(rs.getString("event_id"), BillChange.Kind.valueOf(rs.getString("kind")),
                (Integer) rs.getObject("old_position"), (Integer) rs.getObject("new_position"),
                money(rs, "old_amount_paisa"), money(rs, "new_amount_paisa"));
    }

    /** The version at the cursor of a {@link #selectVersions} result, with {@code changes}. */
    public static BillVersion readVersion(ResultSet rs, List<BillChange> changes) throws SQLException {
        long previous = rs.getLong("previous_version");
        Long prev = rs.wasNull() ? null : previous;
        return new BillVersion(
                Msisdn.of(rs.getString("subscriber")),
                YearMonth.parse(rs.getString("cycle")),
                rs.getLong("version"),
                prev,
                BillStatus.valueOf(rs.getString("status")),
                rs.getString("tariff_id"),
                Money.ofPaisa(rs.getLong("calls_paisa")),
                Money.ofPaisa(rs.getLong("sms_paisa")),
                Money.ofPaisa(rs.getLong("data_paisa")),
                Money.ofPaisa(rs.getLong("total_paisa")),
                rs.getInt("line_count"),
                instant(rs, "updated_at"),
                instant(rs, "recorded_at"),
                changes);
    }

    private static Money money(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Money.ofPaisa(v);
    }

    /** {@code instant} as a UTC timestamp for a timestamptz parameter. */
    public static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
