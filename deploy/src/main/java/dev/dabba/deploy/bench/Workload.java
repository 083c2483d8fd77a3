package dev.dabba.deploy.bench;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.util.Random;

/**
 * The usage the benchmark's towers see: a deterministic stream of steps, each one record of a random subscriber at
 * the tower where the subscriber is, sometimes followed by a handover of that subscriber to another tower (so the
 * next records of that subscriber causally follow this one, across towers). The mix is the edge agent benchmark's:
 * 50 % data sessions, 40 % calls, 10 % SMS.
 */
final class Workload {

    /** One record to stamp at {@code tower}, then, if {@code handoverTo >= 0}, the subscriber moves there. */
    record Step(Msisdn subscriber, int tower, Usage usage, int handoverTo) {
    }

    private final Random random;
    private final int towers;
    private final Msisdn[] subscribers;
    private final int[] at;
    private final double handoverShare;

    Workload(int towers, int subscribers, double handoverShare, long seed) {
        if (towers < 2) {
            throw new IllegalArgumentException("towers must be at least 2, was " + towers);
        }
        if (subscribers < 1) {
            throw new IllegalArgumentException("subscribers must be positive, was " + subscribers);
        }
        if (handoverShare < 0 || handoverShare > 1) {
            throw new IllegalArgumentException("handoverShare must be in [0, 1], was " + handoverShare);
        }
        this.random = new Random(seed);
        this.towers = towers;
        this.subscribers = new Msisdn[subscribers];
        this.at = new int[subscribers];
        for (int i = 0; i < subscribers; i++) {
            this.subscribers[i] = Msisdn.of("+9198" + String.format("%08d", i));
            this.at[i] = i % towers;
        }
        this.handoverShare = handoverShare;
    }

    /** The next step. */
    Step next() {
        int s = random.nextInt(subscribers.length);
        int tower = at[s];
        Usage usage = usage();
        int to = -1;
        if (random.nextDouble() < handoverShare) {
            to = (tower + 1 + random.nextInt(towers - 1)) % towers;
            at[s] = to;
        }
        return new Step(subscribers[s], tower, usage, to);
    }

    private Usage usage() {
        int kind = random.nextInt(10);
        if (kind < 5) {
            long down = 1024L * (1 + random.nextInt(50_000));
            return new Usage.Data(RadioType.values()[random.nextInt(3)], down / 10, down);
        }
        Msisdn other = subscribers[random.nextInt(subscribers.length)];
        if (kind < 9) {
            return new Usage.Call(other, CallType.values()[random.nextInt(3)], 1 + random.nextInt(600));
        }
        return new Usage.Sms(other);
    }
}
