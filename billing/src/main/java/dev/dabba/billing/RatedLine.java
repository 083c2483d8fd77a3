package dev.dabba.billing;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One usage record after rating: where and when it happened, its clocks, what was used, and what it costs, both
 * exactly (a decimal number of paisa) and rounded by the tariff's rule.
 *
 * <p>{@code counterparty} is the callee of a call or the recipient of an SMS, and {@code null} for data.
 */
public record RatedLine(
        EventId eventId,
        NodeId tower,
        Instant start,
        VectorClock clock,
        HybridTimestamp hlc,
        Service service,
        Quantity quantity,
        Msisdn counterparty,
        BigDecimal exactPaisa,
        Money amount) {

    public RatedLine {
        Objects.requireNonNull(eventId, "rated line eventId must not be null");
        Objects.requireNonNull(tower, "rated line tower must not be null (" + eventId + ")");
        if (!tower.equals(eventId.origin())) {
            throw new IllegalArgumentException("rated line tower must be the event's origin " + eventId.origin()
                    + ", was " + tower);
        }
        Objects.requireNonNull(start, "rated line start must not be null (" + eventId + ")");
        Objects.requireNonNull(clock, "rated line clock must not be null (" + eventId + ")");
        Objects.requireNonNull(hlc, "rated line hlc must not be null (" + eventId + ")");
        Objects.requireNonNull(service, "rated line service must not be null (" + eventId + ")");
        Objects.requireNonNull(quantity, "rated line quantity must not be null (" + eventId + ")");
        Objects.requireNonNull(exactPaisa, "rated line exactPaisa must not be null (" + eventId + ")");
        Objects.requireNonNull(amount, "rated line amount must not be null (" + eventId + ")");
        if (exactPaisa.signum() < 0) {
            throw new IllegalArgumentException("rated line exactPaisa must be non-negative, was "
                    + exactPaisa.toPlainString() + " (" + eventId + ")");
        }
        if (BigDecimal.valueOf(amount.paisa()).subtract(exactPaisa).abs().compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("rated line amount " + amount.paisa() + " paisa must be within one "
                    + "paisa of exactPaisa " + exactPaisa.toPlainString() + " (" + eventId + ")");
        }
        exactPaisa = Amounts.normalize(exactPaisa);
    }
}
