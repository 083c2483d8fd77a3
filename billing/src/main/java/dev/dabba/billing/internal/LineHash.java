package dev.dabba.billing.internal;

import dev.dabba.billing.BillLine;
import dev.dabba.billing.Money;
import dev.dabba.billing.RatedLine;
import dev.dabba.billing.RatedSegment;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A 64-bit hash of everything a stored bill line holds: its row in {@code bill_line} (position, record, flags,
 * amounts) and its rows in {@code bill_segment}. The report store keeps a stored line when the new version's line at
 * the same position has the same event and the same hash, so most versions, which add a line to a bill, write one
 * line instead of all of them.
 *
 * <p>Deterministic across processes and restarts: built only from values whose hashes Java specifies (strings,
 * numbers) and from the clock's own entry hash, never from identity hashes (enums are hashed by name). A hash that
 * differs only costs a rewrite; what must not happen is two different lines with one hash, so every field is mixed in
 * with a 64-bit multiply-rotate step and a final avalanche (a collision needs a 64-bit match at the same position,
 * for the same event, with the same amount, which the store compares as well).
 */
public final class LineHash {

    private static final long SEED = 0x6461626261L; // "dabba"
    private static final long C1 = 0x87C37B91114253D5L;
    private static final long C2 = 0x4CF5AD432745937FL;

    private LineHash() {
    }

    /** The hash of {@code line}'s stored content. */
    public static long of(BillLine line) {
        RatedLine r = line.rated();
        long h = SEED;
        h = mix(h, line.position());
        h = mix(h, r.eventId().origin().value().hashCode());
        h = mix(h, r.eventId().sequence());
        h = mix(h, instant(r.start()));
        h = mix(h, r.start().getNano());
        h = mix(h, r.clock().hashCode());
        h = mix(h, r.clock().size());
        h = mix(h, r.hlc().wallMillis());
        h = mix(h, r.hlc().logical());
        h = mix(h, r.service().label().hashCode());
        h = mix(h, r.quantity().amount());
        h = mix(h, r.quantity().unit().symbol().hashCode());
        h = mix(h, r.counterparty() == null ? 0 : r.counterparty().value().hashCode());
        h = mix(h, decimal(r.exactPaisa()));
        h = mix(h, r.amount().paisa());
        h = mix(h, line.concurrent() ? 1 : 2);
        h = mix(h, line.missingDependencies() == null ? 0 : line.missingDependencies().hashCode());
        h = mix(h, line.cloneSuspect() ? 3 : 4);
        h = mix(h, r.segments().size());
        for (RatedSegment s : r.segments()) {
            h = mix(h, s.offset());
            h = mix(h, s.quantity());
            h = mix(h, s.charged());
            h = mix(h, s.pulses());
            h = mix(h, s.window() == null ? 0 : s.window().hashCode());
            h = mix(h, s.tierFrom());
            h = mix(h, decimal(s.price()));
            h = mix(h, s.unit());
            h = mix(h, s.bundle() == null ? 0 : s.bundle().hashCode());
            h = mix(h, s.bundleUsed());
            h = mix(h, decimal(s.connectFee()));
            h = mix(h, decimal(s.exactPaisa()));
            Money amount = s.amount();
            h = mix(h, amount == null ? Long.MIN_VALUE : amount.paisa());
        }
        return avalanche(h);
    }

    private static long instant(Instant i) {
        return i.getEpochSecond();
    }

    /**
     * 31<sup>-1</sup> modulo 2<sup>32</sup>. {@code BigDecimal.hashCode()} is {@code 31 * unscaledValue().hashCode() +
     * scale()} in int arithmetic (OpenJDK since 1.5), so this recovers the unscaled value's hash without the
     * {@code BigInteger} that {@code unscaledValue()} allocates for every amount (a tenth of the line hash's time).
     * {@code LineHashTest} checks the identity on this JDK; were it ever to break, stored hashes would stop matching
     * and the store would compare those bills line by line, never keep a changed line.
     */
    private static final int INVERSE_OF_31 = 0xBDEF7BDF;

    /** The decimal's value and scale (1.0 and 1.00 hash apart: the store keeps the scale too). */
    static long decimal(BigDecimal d) {
        int unscaledHash = (d.hashCode() - d.scale()) * INVERSE_OF_31;
        return unscaledHash * 31L + d.scale();
    }

    private static long mix(long h, long v) {
        long k = v * C1;
        k = Long.rotateLeft(k, 31) * C2;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52DCE729L;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
