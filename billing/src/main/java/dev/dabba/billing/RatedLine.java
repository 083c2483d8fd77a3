package dev.dabba.billing;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One usage record after rating: where and when it happened, its clocks, what was used, its rating breakdown, and
 * what it costs, both exactly (a decimal number of paisa) and rounded by the tariff's rule.
 *
 * <p>{@code counterparty} is the callee of a call or the recipient of an SMS, and {@code null} for data. The
 * segments add up to the exact amount; a record without usage (an unanswered call) has none, and neither have lines
 * stored before breakdowns were kept.
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
        List<RatedSegment> segments,
        BigDecimal exactPaisa,
        Money amount) {

    public RatedLine {
        Objects.requireNonNull(eventId, "rated line eventId must not be null");
        require(tower, "tower", eventId);
        if (!tower.equals(eventId.origin())) {
            throw new IllegalArgumentException("rated line tower must be the event's origin " + eventId.origin()
                    + ", was " + tower);
        }
        require(start, "start", eventId);
        require(clock, "clock", eventId);
        require(hlc, "hlc", eventId);
        require(service, "service", eventId);
        require(quantity, "quantity", eventId);
        if (quantity.unit() != service.unit()) {
            throw new IllegalArgumentException("rated line quantity must be in " + service.unit() + " for "
                    + service + ", was " + quantity.unit() + " (" + eventId + ")");
        }
        segments = List.copyOf(Objects.requireNonNull(segments, "rated line segments must not be null"));
        require(exactPaisa, "exactPaisa", eventId);
        require(amount, "amount", eventId);
        if (exactPaisa.signum() < 0) {
            throw new IllegalArgumentException("rated line exactPaisa must be non-negative, was "
                    + exactPaisa.toPlainString() + " (" + eventId + ")");
        }
        if (amount.isNegative()) {
            throw new IllegalArgumentException("rated line amount must be non-negative, was " + amount + " ("
                    + eventId + ")");
        }
        if (segments.size() > 1 || (segments.size() == 1 && segments.get(0).exactPaisa() != exactPaisa)) {
            requireSegmentsAddUp(eventId, segments, exactPaisa, amount);
        }
    }

    /** Like {@code Objects.requireNonNull}, but builds the message only on failure (this is the rating hot path). */
    private static void require(Object value, String field, EventId eventId) {
        if (value == null) {
            throw new NullPointerException("rated line " + field + " must not be null (" + eventId + ")");
        }
    }

    /** The charged quantity: the sum of the segments' pulse lengths (the usage itself without a breakdown). */
    public long charged() {
        if (segments.isEmpty()) {
            return quantity.amount();
        }
        long sum = 0;
        for (RatedSegment s : segments) {
            sum += s.charged();
        }
        return sum;
    }

    private static void requireSegmentsAddUp(EventId eventId, List<RatedSegment> segments, BigDecimal exactPaisa,
            Money amount) {
        BigDecimal exact = BigDecimal.ZERO;
        long rounded = 0;
        boolean perSegment = true;
        for (RatedSegment s : segments) {
            exact = exact.add(s.exactPaisa());
            if (s.amount() == null) {
                perSegment = false;
            } else {
                rounded = Math.addExact(rounded, s.amount().paisa());
            }
        }
        if (exact.compareTo(exactPaisa) != 0) {
            throw new IllegalArgumentException("rated line exactPaisa " + exactPaisa.toPlainString()
                    + " must equal the sum of its segments, " + exact.toPlainString() + " (" + eventId + ")");
        }
        if (perSegment && rounded != amount.paisa()) {
            throw new IllegalArgumentException("rated line amount " + amount.paisa() + " paisa must equal the sum "
                    + "of its rounded segments, " + rounded + " (" + eventId + ")");
        }
    }
}
