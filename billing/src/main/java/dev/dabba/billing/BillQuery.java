package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Looks up the bill a person asks for: a subscriber's bill for a given cycle, or for their newest cycle; the part
 * of {@link BillCommand} that does not depend on the command line, for the demo, the HTTP API and tests.
 */
public final class BillQuery {

    private final BillStore store;

    /** A query over {@code store}. */
    public BillQuery(BillStore store) {
        this.store = Objects.requireNonNull(store, "store must not be null");
    }

    /** A query over the bill store in {@code schema} of {@code dataSource}. */
    public BillQuery(DataSource dataSource, String schema) {
        this(new BillStore(dataSource, schema));
    }

    /** The bill of {@code subscriber} for {@code cycle}, or for the subscriber's newest cycle if none is given. */
    public Optional<Bill> find(Msisdn subscriber, Optional<YearMonth> cycle) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(cycle, "cycle must not be null (use Optional.empty() for the newest cycle)");
        return cycle.isPresent() ? store.find(subscriber, cycle.get()) : store.findLatest(subscriber);
    }

    /** Every stored version of the bill of {@code subscriber} for {@code cycle}, newest first. */
    public List<BillVersion> versions(Msisdn subscriber, YearMonth cycle) {
        return store.versions(subscriber, cycle);
    }

    /** {@link #find} rendered in {@code format}. */
    public Optional<String> render(Msisdn subscriber, Optional<YearMonth> cycle, BillFormat format) {
        Objects.requireNonNull(format, "format must not be null");
        return find(subscriber, cycle).map(bill -> BillRenderer.render(bill, format));
    }
}
