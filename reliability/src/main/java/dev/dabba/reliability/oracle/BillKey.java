package dev.dabba.reliability.oracle;

import dev.dabba.record.Msisdn;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Objects;

/** A bill's identity: subscriber and billing cycle (calendar month in Asia/Kolkata, by the usage's start). */
public record BillKey(Msisdn subscriber, YearMonth cycle) implements Comparable<BillKey> {

    /** The zone billing cycles are calendar months in, written here rather than taken from the billing module. */
    public static final ZoneId CYCLE_ZONE = ZoneId.of("Asia/Kolkata");

    private static final Comparator<BillKey> ORDER = Comparator.comparing((BillKey k) -> k.subscriber().value())
            .thenComparing(BillKey::cycle);

    public BillKey {
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(cycle, "cycle");
    }

    /** The bill a record of {@code subscriber} starting at {@code start} belongs to. */
    public static BillKey of(Msisdn subscriber, Instant start) {
        return new BillKey(subscriber, YearMonth.from(start.atZone(CYCLE_ZONE)));
    }

    @Override
    public int compareTo(BillKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return subscriber.value() + " " + cycle;
    }
}
