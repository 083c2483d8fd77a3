package dev.dabba.jobs;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.record.UsageRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The seed journey's six records, stamped offline at a fixed time (10:00 in Mumbai, 26 November 2026). */
final class SeedRecords {

    static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");

    private SeedRecords() {
    }

    static List<UsageRecord> records() {
        return SeedScenario.records(JOURNEY_START, Clock.fixed(JOURNEY_START, ZoneOffset.UTC));
    }
}
