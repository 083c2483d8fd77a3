package dev.dabba.jobs;

import dev.dabba.clock.Epoch;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Random worlds: towers stamping records for a few subscribers, handing them over, and adopting epochs. */
final class Worlds {

    static final List<String> TOWERS = List.of("MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_BANDRA", "MUMBAI_DADAR");
    static final List<Msisdn> SUBSCRIBERS = List.of(Msisdn.of("+919876543210"), Msisdn.of("+919876543220"),
            Msisdn.of("+919876543230"));
    /** Three days before the end of November 2026 in Mumbai: with long windows, some records fall into December. */
    static final Instant T0 = Instant.parse("2026-11-28T04:30:00Z");

    private Worlds() {
    }

    /**
     * Towers stamping records for a few subscribers, handing them over, and adopting announced epochs; every four steps
     * share a {@code window} of start times.
     */
    static List<UsageRecord> generate(Random random, int minSteps, int extraSteps, Duration window) {
        return generate(random, minSteps, extraSteps, window, true);
    }

    /** As {@link #generate(Random, int, int, Duration)}; without epochs every clock stays in genesis. */
    static List<UsageRecord> generate(Random random, int minSteps, int extraSteps, Duration window,
            boolean epochs) {
        World w = new World();
        List<UsageRecord> out = new ArrayList<>();
        Map<String, Long> frontier = new TreeMap<>();
        Epoch epoch = Epoch.GENESIS;
        int steps = minSteps + random.nextInt(extraSteps);
        for (int step = 0; step < steps; step++) {
            int action = random.nextInt(10);
            String tower = TOWERS.get(random.nextInt(TOWERS.size()));
            if (action < 6) {
                Msisdn who = SUBSCRIBERS.get(random.nextInt(SUBSCRIBERS.size()));
                // Steps share windows, so usage at two towers can overlap (clone suspects).
                Instant start = T0.plus(window.multipliedBy(step / 4)).plusSeconds(random.nextInt(120));
                UsageRecord r = w.stamp(tower, who, start, usage(random));
                out.add(r);
                frontier.merge(tower, r.id().sequence(), Math::max);
            } else if (action < 8) {
                w.handover(TOWERS.get(random.nextInt(TOWERS.size())), tower);
            } else if (action < 9) {
                // A call cut at a handover: a partial record at each tower, stitched into one call by billing.
                Msisdn who = SUBSCRIBERS.get(random.nextInt(SUBSCRIBERS.size()));
                String next = TOWERS.get(random.nextInt(TOWERS.size()));
                String reference = "call-" + step + "-" + random.nextInt(1000);
                Instant start = T0.plus(window.multipliedBy(step / 4)).plusSeconds(random.nextInt(120));
                long first = random.nextInt(200);
                UsageRecord a = w.stamp(tower, who, start, new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE,
                        first, new Usage.CallPart(reference, 1, false)));
                w.handover(tower, next);
                UsageRecord b = w.stamp(next, who, start.plusSeconds(first), new Usage.Call(
                        Msisdn.of("+919876543211"), CallType.VOICE, random.nextInt(200),
                        new Usage.CallPart(reference, 2, true)));
                out.add(a);
                out.add(b);
                frontier.merge(tower, a.id().sequence(), Math::max);
                frontier.merge(next, b.id().sequence(), Math::max);
            } else if (epochs) {
                Epoch next = EpochAuthorityFunction.next(epoch, frontier);
                if (next != null) {
                    epoch = next;
                }
                for (String t : TOWERS) {
                    if (random.nextBoolean()) {
                        w.adopt(t, epoch);
                    }
                }
            }
        }
        return out;
    }

    private static Usage usage(Random random) {
        Msisdn other = Msisdn.of("+9198765432" + (10 + random.nextInt(80)));
        switch (random.nextInt(3)) {
            case 0:
                return new Usage.Call(other, CallType.values()[random.nextInt(3)], random.nextInt(600));
            case 1:
                return new Usage.Sms(other);
            default:
                return new Usage.Data(RadioType.values()[random.nextInt(3)], random.nextInt(1 << 20),
                        random.nextInt(1 << 26));
        }
    }

}
