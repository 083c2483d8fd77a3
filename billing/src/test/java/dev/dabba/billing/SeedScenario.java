package dev.dabba.billing;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

/**
 * The seed's scenario: +91-9876543210 moves BKC -> Andheri -> Bandra, making a call and a data session at each;
 * the bill is calls 840 paisa, data 1350 paisa, total Rs 21.90.
 */
final class SeedScenario {

    static final Msisdn USER = Msisdn.of("+91-9876543210");
    static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    static final NodeId BANDRA = NodeId.of("MUMBAI_BANDRA");
    static final NodeId DADAR = NodeId.of("MUMBAI_DADAR");
    /** 10:00 in Mumbai on 10 March 2025. */
    static final Instant T0 = Instant.parse("2025-03-10T04:30:00Z");
    static final YearMonth CYCLE = YearMonth.of(2025, 3);
    static final long MIB = Tariff.BYTES_PER_MIB;

    private SeedScenario() {
    }

    /** The six records in causal order: BKC call, BKC data, Andheri call, Andheri data, Bandra call, Bandra data. */
    static List<UsageRecord> records() {
        Towers towers = new Towers();
        UsageRecord bkcCall = towers.stamp(BKC, USER, at(0),
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOICE, 180));
        UsageRecord bkcData = towers.stamp(BKC, USER, at(5), new Usage.Data(RadioType.G4, 10 * MIB, 40 * MIB));
        towers.handover(BKC, ANDHERI);
        UsageRecord andheriCall = towers.stamp(ANDHERI, USER, at(30),
                new Usage.Call(Msisdn.of("+91-9876543212"), CallType.VIDEO, 300));
        UsageRecord andheriData = towers.stamp(ANDHERI, USER, at(40),
                new Usage.Data(RadioType.G4, 20 * MIB, 80 * MIB));
        towers.handover(ANDHERI, BANDRA);
        UsageRecord bandraCall = towers.stamp(BANDRA, USER, at(60),
                new Usage.Call(Msisdn.of("+91-9876543213"), CallType.VOLTE, 120));
        UsageRecord bandraData = towers.stamp(BANDRA, USER, at(65),
                new Usage.Data(RadioType.G5, 50 * MIB, 150 * MIB));
        return List.of(bkcCall, bkcData, andheriCall, andheriData, bandraCall, bandraData);
    }

    /** The seed bill, version {@code version}, computed under the seed plan. */
    static Bill bill(long version) {
        return Bill.compute(USER, CYCLE, version, BillStatus.PROVISIONAL, records(), Tariff.seedDefault(),
                T0.plus(Duration.ofHours(2)));
    }

    static Instant at(long minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }
}
