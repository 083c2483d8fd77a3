package dev.dabba.billing;

import dev.dabba.record.Msisdn;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/** One stored bill without its lines: enough to list bills and pick one. */
public record BillSummary(
        Msisdn subscriber,
        YearMonth cycle,
        long version,
        BillStatus status,
        String tariffId,
        int lineCount,
        Money total,
        Instant updatedAt) {

    public BillSummary {
        Objects.requireNonNull(subscriber, "bill summary subscriber must not be null");
        Objects.requireNonNull(cycle, "bill summary cycle must not be null");
        Objects.requireNonNull(status, "bill summary status must not be null");
        Objects.requireNonNull(tariffId, "bill summary tariffId must not be null");
        Objects.requireNonNull(total, "bill summary total must not be null");
        Objects.requireNonNull(updatedAt, "bill summary updatedAt must not be null");
    }
}
