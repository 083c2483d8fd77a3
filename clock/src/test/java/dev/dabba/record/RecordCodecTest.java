package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final RecordCodec CODEC = RecordCodec.standard();

    private static UsageRecord call(long seq) {
        return new UsageRecord(new EventId(BKC, seq), Msisdn.of("+91-9876543210"), Instant.ofEpochMilli(1_700_000_000_000L),
                new HybridTimestamp(1_700_000_000_000L, 3), VectorClock.of(Map.of("MUMBAI_BKC", seq, "MUMBAI_DADAR", 4L)),
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOLTE, 120));
    }

    private static UsageRecord data(long seq) {
        return new UsageRecord(new EventId(BKC, seq), Msisdn.of("+919876543210"), Instant.ofEpochMilli(1_700_000_001_000L),
                new HybridTimestamp(1_700_000_001_000L, 0), VectorClock.of(Map.of("MUMBAI_BKC", seq)),
                new Usage.Data(RadioType.G5, 1_000, 52_428_800));
    }

    @Test
    void record_roundTrips() {
        UsageRecord r = call(2);
        assertThat(CODEC.decodeRecord(CODEC.encodeRecord(r), EpochResolver.GENESIS_ONLY)).isEqualTo(r);
    }

    @Test
    void batch_roundTrips_withEveryUsageKind() {
        UsageRecord sms = new UsageRecord(new EventId(BKC, 3), Msisdn.of("+919876543210"), Instant.ofEpochMilli(5),
                new HybridTimestamp(5, 0), VectorClock.of(Map.of("MUMBAI_BKC", 3L)), new Usage.Sms(Msisdn.of("+14155550100")));
        RecordBatch batch = new RecordBatch(BKC, List.of(call(1), data(2), sms));
        assertThat(CODEC.decodeBatch(CODEC.encodeBatch(batch), EpochResolver.GENESIS_ONLY)).isEqualTo(batch);
    }

    @Test
    void decode_rejectsEveryTruncation_withWireFormatException() {
        byte[] full = CODEC.encodeBatch(new RecordBatch(BKC, List.of(call(1), data(2))));
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> CODEC.decodeBatch(cut, EpochResolver.GENESIS_ONLY)).isInstanceOf(WireFormatException.class);
        }
    }

    @Test
    void decode_rejectsUnknownVersion_namingTheField() {
        byte[] bytes = CODEC.encodeRecord(call(1));
        bytes[2] = 9;
        assertThatThrownBy(() -> CODEC.decodeRecord(bytes, EpochResolver.GENESIS_ONLY))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("record version");
    }

    @Test
    void decode_rejectsHugeCount_beforeAllocating() {
        byte[] bytes = {0x44, 0x42, 0x02, 0x00, 0x01, 'A', 0x00, (byte) 0xFF, (byte) 0xFF, 0x03};
        assertThatThrownBy(() -> CODEC.decodeBatch(bytes, EpochResolver.GENESIS_ONLY))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("batch record count");
    }

    @Test
    void record_rejectsClockThatDisagreesWithItsEventId() {
        assertThatThrownBy(() -> new UsageRecord(new EventId(BKC, 5), Msisdn.of("+919876543210"), Instant.EPOCH,
                HybridTimestamp.ZERO, VectorClock.of(Map.of("MUMBAI_BKC", 4L)), new Usage.Sms(Msisdn.of("+919876543211"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("event id sequence");
    }

    @Test
    void handover_roundTrips() {
        Handover h = new Handover(BKC, NodeId.of("MUMBAI_ANDHERI"), Msisdn.of("+919876543210"),
                VectorClock.of(Map.of("MUMBAI_BKC", 2L)), new HybridTimestamp(1_700_000_000_000L, 1));
        assertThat(CODEC.decodeHandover(CODEC.encodeHandover(h), EpochResolver.GENESIS_ONLY)).isEqualTo(h);
    }
}
