package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The version-2 codec with real epochs: indices, named nodes, implied own entries, compression. */
class EpochCodecTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    private static final NodeId NEW_TOWER = NodeId.of("PUNE_HINJEWADI");
    private static final Epoch E7 = Epoch.of(7, NodeTable.of(List.of(BKC, ANDHERI)), new long[] {1_000, 2_000});
    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final RecordCodec CODEC = RecordCodec.standard();

    private static EpochRegistry registry() {
        EpochRegistry r = new EpochRegistry();
        r.accept(E7);
        return r;
    }

    private static UsageRecord record(long seq, Map<String, Long> entries) {
        VectorClock clock = VectorClock.of(E7, entries);
        return new UsageRecord(new EventId(BKC, seq), USER, Instant.ofEpochMilli(1_700_000_000_000L + seq),
                new HybridTimestamp(1_700_000_000_050L + seq, 0), clock, new Usage.Sms(Msisdn.of("+919876543211")));
    }

    @Test
    void record_withIndexedAndNamedEntries_roundTrips() {
        UsageRecord r = record(1_001, Map.of("MUMBAI_BKC", 1_001L, "MUMBAI_ANDHERI", 2_003L, "PUNE_HINJEWADI", 4L));
        assertThat(CODEC.decodeRecord(CODEC.encodeRecord(r), registry())).isEqualTo(r);
    }

    @Test
    void batch_ofManyRecords_isCompressed_andRoundTrips() {
        List<UsageRecord> records = new ArrayList<>();
        for (long seq = 1_001; seq < 1_101; seq++) {
            records.add(record(seq, Map.of("MUMBAI_BKC", seq)));
        }
        RecordBatch batch = new RecordBatch(BKC, records);
        byte[] compressed = CODEC.encodeBatch(batch);
        byte[] plain = RecordCodec.withoutCompression().encodeBatch(batch);
        assertThat(compressed[3]).as("zstd flag").isEqualTo((byte) 1);
        assertThat(compressed.length).isLessThan(plain.length);
        assertThat(CODEC.decodeBatch(compressed, registry())).isEqualTo(batch);
        assertThat(CODEC.decodeBatch(plain, registry())).isEqualTo(batch);
    }

    @Test
    void batch_withATrainedDictionary_namesItInTheHeader_andNeedsItToDecode() {
        List<byte[]> samples = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            List<UsageRecord> records = new ArrayList<>();
            for (long seq = 1_001 + i; seq < 1_005 + i; seq++) {
                records.add(record(seq, Map.of("MUMBAI_BKC", seq, "MUMBAI_ANDHERI", 2_000L + i + 1)));
            }
            samples.add(RecordCodec.withoutCompression().encodeBatch(new RecordBatch(BKC, records)));
        }
        CompressionDictionary dict = CompressionDictionary.train(samples, 4_096);
        RecordCodec withDict = RecordCodec.standard().withCompression(0, 3).withDictionary(dict);
        RecordBatch batch = new RecordBatch(BKC, List.of(record(5_000, Map.of("MUMBAI_BKC", 5_000L))));
        byte[] bytes = withDict.encodeBatch(batch);
        assertThat(bytes[3]).as("zstd and dictionary flags").isEqualTo((byte) 3);
        assertThat(withDict.decodeBatch(bytes, registry())).isEqualTo(batch);
        assertThatThrownBy(() -> CODEC.decodeBatch(bytes, registry()))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("dictionary " + dict.id());
    }

    @Test
    void decode_ofAnUnknownEpoch_saysWhichEpoch() {
        byte[] bytes = CODEC.encodeRecord(record(1_001, Map.of("MUMBAI_BKC", 1_001L)));
        assertThatThrownBy(() -> CODEC.decodeRecord(bytes, new EpochRegistry()))
                .isInstanceOf(UnknownEpochException.class)
                .hasMessageContaining("epoch 7");
    }

    @Test
    void split_forwardsEachRecordUnresolved_andTheJobDecodesIt() {
        RecordBatch batch = new RecordBatch(BKC, List.of(record(1_001, Map.of("MUMBAI_BKC", 1_001L)),
                record(1_002, Map.of("MUMBAI_BKC", 1_002L, "PUNE_HINJEWADI", 3L))));
        SplitBatch split = CODEC.splitBatch(CODEC.encodeBatch(batch));
        assertThat(split.origin()).isEqualTo(BKC);
        assertThat(split.records()).extracting(SplitBatch.RawRecord::epoch).containsOnly(7L);
        assertThat(split.records().get(1).id()).isEqualTo(new EventId(BKC, 1_002));
        assertThat(CODEC.decodeRecord(split.records().get(1).encoded(), registry())).isEqualTo(batch.records().get(1));
    }

    @Test
    void epoch_roundTrips() {
        Epoch big = Epoch.of(42, NodeTable.of(List.of(BKC, ANDHERI, NEW_TOWER)), new long[] {5, 0, 9});
        assertThat(CODEC.decodeEpoch(CODEC.encodeEpoch(big))).isEqualTo(big);
        assertThat(CODEC.decodeEpoch(CODEC.encodeEpoch(Epoch.GENESIS))).isEqualTo(Epoch.GENESIS);
    }

    @Test
    void handover_inAnEpoch_roundTrips() {
        Handover h = new Handover(BKC, ANDHERI, USER, VectorClock.of(E7, Map.of("MUMBAI_BKC", 1_005L)),
                new HybridTimestamp(1_700_000_000_000L, 2));
        assertThat(CODEC.decodeHandover(CODEC.encodeHandover(h), registry())).isEqualTo(h);
    }

    @Test
    void aRecordClock_typicallyCostsAFewBytes() {
        UsageRecord lone = record(1_001, Map.of("MUMBAI_BKC", 1_001L));
        UsageRecord handedOver = record(1_002, Map.of("MUMBAI_BKC", 1_002L, "MUMBAI_ANDHERI", 2_004L));
        int loneBytes = RecordCodec.withoutCompression().encodeRecord(lone).length;
        int handedOverBytes = RecordCodec.withoutCompression().encodeRecord(handedOver).length;
        assertThat(handedOverBytes - loneBytes).as("one handed-over entry: index and difference").isEqualTo(2);
    }

    @Test
    void partialCall_roundTrips_withItsCallReferencePartAndLastFlag() {
        Usage.Call part = new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 95,
                new Usage.CallPart("call-7f3a.BKC", 2, true));
        UsageRecord r = new UsageRecord(new EventId(BKC, 1_001), USER, Instant.ofEpochMilli(1_700_000_000_000L),
                new HybridTimestamp(1_700_000_000_050L, 0), VectorClock.of(E7, Map.of("MUMBAI_BKC", 1_001L)), part);
        UsageRecord back = CODEC.decodeRecord(CODEC.encodeRecord(r), registry());
        assertThat(back).isEqualTo(r);
        assertThat(((Usage.Call) back.usage()).part()).isEqualTo(new Usage.CallPart("call-7f3a.BKC", 2, true));
    }

    @Test
    void partialCall_withUnknownFlags_isRejectedNamingTheField() {
        Usage.Call part = new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 95,
                new Usage.CallPart("c1", 1, false));
        UsageRecord r = new UsageRecord(new EventId(BKC, 1_001), USER, Instant.ofEpochMilli(1_700_000_000_000L),
                new HybridTimestamp(1_700_000_000_050L, 0), VectorClock.of(E7, Map.of("MUMBAI_BKC", 1_001L)), part);
        byte[] bytes = CODEC.encodeRecord(r);
        bytes[bytes.length - 1] = 6;
        assertThatThrownBy(() -> CODEC.decodeRecord(bytes, registry()))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("call part flags");
    }

    @Test
    void callPart_rejectsAPartNumberBelowOne_andABadReference() {
        assertThatThrownBy(() -> new Usage.CallPart("c1", 0, false)).hasMessageContaining("sequence");
        assertThatThrownBy(() -> new Usage.CallPart("no spaces", 1, false)).hasMessageContaining("callReference");
    }

    @Test
    void epoch_ofANamedLineage_roundTrips_andLineageZeroKeepsTheEarlierBytes() {
        Epoch named = Epoch.of(1_780_000_000_005L, 1_780_000_000_000L, E7.members(), new long[] {1_000, 2_000});
        assertThat(CODEC.decodeEpoch(CODEC.encodeEpoch(named))).isEqualTo(named);
        assertThat(CODEC.decodeEpoch(CODEC.encodeEpoch(named)).lineage()).isEqualTo(1_780_000_000_000L);
        byte[] legacy = RecordCodec.withoutCompression().encodeEpoch(E7);
        byte[] withLineage = RecordCodec.withoutCompression().encodeEpoch(
                Epoch.of(7, 7, E7.members(), new long[] {1_000, 2_000}));
        assertThat(withLineage).as("the lineage is one trailing varint")
                .hasSize(legacy.length + 1).startsWith(legacy);
        assertThat(CODEC.decodeEpoch(legacy).lineage()).isZero();
    }

    @Test
    void epoch_withALineageAboveItsNumber_orAnExplicitZero_isRejected() {
        byte[] legacy = RecordCodec.withoutCompression().encodeEpoch(E7);
        byte[] above = java.util.Arrays.copyOf(legacy, legacy.length + 1);
        above[legacy.length] = 8;
        assertThatThrownBy(() -> CODEC.decodeEpoch(above)).hasMessageContaining("epoch lineage");
        byte[] zero = java.util.Arrays.copyOf(legacy, legacy.length + 1);
        assertThatThrownBy(() -> CODEC.decodeEpoch(zero)).hasMessageContaining("epoch lineage");
        byte[] trailing = java.util.Arrays.copyOf(legacy, legacy.length + 2);
        trailing[legacy.length] = 7;
        assertThatThrownBy(() -> CODEC.decodeEpoch(trailing)).hasMessageContaining("trailing");
    }
}
