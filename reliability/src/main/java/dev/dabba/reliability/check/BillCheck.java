package dev.dabba.reliability.check;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStore;
import dev.dabba.record.EventId;
import dev.dabba.reliability.oracle.BillKey;
import dev.dabba.reliability.oracle.ExpectedBill;
import dev.dabba.reliability.oracle.ExpectedLine;
import dev.dabba.record.Msisdn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Compares what the report store holds with the oracle's bills, line by line and paisa by paisa, and checks that no
 * record is missing, none is billed twice, and no bill exists that the oracle does not expect.
 */
public final class BillCheck {

    private static final int MAX_PROBLEMS = 20;

    private final BillStore store;
    private final DataSource dataSource;

    public BillCheck(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.store = new BillStore(dataSource, schema);
    }

    /** A cheap progress measure for polling: how many bill lines the store holds in all. */
    public long storedLines() {
        return scalar("SELECT count(*) FROM \"" + store.schema() + "\".bill_line");
    }

    /** Compares every bill; the result lists the first problems found. */
    public CheckResult compare(Map<BillKey, ExpectedBill> expected) {
        List<String> problems = new ArrayList<>();
        long expectedLines = 0;
        long paisa = 0;
        for (ExpectedBill e : expected.values()) {
            expectedLines += e.lines().size();
            paisa += e.totalPaisa();
            Optional<Bill> stored = store.find(e.key().subscriber(), e.key().cycle());
            if (stored.isEmpty()) {
                add(problems, "no bill for " + e.key() + " (expected " + e.lines().size() + " lines)");
                continue;
            }
            compareBill(e, stored.get(), problems);
        }
        Set<BillKey> storedKeys = storedKeys();
        for (BillKey k : storedKeys) {
            if (!expected.containsKey(k)) {
                add(problems, "unexpected bill " + k + " in the store");
            }
        }
        long[] lines = lineCounts();
        if (lines[0] != expectedLines) {
            add(problems, "the store holds " + lines[0] + " bill lines, the oracle " + expectedLines);
        }
        if (lines[1] != lines[0]) {
            add(problems, (lines[0] - lines[1]) + " event ids are billed more than once");
        }
        return new CheckResult(problems.isEmpty(), List.copyOf(problems), expected.size(), expectedLines, lines[0],
                paisa);
    }

    private static void compareBill(ExpectedBill e, Bill b, List<String> problems) {
        String at = e.key().toString();
        List<EventId> want = e.lines().stream().map(ExpectedLine::id).toList();
        List<EventId> have = b.lines().stream().map(l -> l.rated().eventId()).toList();
        if (!new HashSet<>(want).equals(new HashSet<>(have)) || want.size() != have.size()) {
            Set<EventId> missing = new HashSet<>(want);
            have.forEach(missing::remove);
            Set<EventId> extra = new HashSet<>(have);
            want.forEach(extra::remove);
            add(problems, at + ": " + have.size() + " lines, expected " + want.size() + "; missing " + first(missing)
                    + ", unexpected " + first(extra));
            return;
        }
        if (e.orderExact() && !want.equals(have)) {
            add(problems, at + ": lines out of the causal order: " + have + ", expected " + want);
        }
        Map<EventId, ExpectedLine> byId = new HashMap<>();
        e.lines().forEach(l -> byId.put(l.id(), l));
        for (BillLine line : b.lines()) {
            ExpectedLine x = byId.get(line.rated().eventId());
            if (line.rated().amount().paisa() != x.paisa()) {
                add(problems, at + ": " + x.id() + " billed " + line.rated().amount().paisa() + " paisa, expected "
                        + x.paisa());
            }
            if (e.orderExact() && line.concurrent() != x.concurrent()) {
                add(problems, at + ": " + x.id() + " concurrent=" + line.concurrent() + ", expected "
                        + x.concurrent());
            }
            if (line.releasedIncomplete()) {
                add(problems, at + ": " + x.id() + " is still flagged incomplete: " + line.missingDependencies());
            }
            if (line.cloneSuspect()) {
                add(problems, at + ": " + x.id() + " is flagged a cloned-SIM suspect");
            }
        }
        if (b.calls().paisa() != e.callsPaisa() || b.sms().paisa() != e.smsPaisa()
                || b.data().paisa() != e.dataPaisa() || b.total().paisa() != e.totalPaisa()) {
            add(problems, at + ": totals calls/sms/data/total " + b.calls().paisa() + "/" + b.sms().paisa() + "/"
                    + b.data().paisa() + "/" + b.total().paisa() + " paisa, expected " + e.callsPaisa() + "/"
                    + e.smsPaisa() + "/" + e.dataPaisa() + "/" + e.totalPaisa());
        }
    }

    private static String first(Set<EventId> ids) {
        return ids.stream().sorted().limit(5).toList() + (ids.size() > 5 ? " and " + (ids.size() - 5) + " more" : "");
    }

    private static void add(List<String> problems, String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("... (more problems not listed)");
        }
    }

    private Set<BillKey> storedKeys() {
        Set<BillKey> keys = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             // sql-allowlist: the schema is an identifier BillStore validated
             PreparedStatement ps = c.prepareStatement("SELECT subscriber, cycle FROM \"" + store.schema()
                     + "\".bill");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new BillKey(Msisdn.of(rs.getString(1)), YearMonth.parse(rs.getString(2))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the stored bills: " + e.getMessage(), e);
        }
        return keys;
    }

    private long[] lineCounts() {
        try (Connection c = dataSource.getConnection();
             // sql-allowlist: the schema is an identifier BillStore validated
             PreparedStatement ps = c.prepareStatement("SELECT count(*), count(DISTINCT event_id) FROM \""
                     + store.schema() + "\".bill_line");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the stored bill lines: " + e.getMessage(), e);
        }
    }

    private long scalar(String sql) {
        try (Connection c = dataSource.getConnection();
             // sql-allowlist: private; its one caller passes constants and the schema BillStore validated
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql + ": " + e.getMessage(), e);
        }
    }
}
