package dev.dabba.reliability.oracle;

import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed tariff rated from scratch, in a few lines, without the billing module: the oracle's own rater.
 *
 * <p>The seed plan (the MISSION's numbers, plus Rs 1 per SMS as Dabba bills it): calls VOICE 1, VIDEO 2, VOLTE 0.5
 * paisa per second; data 3G 10, 4G 5, 5G 3 paisa per MiB (1,048,576 bytes) of uplink plus downlink, pro rata per
 * byte; SMS 100 paisa; every record rounded up to a whole paisa. A call cut into parts at handovers is one call:
 * its parts, ordered by part number, are charged the differences of the call's rounded running total, so a call's
 * rounding happens once (as the rating engine documents it for per-record rounding).
 *
 * <p>Why not the billing module's {@code RatingEngine}: the oracle exists to check the pipeline, and the engine is
 * part of it. The seed plan is small enough to rate in exact integer arithmetic here; a unit test checks this rater
 * and the engine agree on a large random sample, so a disagreement points at one of two independent programs.
 */
public final class SeedPlanRater {

    /** Bytes in one MiB. */
    public static final long MIB = 1024L * 1024L;
    /** Paisa per SMS. */
    public static final long SMS_PAISA = 100;

    private SeedPlanRater() {
    }

    /** Paisa for {@code seconds} of a call of {@code type}, rounded up. */
    public static long callPaisa(CallType type, long seconds) {
        BigInteger s = BigInteger.valueOf(seconds);
        switch (type) {
            case VOICE:
                return s.longValueExact();
            case VIDEO:
                return s.shiftLeft(1).longValueExact();
            case VOLTE:
                return ceilDiv(s, BigInteger.TWO).longValueExact();
            default:
                throw new IllegalArgumentException("unknown call type " + type);
        }
    }

    /** Paisa for {@code bytes} of data on {@code radio}, pro rata per byte, rounded up. */
    public static long dataPaisa(RadioType radio, long bytes) {
        long perMib;
        switch (radio) {
            case G3:
                perMib = 10;
                break;
            case G4:
                perMib = 5;
                break;
            case G5:
                perMib = 3;
                break;
            default:
                throw new IllegalArgumentException("unknown radio " + radio);
        }
        return ceilDiv(BigInteger.valueOf(bytes).multiply(BigInteger.valueOf(perMib)), BigInteger.valueOf(MIB))
                .longValueExact();
    }

    /**
     * The amount of every record of one bill, partial calls stitched per call reference.
     *
     * @param billRecords the records of one subscriber and cycle, each once
     */
    public static Map<EventId, Long> rate(Collection<GeneratedRecord> billRecords) {
        Map<EventId, Long> out = new HashMap<>();
        Map<String, List<GeneratedRecord>> calls = new HashMap<>();
        for (GeneratedRecord r : billRecords) {
            Usage u = r.usage();
            if (u instanceof Usage.Call) {
                Usage.Call c = (Usage.Call) u;
                if (c.isPartial()) {
                    calls.computeIfAbsent(c.part().callReference(), k -> new ArrayList<>()).add(r);
                } else {
                    out.put(r.id(), callPaisa(c.type(), c.durationSeconds()));
                }
            } else if (u instanceof Usage.Sms) {
                out.put(r.id(), SMS_PAISA);
            } else if (u instanceof Usage.Data) {
                Usage.Data d = (Usage.Data) u;
                out.put(r.id(), dataPaisa(d.radio(), Math.addExact(d.uplinkBytes(), d.downlinkBytes())));
            } else {
                throw new IllegalArgumentException("unknown usage " + u);
            }
        }
        for (List<GeneratedRecord> parts : calls.values()) {
            parts.sort(Comparator.comparingInt((GeneratedRecord r) -> ((Usage.Call) r.usage()).part().sequence())
                    .thenComparing(GeneratedRecord::id));
            // The bearer of the call is the first part's; parts of one call share it.
            CallType type = ((Usage.Call) parts.get(0).usage()).type();
            long seconds = 0;
            long charged = 0;
            for (GeneratedRecord part : parts) {
                seconds = Math.addExact(seconds, ((Usage.Call) part.usage()).durationSeconds());
                long runningTotal = callPaisa(type, seconds);
                out.put(part.id(), runningTotal - charged);
                charged = runningTotal;
            }
        }
        return out;
    }

    private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
        return a.add(b).subtract(BigInteger.ONE).divide(b);
    }
}
