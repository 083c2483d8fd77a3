package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Encoders order members' entries by index and decoders put entries back in id order; both sort, one way for the
     * few entries of most clocks and another beyond 32. Members listed against id order, clocks of both sizes, and
     * named (non-member) entries mixed in, all round-trip.
     */
    @Test
    void record_roundTrips_inAnEpochWhoseMembersAreNotInIdOrder_smallAndLargeClocks() {
        List<NodeId> members = new ArrayList<>();
        long[] base = new long[40];
        for (int i = 0; i < 40; i++) {
            members.add(NodeId.of(String.format("T%02d", 39 - i))); // index 0 is T39: index order is not id order
            base[i] = i % 3;
        }
        Epoch epoch = Epoch.of(7, NodeTable.of(members), base);
        EpochResolver epochs = n -> n == 7 ? epoch : Epoch.GENESIS.number() == n ? Epoch.GENESIS : null;
        for (int size : new int[] {3, 20, 32, 33, 45}) {
            Map<String, Long> entries = new TreeMap<>();
            for (int i = 0; i < Math.min(size, 40); i++) {
                entries.put(String.format("T%02d", (i * 7) % 40), 10L + i);
            }
            for (int i = 40; i < size; i++) {
                entries.put("X" + i, 1L + i); // not members: encoded by name
            }
            entries.put("T05", 99L); // the origin
            VectorClock clock = VectorClock.of(epoch, entries);
            UsageRecord r = new UsageRecord(new EventId(NodeId.of("T05"), 99), Msisdn.of("+919876543210"),
                    Instant.ofEpochMilli(5), new HybridTimestamp(5, 0), clock,
                    new Usage.Sms(Msisdn.of("+14155550100")));
            UsageRecord back = CODEC.decodeRecord(CODEC.encodeRecord(r), epochs);
            assertThat(back).as("a clock of %d entries", entries.size()).isEqualTo(r);
            assertThat(back.clock().epoch().number()).isEqualTo(7);
        }
    }
}
