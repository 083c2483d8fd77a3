package dev.dabba.agent.internal.state;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A wall clock that never reads below a floor: the hybrid timestamp an agent had reached before it restarted. A
 * Raspberry Pi has no real-time clock and may boot hours in the past until NTP answers; with the floor, its hybrid
 * clock still never goes backwards.
 */
public final class FloorClock extends Clock {

    private final Clock delegate;
    private final long floorMillis;

    public FloorClock(Clock delegate, long floorMillis) {
        this.delegate = delegate;
        this.floorMillis = floorMillis;
    }

    @Override
    public long millis() {
        return Math.max(delegate.millis(), floorMillis);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return delegate.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new FloorClock(delegate.withZone(zone), floorMillis);
    }
}
