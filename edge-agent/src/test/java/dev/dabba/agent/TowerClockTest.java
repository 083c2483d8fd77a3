package dev.dabba.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.Causality;
import dev.dabba.clock.ClockSkewException;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.record.EventId;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TowerClockTest {

    private static final Instant NOW = Instant.parse("2026-11-26T04:30:00Z");
    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final Msisdn OTHER_USER = Msisdn.of("+919800000000");
    private static final Usage SMS = new Usage.Sms(Msisdn.of("+919876543211"));
    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");

    private static TowerClock tower(NodeId node, Instant wall) {
        return new TowerClock(node, new HybridLogicalClock(Clock.fixed(wall, ZoneOffset.UTC), Duration.ofMinutes(1)));
    }

    @Test
    void stamp_ticksOwnEntry_soEventIdsAreDenseSequenceNumbers() {
        TowerClock bkc = tower(BKC, NOW);
        UsageRecord first = bkc.stamp(USER, NOW, SMS);
        UsageRecord second = bkc.stamp(USER, NOW, SMS);
        assertThat(first.id()).isEqualTo(new EventId(BKC, 1));
        assertThat(second.id()).isEqualTo(new EventId(BKC, 2));
        assertThat(first.clock().compare(second.clock())).isEqualTo(Causality.BEFORE);
        assertThat(second.hlc()).isGreaterThan(first.hlc());
    }

    @Test
    void receive_mergesTheSendersClock_withoutTickingTheOwnEntry() {
        TowerClock bkc = tower(BKC, NOW);
        TowerClock andheri = tower(ANDHERI, NOW);
        UsageRecord bkcRecord = bkc.stamp(USER, NOW, SMS);
        UsageRecord concurrent = andheri.stamp(OTHER_USER, NOW, SMS);
        andheri.receive(bkc.handover(USER, ANDHERI));
        assertThat(andheri.clock().get(ANDHERI)).isEqualTo(1);
        UsageRecord after = andheri.stamp(USER, NOW, SMS);
        assertThat(after.id()).isEqualTo(new EventId(ANDHERI, 2));
        assertThat(bkcRecord.clock().compare(after.clock())).isEqualTo(Causality.BEFORE);
        assertThat(bkcRecord.clock().compare(concurrent.clock())).isEqualTo(Causality.CONCURRENT);
    }

    @Test
    void receive_stillMergesCausality_whenTheSendersHybridClockIsTooFarAhead() {
        TowerClock bkc = tower(BKC, NOW.plus(Duration.ofMinutes(10)));
        TowerClock andheri = tower(ANDHERI, NOW);
        bkc.stamp(USER, NOW, SMS);
        Handover skewed = bkc.handover(USER, ANDHERI);
        assertThatThrownBy(() -> andheri.receive(skewed)).isInstanceOf(ClockSkewException.class);
        assertThat(andheri.clock().get(BKC)).isEqualTo(1);
        UsageRecord next = andheri.stamp(USER, NOW, SMS);
        assertThat(next.hlc().wallMillis()).as("the skewed timestamp is not absorbed").isEqualTo(NOW.toEpochMilli());
        assertThat(next.hlc()).isNotEqualTo(HybridTimestamp.ZERO);
    }

    @Test
    void adopt_mergesTheEpochBase_andLaterRecordsAreStoredRelativeToIt() {
        TowerClock bkc = tower(BKC, NOW);
        bkc.stamp(USER, NOW, SMS);
        Epoch epoch = Epoch.of(3, NodeTable.of(List.of(BKC, ANDHERI)), new long[] {1, 40});
        bkc.adopt(epoch);
        UsageRecord next = bkc.stamp(USER, NOW, SMS);
        assertThat(next.clock().epoch()).isSameAs(epoch);
        assertThat(next.clock().get(ANDHERI)).as("learned from the epoch").isEqualTo(40);
        assertThat(next.clock().deltaSize()).as("only the own entry is above the base").isEqualTo(1);
        assertThat(next.id()).isEqualTo(new EventId(BKC, 2));
    }

    @Test
    void receive_rejectsAHandoverAddressedToAnotherTower() {
        TowerClock bkc = tower(BKC, NOW);
        Handover toAndheri = bkc.handover(USER, ANDHERI);
        assertThatThrownBy(() -> tower(NodeId.of("MUMBAI_DADAR"), NOW).receive(toAndheri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MUMBAI_ANDHERI");
    }

}
