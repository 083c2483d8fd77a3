package dev.dabba.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import dev.dabba.record.Msisdn;

/**
 * One version of a bill as the store wrote it: its totals, when, which version it replaced, and what changed, so an
 * analyst can follow how a bill grew and why amounts moved.
 */
public record BillVersion(
        Msisdn subscriber,
        YearMonth cycle,
        long version,
        Long previousVersion,
        BillStatus status,
        String tariffId,
        Money calls,
        Money sms,
        Money data,
        Money total,
        int lineCount,
        Instant updatedAt,
        Instant recordedAt,
        List<BillChange> changes) {

    public BillVersion {
        Objects.requireNonNull(subscriber, "bill version subscriber must not be null");
        Objects.requireNonNull(cycle, "bill version cycle must not be null");
        Objects.requireNonNull(status, "bill version status must not be null");
        Objects.requireNonNull(tariffId, "bill version tariffId must not be null");
        Objects.requireNonNull(calls, "bill version calls must not be null");
        Objects.requireNonNull(sms, "bill version sms must not be null");
        Objects.requireNonNull(data, "bill version data must not be null");
        Objects.requireNonNull(total, "bill version total must not be null");
        Objects.requireNonNull(updatedAt, "bill version updatedAt must not be null");
        Objects.requireNonNull(recordedAt, "bill version recordedAt must not be null");
        changes = List.copyOf(Objects.requireNonNull(changes, "bill version changes must not be null"));
    }
}
