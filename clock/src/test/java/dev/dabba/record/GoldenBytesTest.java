package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The version-2 wire format byte by byte, one line per field: the worked examples of {@code docs/wire-format.md}.
 * If one of these fails, the format changed: bump {@link RecordCodec#VERSION} and the document, never just the bytes.
 *
 * <p>Every example lives in epoch 7, whose member table is {@code [MUMBAI_BKC, MUMBAI_ANDHERI, MUMBAI_BANDRA]}
 * (indices 0, 1, 2; keys on the wire 1, 2, 3) with base {@code {MUMBAI_BKC:1000, MUMBAI_ANDHERI:2000}};
 * {@code PUNE_HINJEWADI} is a tower the epoch authority has not seen yet, so it is named, not indexed.
 */
class GoldenBytesTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    private static final NodeId BANDRA = NodeId.of("MUMBAI_BANDRA");
    private static final Epoch E7 =
            Epoch.of(7, NodeTable.of(List.of(BKC, ANDHERI, BANDRA)), new long[] {1000, 2000, 0});
    private static final Msisdn USER = Msisdn.of("+919876543210");
    private static final RecordCodec CODEC = RecordCodec.standard();

    private static EpochRegistry registry() {
        EpochRegistry r = new EpochRegistry();
        r.accept(E7);
        return r;
    }

    private static final UsageRecord CALL = new UsageRecord(new EventId(BKC, 1001), USER,
            Instant.ofEpochMilli(1_700_000_000_000L), new HybridTimestamp(1_700_000_000_050L, 0),
            VectorClock.of(E7, Map.of("MUMBAI_BKC", 1001L, "MUMBAI_ANDHERI", 2003L)),
            new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));

    private static final UsageRecord DATA = new UsageRecord(new EventId(BKC, 1002), USER,
            Instant.ofEpochMilli(1_700_000_000_500L), new HybridTimestamp(1_700_000_000_550L, 0),
            VectorClock.of(E7, Map.of("MUMBAI_BKC", 1002L, "MUMBAI_ANDHERI", 2003L, "PUNE_HINJEWADI", 4L)),
            new Usage.Data(RadioType.G4, 1024, 52_428_800));

    @Test
    void handover_withAClockDelta() {
        Handover handover = new Handover(BKC, ANDHERI, USER,
                VectorClock.of(E7, Map.of("MUMBAI_BKC", 1005L, "MUMBAI_ANDHERI", 2000L, "PUNE_HINJEWADI", 4L)),
                new HybridTimestamp(1_700_000_000_123L, 2));
        byte[] expected = {
            0x44,                                                   // magic 'D'
            0x48,                                                   // kind 'H': handover
            0x02,                                                   // version 2
            0x00,                                                   // flags: not compressed
            0x0A, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'B', 'K', 'C', // from: length 10, "MUMBAI_BKC"
            0x0E, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'A', 'N', 'D', 'H', 'E', 'R', 'I', // to: length 14
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0', // subscriber: length 13
            (byte) 0xFB, (byte) 0xD0, (byte) 0x95, (byte) 0xFF, (byte) 0xBC, 0x31, // hlc wall: 1700000000123
            0x02,                                                   // hlc logical: 2
            0x07,                                                   // clock epoch: 7
            0x02,                                                   // clock delta size: 2 entries
            0x01,                                                   //   key 1: member index 0, MUMBAI_BKC
            0x05,                                                   //   difference 5: 1005 - base 1000
            0x00,                                                   //   key 0: a node named by its id
            0x0E, 'P', 'U', 'N', 'E', '_', 'H', 'I', 'N', 'J', 'E', 'W', 'A', 'D', 'I', // id: "PUNE_HINJEWADI"
            0x04,                                                   //   difference 4: 4 - base 0
            // MUMBAI_ANDHERI:2000 equals the base: not written. MUMBAI_BANDRA:0 equals the base: not written.
        };
        assertThat(hex(CODEC.encodeHandover(handover))).isEqualTo(hex(expected));
        assertThat(CODEC.decodeHandover(expected, registry())).isEqualTo(handover);
    }

    @Test
    void record_onItsOwn() {
        byte[] expected = {
            0x44,                                                   // magic 'D'
            0x52,                                                   // kind 'R': record
            0x02,                                                   // version 2
            0x00,                                                   // flags: not compressed (records never are)
            0x0A, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'B', 'K', 'C', // origin: length 10, "MUMBAI_BKC"
            0x07,                                                   // epoch: 7
            // record body
            0x00,                                                   // epoch offset: 0 (always, on its own)
            (byte) 0xD2, 0x0F,                                      // sequence: zigzag(1001 - 0) = 2002
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0', // subscriber: length 13
            (byte) 0x80, (byte) 0xA0, (byte) 0xAB, (byte) 0xFE, (byte) 0xF9, 0x62, // start: zigzag(1700000000000 - 0)
            0x64,                                                   // hlc wall: zigzag(+50 from start) = 100
            0x00,                                                   // hlc logical: 0
            0x01,                                                   // clock delta size: 1 (own entry implied)
            0x02,                                                   //   key 2: member index 1, MUMBAI_ANDHERI
            0x03,                                                   //   difference 3: 2003 - base 2000
            0x01,                                                   // usage tag 1: call
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '1', // callee: length 13
            0x00,                                                   // call type 0: VOICE
            (byte) 0xB4, 0x01,                                      // duration: 180 seconds
        };
        assertThat(hex(CODEC.encodeRecord(CALL))).isEqualTo(hex(expected));
        assertThat(CODEC.decodeRecord(expected, registry())).isEqualTo(CALL);
    }

    @Test
    void batch_small_uncompressed_withAnIndexedAndANamedNode() {
        byte[] expected = {
            0x44,                                                   // magic 'D'
            0x42,                                                   // kind 'B': batch
            0x02,                                                   // version 2
            0x00,                                                   // flags: not compressed (body < 256 bytes)
            0x0A, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'B', 'K', 'C', // origin: length 10, "MUMBAI_BKC"
            0x07,                                                   // batch epoch: 7, the latest of its records
            0x02,                                                   // record count: 2
            // record 1: the call
            0x00,                                                   // epoch offset: 0, epoch 7 - 0
            (byte) 0xD2, 0x0F,                                      // sequence: zigzag(1001 - 0) = 2002
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0', // subscriber: length 13
            (byte) 0x80, (byte) 0xA0, (byte) 0xAB, (byte) 0xFE, (byte) 0xF9, 0x62, // start: zigzag(1700000000000 - 0)
            0x64,                                                   // hlc wall: zigzag(+50 from start) = 100
            0x00,                                                   // hlc logical: 0
            0x01,                                                   // clock delta size: 1 (own entry implied)
            0x02,                                                   //   key 2: member index 1, MUMBAI_ANDHERI
            0x03,                                                   //   difference 3: 2003 - base 2000
            0x01,                                                   // usage tag 1: call
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '1', // callee: length 13
            0x00,                                                   // call type 0: VOICE
            (byte) 0xB4, 0x01,                                      // duration: 180 seconds
            // record 2: the data session, after a handover brought PUNE_HINJEWADI:4
            0x00,                                                   // epoch offset: 0
            0x02,                                                   // sequence: zigzag(1002 - 1001) = 2
            0x0D, '+', '9', '1', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0', // subscriber: length 13
            (byte) 0xE8, 0x07,                                      // start: zigzag(+500 ms from record 1) = 1000
            0x64,                                                   // hlc wall: zigzag(+50 from start) = 100
            0x00,                                                   // hlc logical: 0
            0x02,                                                   // clock delta size: 2 (own entry implied)
            0x02,                                                   //   key 2: member index 1, MUMBAI_ANDHERI
            0x03,                                                   //   difference 3: 2003 - base 2000
            0x00,                                                   //   key 0: a node named by its id
            0x0E, 'P', 'U', 'N', 'E', '_', 'H', 'I', 'N', 'J', 'E', 'W', 'A', 'D', 'I', // id: "PUNE_HINJEWADI"
            0x04,                                                   //   difference 4: 4 - base 0
            0x03,                                                   // usage tag 3: data
            0x01,                                                   // radio 1: 4G
            (byte) 0x80, 0x08,                                      // uplink: 1024 bytes
            (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x19,            // downlink: 52428800 bytes (50 MiB)
        };
        RecordBatch batch = new RecordBatch(BKC, List.of(CALL, DATA));
        assertThat(hex(CODEC.encodeBatch(batch))).isEqualTo(hex(expected));
        assertThat(CODEC.decodeBatch(expected, registry())).isEqualTo(batch);
    }

    @Test
    void epochAnnouncement() {
        byte[] expected = {
            0x44,                                                   // magic 'D'
            0x45,                                                   // kind 'E': epoch announcement
            0x02,                                                   // version 2
            0x00,                                                   // flags: not compressed
            0x07,                                                   // epoch number: 7
            0x03,                                                   // member count: 3
            0x0A, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'B', 'K', 'C', // member 0: "MUMBAI_BKC"
            0x0E, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'A', 'N', 'D', 'H', 'E', 'R', 'I', // member 1: "MUMBAI_ANDHERI"
            0x0D, 'M', 'U', 'M', 'B', 'A', 'I', '_', 'B', 'A', 'N', 'D', 'R', 'A', // member 2: "MUMBAI_BANDRA"
            0x02,                                                   // base count: 2 (trailing zeros left out)
            (byte) 0xE8, 0x07,                                      // base of member 0: 1000
            (byte) 0xD0, 0x0F,                                      // base of member 1: 2000
        };
        assertThat(hex(CODEC.encodeEpoch(E7))).isEqualTo(hex(expected));
        assertThat(CODEC.decodeEpoch(expected)).isEqualTo(E7);
    }

    @Test
    void compressedBatch_envelope_andItsStoredBytesStillDecode() {
        // Eight data records, written by this version with zstd level 3 (the frame bytes depend on the zstd release,
        // so only decoding stored bytes is golden; the envelope fields are checked on a fresh encoding).
        byte[] stored = HexFormat.of().parseHex("444202018a0228b52ffd600a0005020054030a4d554d4241495f424b43070800d2"
                + "0f0d2b39313938373635343332313080a0abfef962640001020303018008808080190002e807020044a1283c465650");
        RecordBatch decoded = CODEC.decodeBatch(stored, registry());
        assertThat(decoded.records()).hasSize(8);
        for (int i = 0; i < 8; i++) {
            UsageRecord r = decoded.records().get(i);
            assertThat(r.id()).isEqualTo(new EventId(BKC, 1001 + i));
            assertThat(r.start()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L + 500L * i));
            assertThat(r.clock().entries()).isEqualTo(Map.of("MUMBAI_BKC", 1001L + i, "MUMBAI_ANDHERI", 2003L));
            assertThat(r.usage()).isEqualTo(new Usage.Data(RadioType.G4, 1024, 52_428_800));
        }
        byte[] fresh = RecordCodec.standard().withCompression(0, 3).encodeBatch(decoded);
        assertThat(fresh[0]).as("magic").isEqualTo((byte) 0x44);
        assertThat(fresh[1]).as("kind 'B'").isEqualTo((byte) 0x42);
        assertThat(fresh[2]).as("version").isEqualTo((byte) 0x02);
        assertThat(fresh[3]).as("flags: zstd, no dictionary").isEqualTo((byte) 0x01);
        assertThat(new byte[] {fresh[4], fresh[5]}).as("uncompressed length: 266").containsExactly(0x8A, 0x02);
        assertThat(new byte[] {fresh[6], fresh[7], fresh[8], fresh[9]}).as("zstd frame magic")
                .containsExactly(0x28, 0xB5, 0x2F, 0xFD);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
