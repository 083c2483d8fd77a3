package dev.dabba.agent;

import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import java.time.Instant;
import java.util.Objects;

/** A usage to be stamped: who used what, starting when. Stamping gives it an event id and clocks. */
public record UsageEvent(Msisdn subscriber, Instant start, Usage usage) {

    public UsageEvent {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        Objects.requireNonNull(start, "start must not be null");
        Objects.requireNonNull(usage, "usage must not be null");
    }
}
