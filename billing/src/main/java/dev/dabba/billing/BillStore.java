package dev.dabba.billing;

import dev.dabba.billing.internal.BillRows;
import dev.dabba.billing.internal.CopyText;
import dev.dabba.billing.internal.LineHash;
import dev.dabba.record.Msisdn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bill report store in PostgreSQL: one row per subscriber and cycle holding the highest bill version written,
 * with its lines, their rating breakdown and its bundle usage, plus the history of every version written and what
 * changed in each, in a schema of its own (default {@value #DEFAULT_SCHEMA}) managed by Flyway.
 *
 * <p>{@link #upsert} is idempotent and monotone, so a stream job may write after every change and replay freely
 * after a restart: writing a version that is not newer than the stored one changes nothing. Thread-safe; every
 * call takes a connection from the {@link DataSource} and returns it.
 */
public final class BillStore {

    /** The schema used when none is given. */
    public static final String DEFAULT_SCHEMA = "dabba";
    /** Where the billing migrations live on the classpath. */
    public static final String MIGRATION_LOCATION = "classpath:db/migration/billing";
    /** Flyway's history table for billing, named per module so other modules can migrate the same schema. */
    public static final String HISTORY_TABLE = "flyway_history_billing";

    private static final Logger LOG = LoggerFactory.getLogger(BillStore.class);
    private static final Pattern VALID_SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String schema;
    private final BillRows rows;

    /** A store in schema {@value #DEFAULT_SCHEMA}. */
    public BillStore(DataSource dataSource) {
        this(dataSource, DEFAULT_SCHEMA);
    }

    /** A store in {@code schema}: lower-case letters, digits and underscores, not starting with a digit. */
    public BillStore(DataSource dataSource, String schema) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.schema = requireValidSchema(schema);
        this.rows = new BillRows(this.schema);
    }

    /**
     * Returns {@code schema} if it is a plain lower-case identifier (it becomes part of SQL text, so nothing else
     * is accepted); throws {@link IllegalArgumentException} naming it otherwise.
     */
    public static String requireValidSchema(String schema) {
        Objects.requireNonNull(schema, "schema must not be null");
        if (!VALID_SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be 1-63 characters of [a-z0-9_] not starting with a "
                    + "digit, was '" + schema + "'");
        }
        return schema;
    }

    /** The schema this store reads and writes. */
    public String schema() {
        return schema;
    }

    /** Creates the schema if needed and applies pending migrations; returns how many were applied. */
    public int migrate() {
        try {
            int applied = Flyway.configure(BillStore.class.getClassLoader())
                    .dataSource(dataSource)
                    .schemas(schema)
                    .createSchemas(true)
                    .table(HISTORY_TABLE)
                    .locations(MIGRATION_LOCATION)
                    .load()
                    .migrate()
                    .migrationsExecuted;
            LOG.info("Billing schema {}: {} migration(s) applied", schema, applied);
            return applied;
        } catch (RuntimeException e) {
            throw new BillStoreException("cannot migrate billing schema " + schema + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code bill} with its lines in one transaction if its version is higher than the stored one's (or none
     * is stored); otherwise changes nothing.
     *
     * @return whether this version was written
     */
    public boolean upsert(Bill bill) {
        Objects.requireNonNull(bill, "bill must not be null");
        try {
            return write(List.of(bill)) == 1;
        } catch (SQLException e) {
            throw new BillStoreException("cannot write bill " + describe(bill.subscriber(), bill.cycle())
                    + " version " + bill.version() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code bills} in one transaction, each as {@link #upsert} would (a bill no newer than the stored one
     * changes nothing); of several versions of one bill (subscriber and cycle) only the newest counts. One commit
     * for many bills is what lets the billing job's sink keep up: a transaction per bill spends most of its time
     * committing. And the statements are per batch, not per bill: about ten round trips write a batch of any size
     * (array parameters for the headers, the reads of what is stored and the deletes; JDBC batches for the rows).
     * All or nothing: on a failure nothing is written.
     *
     * @return how many of the bills were written
     */
    public int upsertAll(java.util.Collection<Bill> bills) {
        Objects.requireNonNull(bills, "bills must not be null");
        if (bills.isEmpty()) {
            return 0;
        }
        Map<String, Bill> newest = new LinkedHashMap<>();
        for (Bill bill : bills) {
            Objects.requireNonNull(bill, "bills must not contain null");
            newest.merge(key(bill.subscriber(), bill.cycle()), bill,
                    (held, next) -> next.version() > held.version() ? next : held);
        }
        try {
            return write(List.copyOf(newest.values()));
        } catch (SQLException e) {
            Bill first = newest.values().iterator().next();
            throw new BillStoreException("cannot write " + newest.size() + " bill(s) (the first "
                    + describe(first.subscriber(), first.cycle()) + " version " + first.version() + "): "
                    + e.getMessage(), e);
        }
    }

    /** The stored bill of {@code subscriber} for {@code cycle}, read in one statement (so one snapshot). */
    public Optional<Bill> find(Msisdn subscriber, YearMonth cycle) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        return inStatement("read bill " + describe(subscriber, cycle), c -> {
            try (PreparedStatement ps = c.prepareStatement(rows.selectWholeBill)) {
                BillRows.bindKey(ps, subscriber, cycle);
                try (ResultSet rs = ps.executeQuery()) {
                    return BillRows.readWholeBill(rs);
                }
            }
        });
    }

    /** The stored bill of {@code subscriber} for its newest cycle, read in one statement (so one snapshot). */
    public Optional<Bill> findLatest(Msisdn subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        return inStatement("read latest bill of " + subscriber + " in schema " + schema, c -> {
            try (PreparedStatement ps = c.prepareStatement(rows.selectWholeLatestBill)) {
                ps.setString(1, subscriber.value());
                ps.setString(2, subscriber.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return BillRows.readWholeBill(rs);
                }
            }
        });
    }

    /** Summaries of every stored bill of {@code subscriber}, newest cycle first. */
    public List<BillSummary> list(Msisdn subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        return inStatement("list bills of " + subscriber + " in schema " + schema, c -> {
            try (PreparedStatement ps = c.prepareStatement(rows.selectSummaries
                    + " WHERE b.subscriber = ? ORDER BY b.cycle DESC")) {
                ps.setString(1, subscriber.value());
                return readSummaries(ps);
            }
        });
    }

    /** Summaries of at most {@code limit} bills of {@code cycle}, by subscriber. */
    public List<BillSummary> list(YearMonth cycle, int limit) {
        Objects.requireNonNull(cycle, "cycle must not be null");
        return list(BillFilter.ALL.withCycle(cycle), PageRequest.first(limit)).items();
    }

    /**
     * One page of the bills matching {@code filter}, newest cycle first and then by subscriber. Pages read with the
     * returned cursor are stable while bills are written: each starts after the last item of the one before.
     */
    public BillPage list(BillFilter filter, PageRequest page) {
        Objects.requireNonNull(filter, "filter must not be null");
        Objects.requireNonNull(page, "page must not be null");
        StringBuilder sql = new StringBuilder(rows.selectSummaries).append(" WHERE TRUE");
        List<Object> params = new ArrayList<>();
        filter.cycle().ifPresent(cycle -> {
            sql.append(" AND b.cycle = ?");
            params.add(cycle.toString());
        });
        filter.status().ifPresent(status -> {
            sql.append(" AND b.status = ?");
            params.add(status.name());
        });
        filter.minTotal().ifPresent(min -> {
            sql.append(" AND b.total_paisa >= ?");
            params.add(min.paisa());
        });
        filter.subscriberPrefix().ifPresent(prefix -> {
            // The prefix is '+' and digits (BillFilter checks), so it holds no LIKE wildcards.
            sql.append(" AND b.subscriber LIKE ?");
            params.add(prefix + "%");
        });
        if (page.cursor().isPresent()) {
            PageRequest.Position after = PageRequest.decode(page.cursor().get());
            sql.append(" AND (b.cycle < ? OR (b.cycle = ? AND b.subscriber > ?))");
            params.add(after.cycle().toString());
            params.add(after.cycle().toString());
            params.add(after.subscriber().value());
        }
        sql.append(" ORDER BY b.cycle DESC, b.subscriber ASC LIMIT ?");
        params.add(page.limit() + 1);
        if (page.offset() > 0) {
            sql.append(" OFFSET ?");
            params.add(page.offset());
        }
        String statement = sql.toString();
        return inStatement("list bills in schema " + schema, c -> {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                List<BillSummary> items = readSummaries(ps);
                if (items.size() <= page.limit()) {
                    return new BillPage(items, Optional.empty());
                }
                List<BillSummary> shown = items.subList(0, page.limit());
                BillSummary last = shown.get(shown.size() - 1);
                return new BillPage(shown, Optional.of(PageRequest.encode(last.cycle(), last.subscriber())));
            }
        });
    }

    /** Every stored version of the bill of {@code subscriber} for {@code cycle}, newest first, with changes. */
    public List<BillVersion> versions(Msisdn subscriber, YearMonth cycle) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        return inSnapshot("read versions of bill " + describe(subscriber, cycle), c -> {
            Map<Long, List<BillChange>> changes = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(rows.selectChanges)) {
                BillRows.bindKey(ps, subscriber, cycle);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changes.computeIfAbsent(rs.getLong("version"), v -> new ArrayList<>())
                                .add(BillRows.readChange(rs));
                    }
                }
            }
            List<BillVersion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(rows.selectVersions)) {
                BillRows.bindKey(ps, subscriber, cycle);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(BillRows.readVersion(rs, changes.getOrDefault(rs.getLong("version"), List.of())));
                    }
                }
            }
            return out;
        });
    }

    /** Writes those of {@code bills} (distinct keys) newer than the stored ones, in one transaction. */
    private int write(List<Bill> bills) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(rows.keyLookupsOnly)) {
                    ps.execute();
                }
                int written = writeIfNewer(c, bills);
                c.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /*
     * The write of a batch is split into a method per statement and a method per bill on purpose: the batch method
     * runs once per batch and its loops are hot, so as one method the JIT compiled it again and again on stack
     * replacement (one compilation per loop, each of the whole 100-kilobyte method: 4.5 s of compiler time in a
     * benchmark minute). A method per bill is compiled once, like any hot method (docs/benchmarks.md, "End to end").
     */
    private int writeIfNewer(Connection c, List<Bill> bills) throws SQLException {
        List<long[]> hashes = new ArrayList<>(bills.size());
        for (Bill bill : bills) {
            long[] h = new long[bill.lines().size()];
            for (int i = 0; i < h.length; i++) {
                h[i] = LineHash.of(bill.lines().get(i));
            }
            hashes.add(h);
        }
        Map<String, Header> locked = lockHeaders(c, bills);
        java.util.Set<String> newer = upsertHeaders(c, bills, hashes);
        // In the order the bills came, so the statements below are deterministic. Each bill's key and each line's
        // event id as text are made once here: the writer is on the stream job's path, and they were a fifth of it.
        List<Bill> written = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<long[]> writtenHashes = new ArrayList<>();
        for (int b = 0; b < bills.size(); b++) {
            String k = key(bills.get(b).subscriber(), bills.get(b).cycle());
            if (newer.contains(k)) {
                written.add(bills.get(b));
                keys.add(k);
                writtenHashes.add(hashes.get(b));
            }
        }
        if (written.size() < bills.size() && LOG.isDebugEnabled()) {
            LOG.debug("{} of {} bills were not newer than the stored ones; ignored", bills.size() - written.size(),
                    bills.size());
        }
        if (written.isEmpty()) {
            return 0;
        }
        Replaced replaced = readReplacedLines(c, written, keys, writtenHashes, locked);
        Map<String, Map<Integer, StoredLine>> stored = replaced.lines();
        Map<String, Long> previous = previousVersions(c, written, keys, locked);
        List<LineDiff> diffs = new ArrayList<>(written.size());
        for (int b = 0; b < written.size(); b++) {
            String k = keys.get(b);
            diffs.add(LineDiff.of(written.get(b), writtenHashes.get(b),
                    replaced.whole().contains(k) ? null : locked.get(k).lineHashes(), stored.getOrDefault(k, Map.of())));
        }
        deleteReplacedLines(c, written, diffs);
        try (PreparedStatement ps = c.prepareStatement(rows.deleteBundles)) {
            BillRows.bindKeys(ps, written);
            ps.executeUpdate();
        }
        CopyText lines = new CopyText();
        CopyText segments = new CopyText();
        CopyText bundles = new CopyText();
        for (int b = 0; b < written.size(); b++) {
            appendRows(lines, segments, bundles, written.get(b), diffs.get(b));
        }
        // Lines before their segments (a segment's foreign key names its line). COPY, not INSERT: a batch's rows
        // are the bulk of the store's work, and COPY parses no statement per row (docs/benchmarks.md, "Report store
        // writes").
        copy(c, rows.copyLines, lines);
        copy(c, rows.copySegments, segments);
        copy(c, rows.copyBundles, bundles);
        CopyText versions = new CopyText();
        CopyText changeRows = new CopyText();
        for (int b = 0; b < written.size(); b++) {
            Bill bill = written.get(b);
            BillRows.copyVersion(versions, bill, previous.get(keys.get(b)));
            appendChanges(changeRows, bill, stored.getOrDefault(keys.get(b), Map.of()), diffs.get(b));
        }
        copy(c, rows.copyVersions, versions);
        copy(c, rows.copyChanges, changeRows);
        return written.size();
    }

    /**
     * A stored bill's header as locked for a write: its version, its number of lines and their hashes (null before
     * V6).
     */
    private record Header(long version, int lineCount, long[] lineHashes) {

        /** Whether the lines can be compared by their hashes: there is one for each stored line. */
        boolean hashed() {
            return lineHashes != null && lineHashes.length == lineCount;
        }
    }

    /**
     * Locks the stored headers of {@code bills} until the transaction ends and reads their versions and line hashes,
     * by bill key; a bill not stored yet has none.
     */
    private Map<String, Header> lockHeaders(Connection c, List<Bill> bills) throws SQLException {
        Map<String, Header> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(rows.lockHeaders)) {
            BillRows.bindKeys(ps, bills);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2),
                            new Header(rs.getLong(3), rs.getInt(5), BillRows.lineHashes(rs.getBytes(4))));
                }
            }
        }
        return out;
    }

    /**
     * The stored lines the new versions may replace, by bill key and position. For a bill whose locked header has
     * line hashes, only the lines at positions whose hash differs from the new line's (or that the new version no
     * longer has): the others stay as they are. For a bill stored before V6, or not stored when its header was locked
     * (new, or written by another writer since), all its lines, as before. If a hashed bill's hashes are not one for
     * each of its stored lines, or its lines are not where its hashes say, its lines are read in full too.
     */
    private Replaced readReplacedLines(Connection c, List<Bill> bills, List<String> keys, List<long[]> hashes,
            Map<String, Header> locked) throws SQLException {
        List<Bill> whole = new ArrayList<>();
        List<Bill> atBills = new ArrayList<>();
        List<Integer> atPositions = new ArrayList<>();
        Map<String, Integer> expected = new LinkedHashMap<>();
        Map<String, Bill> byKey = new HashMap<>();
        for (int b = 0; b < bills.size(); b++) {
            Header h = locked.get(keys.get(b));
            if (h == null || !h.hashed()) {
                whole.add(bills.get(b));
                continue;
            }
            long[] now = hashes.get(b);
            long[] before = h.lineHashes();
            int n = 0;
            for (int p = 1; p <= before.length; p++) {
                if (p > now.length || before[p - 1] != now[p - 1]) {
                    atBills.add(bills.get(b));
                    atPositions.add(p);
                    n++;
                }
            }
            expected.put(keys.get(b), n);
            byKey.put(keys.get(b), bills.get(b));
        }
        Map<String, Map<Integer, StoredLine>> stored = new HashMap<>();
        if (!atPositions.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(rows.selectLinesAt)) {
                BillRows.bindLinePositions(ps, atBills, atPositions);
                readStoredLines(ps, stored);
            }
            for (Map.Entry<String, Integer> e : expected.entrySet()) {
                String k = e.getKey();
                Bill bill = byKey.get(k);
                if (stored.getOrDefault(k, Map.of()).size() != e.getValue()) {
                    LOG.warn("the stored lines of bill {} are not where its line hashes say; reading all of them",
                            describe(bill.subscriber(), bill.cycle()));
                    stored.remove(k);
                    whole.add(bill);
                }
            }
        }
        if (!whole.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(rows.selectStoredLines)) {
                BillRows.bindKeys(ps, whole);
                readStoredLines(ps, stored);
            }
        }
        java.util.Set<String> wholeKeys = new java.util.HashSet<>();
        for (Bill bill : whole) {
            wholeKeys.add(key(bill.subscriber(), bill.cycle()));
        }
        return new Replaced(stored, wholeKeys);
    }

    /** The stored lines a batch may replace, by bill key and position, and the keys of the bills read in full. */
    private record Replaced(Map<String, Map<Integer, StoredLine>> lines, java.util.Set<String> whole) {
    }

    /**
     * The version each of {@code bills} replaces, by bill key (none for a bill new to the store): the locked
     * header's, which the history has as its newest; for a bill with no header when it was locked, from the history.
     */
    private Map<String, Long> previousVersions(Connection c, List<Bill> bills, List<String> keys,
            Map<String, Header> locked) throws SQLException {
        Map<String, Long> previous = new HashMap<>();
        List<Bill> unknown = new ArrayList<>();
        for (int b = 0; b < bills.size(); b++) {
            Header h = locked.get(keys.get(b));
            if (h != null) {
                previous.put(keys.get(b), h.version());
            } else {
                unknown.add(bills.get(b));
            }
        }
        if (!unknown.isEmpty()) {
            previous.putAll(readPreviousVersions(c, unknown));
        }
        return previous;
    }

    /** Raises the stored bills' headers to {@code bills} where those are newer; the keys of the ones raised. */
    private java.util.Set<String> upsertHeaders(Connection c, List<Bill> bills, List<long[]> hashes)
            throws SQLException {
        java.util.Set<String> newer = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(rows.upsertBills)) {
            BillRows.bindBills(ps, bills, hashes);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    newer.add(rs.getString(1) + "/" + rs.getString(2));
                }
            }
        }
        return newer;
    }

    /** Adds the stored lines {@code ps} selects ({@link BillRows#selectStoredLines}'s columns) by bill key and position. */
    private static void readStoredLines(PreparedStatement ps, Map<String, Map<Integer, StoredLine>> stored)
            throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long hash = rs.getLong(6);
                Long contentHash = rs.wasNull() ? null : hash;
                StoredLine line = new StoredLine(rs.getString(3), rs.getInt(4), rs.getLong(5), contentHash);
                stored.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2), k -> new HashMap<>())
                        .put(line.position(), line);
            }
        }
    }

    /** The version each of {@code bills} replaces, by bill key (none for a bill new to the store). */
    private Map<String, Long> readPreviousVersions(Connection c, List<Bill> bills) throws SQLException {
        Map<String, Long> previous = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(rows.selectPreviousVersions)) {
            BillRows.bindKeys(ps, bills);
            Long[] versions = bills.stream().map(Bill::version).toArray(Long[]::new);
            ps.setArray(3, c.createArrayOf("int8", versions));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long v = rs.getLong(3);
                    if (!rs.wasNull()) {
                        previous.put(rs.getString(1) + "/" + rs.getString(2), v);
                    }
                }
            }
        }
        return previous;
    }

    /** Deletes the stored lines the new versions do not keep (their segments by cascade). */
    private void deleteReplacedLines(Connection c, List<Bill> bills, List<LineDiff> diffs) throws SQLException {
        List<Bill> deletedFrom = new ArrayList<>();
        List<Integer> deletedAt = new ArrayList<>();
        for (int b = 0; b < bills.size(); b++) {
            for (Integer position : diffs.get(b).deleted()) {
                deletedFrom.add(bills.get(b));
                deletedAt.add(position);
            }
        }
        if (!deletedAt.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(rows.deleteLinesAt)) {
                BillRows.bindLinePositions(ps, deletedFrom, deletedAt);
                ps.executeUpdate();
            }
        }
    }

    /** Appends {@code bill}'s changed lines, their segments and its bundle usage to the batch's COPY rows. */
    private static void appendRows(CopyText lines, CopyText segments, CopyText bundles, Bill bill, LineDiff diff) {
        for (HashedLine changed : diff.changed()) {
            BillLine line = changed.line();
            BillRows.copyLine(lines, bill, line, changed.eventId(), changed.hash());
            List<RatedSegment> lineSegments = line.rated().segments();
            for (int i = 0; i < lineSegments.size(); i++) {
                BillRows.copySegment(segments, bill, line, i + 1, lineSegments.get(i));
            }
        }
        for (int i = 0; i < bill.bundles().size(); i++) {
            BillRows.copyBundle(bundles, bill, i + 1, bill.bundles().get(i));
        }
    }

    /**
     * Appends what {@code bill} changed against its {@code stored} lines to the batch's COPY rows: the lines the
     * diff keeps changed nothing, and {@code stored} need hold only the others.
     */
    private static void appendChanges(CopyText changeRows, Bill bill, Map<Integer, StoredLine> stored,
            LineDiff diff) {
        for (BillChange change : changes(amounts(stored), bill, diff.eventIds(), diff.kept())) {
            BillRows.copyChange(changeRows, bill, change);
        }
    }

    /** Sends {@code rows} with {@code copySql} ({@code COPY ... FROM STDIN}) on {@code c}; nothing if empty. */
    private static void copy(Connection c, String copySql, CopyText rows) throws SQLException {
        if (rows.rows() == 0) {
            return;
        }
        try {
            c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(copySql,
                    new java.io.StringReader(rows.text()));
        } catch (java.io.IOException e) {
            throw new SQLException("copying " + rows.rows() + " rows failed: " + e.getMessage(), e);
        }
    }

    private static String key(Msisdn subscriber, YearMonth cycle) {
        return subscriber.value() + "/" + cycle;
    }

    /** A stored line as a new version is compared with it; {@code contentHash} is null for lines stored before V4. */
    private record StoredLine(String eventId, int position, long amountPaisa, Long contentHash) {
    }

    /** A line of a new version that is to be written, with its {@link LineHash}. */
    private record HashedLine(BillLine line, String eventId, long hash) {
    }

    /**
     * How a new version's lines differ from the stored ones. Only the lines a version changed are written: a stored
     * line stays when the new line at its position is of the same record with the same content hash; every other
     * stored line is deleted (its segments by cascade) and every other new line inserted. Kept lines hold the same
     * event at the same position in both, so the inserts never collide with them.
     *
     * @param changed the new lines to insert
     * @param deleted the positions of the stored lines to delete, ascending
     * @param eventIds the text of each new line's event id, by index
     * @param kept whether each new line, by index, is kept as stored
     */
    private record LineDiff(List<HashedLine> changed, List<Integer> deleted, String[] eventIds, boolean[] kept) {

        /**
         * Compares {@code bill}, whose lines hash to {@code hashes}, with what is stored: with {@code storedHashes}
         * (the header's, by position) when given, and then {@code old} holds only the stored lines that differ;
         * otherwise {@code old} holds all the stored lines.
         */
        static LineDiff of(Bill bill, long[] hashes, long[] storedHashes, Map<Integer, StoredLine> old) {
            List<HashedLine> changed = new ArrayList<>();
            String[] ids = new String[bill.lines().size()];
            boolean[] kept = new boolean[ids.length];
            java.util.Set<Integer> keptPositions = new java.util.HashSet<>();
            for (int i = 0; i < ids.length; i++) {
                BillLine line = bill.lines().get(i);
                ids[i] = line.rated().eventId().toString();
                long hash = hashes[i];
                int p = line.position();
                if (storedHashes != null) {
                    kept[i] = p <= storedHashes.length && storedHashes[p - 1] == hash;
                } else {
                    StoredLine held = old.get(p);
                    kept[i] = held != null && held.contentHash() != null && held.contentHash() == hash
                            && held.eventId().equals(ids[i]);
                }
                if (kept[i]) {
                    keptPositions.add(p);
                } else {
                    changed.add(new HashedLine(line, ids[i], hash));
                }
            }
            List<Integer> deleted = new ArrayList<>();
            for (Integer position : new java.util.TreeSet<>(old.keySet())) {
                if (!keptPositions.contains(position)) {
                    deleted.add(position);
                }
            }
            return new LineDiff(changed, deleted, ids, kept);
        }
    }

    /** Event id to position and amount, of the stored lines {@code byPosition}. */
    private static Map<String, long[]> amounts(Map<Integer, StoredLine> byPosition) {
        Map<String, long[]> out = new HashMap<>();
        for (StoredLine line : byPosition.values()) {
            out.put(line.eventId(), new long[] {line.position(), line.amountPaisa()});
        }
        return out;
    }

    /**
     * What {@code bill} changes against the stored lines {@code before} (event id to position and amount);
     * {@code eventIds[i]} is the text of line i's event id. Lines marked {@code kept} are the same event with the
     * same content at the same position as a stored line, so they change nothing: {@code before} may hold the
     * stored lines they match or not (an event is on a bill once, so none of the other stored lines is theirs).
     */
    static List<BillChange> changes(Map<String, long[]> before, Bill bill, String[] eventIds, boolean[] kept) {
        List<BillChange> out = new ArrayList<>();
        Map<String, long[]> gone = new HashMap<>(before);
        for (int i = 0; i < eventIds.length; i++) {
            if (kept[i]) {
                gone.remove(eventIds[i]); // if before holds it, it stays: neither removed nor repriced
                continue;
            }
            BillLine line = bill.lines().get(i);
            String id = eventIds[i];
            long[] old = gone.remove(id);
            if (old == null) {
                out.add(new BillChange(id, BillChange.Kind.ADDED, null, line.position(), null, line.amount()));
            } else if (old[1] != line.amount().paisa()) {
                out.add(new BillChange(id, BillChange.Kind.REPRICED, (int) old[0], line.position(),
                        Money.ofPaisa(old[1]), line.amount()));
            }
        }
        gone.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.add(new BillChange(e.getKey(),
                BillChange.Kind.REMOVED, (int) e.getValue()[0], null, Money.ofPaisa(e.getValue()[1]), null)));
        return out;
    }

    private static List<BillSummary> readSummaries(PreparedStatement ps) throws SQLException {
        List<BillSummary> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(BillRows.readSummary(rs));
            }
        }
        return out;
    }

    /** Runs {@code work}, a single statement (which PostgreSQL runs in one snapshot), on a connection as it comes. */
    private <T> T inStatement(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new BillStoreException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in a read-only repeatable-read transaction, so a bill and its lines come from one snapshot. */
    private <T> T inSnapshot(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            boolean readOnly = c.isReadOnly();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
                c.setReadOnly(readOnly);
            }
        } catch (SQLException e) {
            throw new BillStoreException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** Rolls back, keeping {@code failure} as the exception to report if the rollback fails too. */
    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private String describe(Msisdn subscriber, YearMonth cycle) {
        return subscriber + " " + cycle + " in schema " + schema;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
