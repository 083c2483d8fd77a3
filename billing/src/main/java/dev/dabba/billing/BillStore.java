package dev.dabba.billing;

import dev.dabba.billing.internal.BillRows;
import dev.dabba.record.Msisdn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bill report store in PostgreSQL: one row per subscriber and cycle holding the highest bill version written,
 * with its lines, in a schema of its own (default {@value #DEFAULT_SCHEMA}) managed by Flyway.
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
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                boolean written = writeIfNewer(c, bill);
                c.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new BillStoreException("cannot write bill " + describe(bill.subscriber(), bill.cycle())
                    + " version " + bill.version() + ": " + e.getMessage(), e);
        }
    }

    /** The stored bill of {@code subscriber} for {@code cycle}, read in one snapshot. */
    public Optional<Bill> find(Msisdn subscriber, YearMonth cycle) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null");
        return inSnapshot("read bill " + describe(subscriber, cycle), c -> readBill(c, subscriber, cycle));
    }

    /** The stored bill of {@code subscriber} for its newest cycle, read in one snapshot. */
    public Optional<Bill> findLatest(Msisdn subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        return inSnapshot("read latest bill of " + subscriber + " in schema " + schema, c -> {
            Optional<YearMonth> cycle = latestCycle(c, subscriber);
            return cycle.isPresent() ? readBill(c, subscriber, cycle.get()) : Optional.empty();
        });
    }

    /** Summaries of every stored bill of {@code subscriber}, newest cycle first. */
    public List<BillSummary> list(Msisdn subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        return inSnapshot("list bills of " + subscriber + " in schema " + schema, c -> {
            try (PreparedStatement ps = c.prepareStatement(rows.selectSummariesBySubscriber)) {
                ps.setString(1, subscriber.value());
                return readSummaries(ps);
            }
        });
    }

    /** Summaries of at most {@code limit} bills of {@code cycle}, by subscriber. */
    public List<BillSummary> list(YearMonth cycle, int limit) {
        Objects.requireNonNull(cycle, "cycle must not be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return inSnapshot("list bills of cycle " + cycle + " in schema " + schema, c -> {
            try (PreparedStatement ps = c.prepareStatement(rows.selectSummariesByCycle)) {
                ps.setString(1, cycle.toString());
                ps.setInt(2, limit);
                return readSummaries(ps);
            }
        });
    }

    private boolean writeIfNewer(Connection c, Bill bill) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(rows.upsertBill)) {
            BillRows.bindBill(ps, bill);
            if (ps.executeUpdate() == 0) {
                LOG.debug("Bill {} version {} is not newer than the stored one; ignored",
                        describe(bill.subscriber(), bill.cycle()), bill.version());
                return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(rows.deleteLines)) {
            BillRows.bindKey(ps, bill.subscriber(), bill.cycle());
            ps.executeUpdate();
        }
        if (!bill.lines().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(rows.insertLine)) {
                for (BillLine line : bill.lines()) {
                    BillRows.bindLine(ps, bill, line);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return true;
    }

    private Optional<Bill> readBill(Connection c, Msisdn subscriber, YearMonth cycle) throws SQLException {
        List<BillLine> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(rows.selectLines)) {
            BillRows.bindKey(ps, subscriber, cycle);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(BillRows.readLine(rs));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(rows.selectBill)) {
            BillRows.bindKey(ps, subscriber, cycle);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(BillRows.readBill(rs, lines)) : Optional.empty();
            }
        }
    }

    private Optional<YearMonth> latestCycle(Connection c, Msisdn subscriber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(rows.selectLatestCycle)) {
            ps.setString(1, subscriber.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(YearMonth.parse(rs.getString(1))) : Optional.empty();
            }
        }
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
