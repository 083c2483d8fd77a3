package dev.dabba.reliability.corpus;

import com.github.luben.zstd.Zstd;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.reliability.corpus.HostilePayload.Category;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates the hostile-input corpus: well over a thousand MQTT payloads that no genuine agent sends, each with the
 * dead-letter reason the gateway must give it. Deterministic for a seed.
 *
 * <p>Payloads are built two ways. Damaged genuine batches (cut short, garbled, re-labelled, re-versioned) start
 * from the codec's own encoding; crafted batches are written field by field with {@link Wire}, from the wire-format
 * document, so they can say what the codec never writes (a negative duration, an unknown usage tag, an unordered
 * clock). Every payload is unique per topic, so a dead letter can be matched to the payload it came from.
 *
 * <p>The expected reasons follow the gateway's contract ({@code gateway/README.md}): {@code malformed} for anything
 * that does not decode, {@code oversized} above the size limit, {@code implausible} for batches that decode but no
 * agent could send, {@code forged-origin} for a batch on another tower's topic, {@code foreign-topic} for a topic
 * that names no node.
 */
public final class HostileCorpus {

    /** The gateway's default payload limit (4 MiB), which {@link Category#OVERSIZED} payloads exceed. */
    public static final int GATEWAY_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

    private static final String MALFORMED = "malformed";
    private static final String IMPLAUSIBLE = "implausible";
    private static final long MIB = 1024L * 1024L;

    private final List<NodeId> towers;
    private final Random random;
    private final long nowMillis;
    private final List<HostilePayload> out = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    private HostileCorpus(List<NodeId> towers, long seed, Instant now) {
        if (towers.size() < 2) {
            throw new IllegalArgumentException("towers: at least two (forged origins need another tower), was "
                    + towers.size());
        }
        this.towers = List.copyOf(towers);
        this.random = new Random(seed);
        this.nowMillis = now.toEpochMilli();
    }

    /**
     * The corpus for {@code towers} (their topics are attacked, their ids forged), generated at {@code now}.
     *
     * @param seed the random seed
     */
    public static List<HostilePayload> generate(List<NodeId> towers, long seed, Instant now) {
        HostileCorpus c = new HostileCorpus(towers, seed, now);
        c.empty();
        c.truncated();
        c.garbledZstd();
        c.wrongVersions();
        c.oversized();
        c.hugeVarints();
        c.bogusClocks();
        c.regressingClocks();
        c.futureTimes();
        c.badQuantities();
        c.unknownTypes();
        c.badIdentities();
        c.forgedOrigins();
        c.foreignTopics();
        c.randomGarbage();
        return Collections.unmodifiableList(c.out);
    }

    // ------------------------------------------------------------------------------------------------ categories

    private void empty() {
        byte[][] prefixes = {{}, {0x44}, {0x44, 0x42}, {0x44, 0x42, 0x02}, {0x44, 0x42, 0x02, 0x00},
            {0x44, 0x42, 0x02, 0x01}, {0x00}, {(byte) 0xFF}};
        for (NodeId t : towers) {
            for (byte[] p : prefixes) {
                add(Category.EMPTY, p.length + "-byte payload", t.value(), p, MALFORMED);
            }
        }
    }

    private void truncated() {
        NodeId t = towers.get(0);
        byte[] plain = RecordCodec.withoutCompression().encodeBatch(genuine(t, 1, 3));
        for (int n = 5; n < plain.length; n++) {
            add(Category.TRUNCATED, "plain batch of " + plain.length + " bytes cut to " + n, t.value(),
                    Arrays.copyOf(plain, n), MALFORMED);
        }
        byte[] packed = zstdBatch(towers.get(1), 1, 60);
        for (int n = 5; n < packed.length; n += Math.max(1, packed.length / 150)) {
            add(Category.TRUNCATED, "zstd batch of " + packed.length + " bytes cut to " + n, towers.get(1).value(),
                    Arrays.copyOf(packed, n), MALFORMED);
        }
    }

    private void garbledZstd() {
        NodeId t = towers.get(1 % towers.size());
        byte[] packed = zstdBatch(t, 100, 60);
        // header: magic, kind, version, flags (bit 0 = zstd), varint uncompressed length, then the frame
        int lengthEnd = 4;
        while ((packed[lengthEnd] & 0x80) != 0) {
            lengthEnd++;
        }
        lengthEnd++;
        long declared = readVarint(packed, 4);
        byte[] frame = Arrays.copyOfRange(packed, lengthEnd, packed.length);
        for (int d = -40; d <= 40; d++) {
            if (d != 0 && declared + d > 0) {
                add(Category.GARBLED_ZSTD, "envelope declares " + (declared + d) + " bytes, frame " + declared,
                        t.value(), zstdEnvelope(declared + d, frame), MALFORMED);
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] broken = frame.clone();
                broken[i] ^= (byte) (1 << bit);
                add(Category.GARBLED_ZSTD, "zstd frame magic byte " + i + " bit " + bit + " flipped", t.value(),
                        zstdEnvelope(declared, broken), MALFORMED);
            }
        }
        for (int cut = 1; cut <= 20; cut++) {
            add(Category.GARBLED_ZSTD, "zstd frame missing its last " + cut + " bytes", t.value(),
                    zstdEnvelope(declared, Arrays.copyOf(frame, frame.length - cut)), MALFORMED);
        }
        byte[] plain = RecordCodec.withoutCompression().encodeBatch(genuine(t, 200, 3));
        byte[] lying = plain.clone();
        lying[3] = 0x01; // claims zstd, carries a plain body
        add(Category.GARBLED_ZSTD, "zstd flag on a plain body", t.value(), lying, MALFORMED);
        for (int id = 1; id <= 20; id++) {
            Wire w = new Wire().u8(Wire.MAGIC).u8(Wire.KIND_BATCH).u8(Wire.VERSION).u8(0x03).varint(id)
                    .varint(declared).bytes(frame, false);
            add(Category.GARBLED_ZSTD, "unknown dictionary " + id, t.value(), w.toBytes(), MALFORMED);
        }
        // Decompression bombs: a small frame that expands to the 16 MiB limit (garbage inside), and frames declaring
        // more than the limit.
        byte[] zeros = new byte[16 * 1024 * 1024];
        byte[] bomb = Zstd.compress(zeros, 19);
        add(Category.GARBLED_ZSTD, "zstd bomb: " + bomb.length + " bytes expanding to 16 MiB of zeros", t.value(),
                zstdEnvelope(zeros.length, bomb), MALFORMED);
        byte[] over = Zstd.compress(new byte[16 * 1024 * 1024 + 1], 19);
        add(Category.GARBLED_ZSTD, "zstd frame of 16 MiB + 1 byte, over the body limit", t.value(),
                zstdEnvelope(16 * 1024 * 1024 + 1, over), MALFORMED);
        for (long claim : new long[] {1L << 31, 1L << 40, Long.MAX_VALUE}) {
            add(Category.GARBLED_ZSTD, "envelope declares " + claim + " bytes", t.value(),
                    zstdEnvelope(claim, frame), MALFORMED);
        }
    }

    private void wrongVersions() {
        NodeId t = towers.get(2 % towers.size());
        byte[] plain = RecordCodec.withoutCompression().encodeBatch(genuine(t, 300, 2));
        for (int v = 0; v < 256; v++) {
            if (v != Wire.VERSION) {
                byte[] p = plain.clone();
                p[2] = (byte) v;
                add(Category.WRONG_VERSION, "version " + v, t.value(), p, MALFORMED);
            }
        }
        for (int kind : new int[] {0x52, 0x48, 0x45, 0x00, 0x41, 0x43, 0x62, 0xFF}) {
            byte[] p = plain.clone();
            p[1] = (byte) kind;
            add(Category.WRONG_VERSION, "kind 0x" + Integer.toHexString(kind), t.value(), p, MALFORMED);
        }
        for (int magic : new int[] {0x00, 0x45, 0x64, 0x7B, 0xFF, 0x1F, 0x28}) {
            byte[] p = plain.clone();
            p[0] = (byte) magic;
            add(Category.WRONG_VERSION, "magic 0x" + Integer.toHexString(magic), t.value(), p, MALFORMED);
        }
        for (int flags : new int[] {0x02, 0x04, 0x08, 0x10, 0x80, 0xFF, 0x05}) {
            byte[] p = plain.clone();
            p[3] = (byte) flags;
            add(Category.WRONG_VERSION, "flags 0x" + Integer.toHexString(flags), t.value(), p, MALFORMED);
        }
    }

    private void oversized() {
        NodeId t = towers.get(0);
        for (int size : new int[] {GATEWAY_MAX_PAYLOAD_BYTES + 1, GATEWAY_MAX_PAYLOAD_BYTES + 4096,
            5 * 1024 * 1024}) {
            byte[] p = new byte[size];
            random.nextBytes(p);
            p[0] = Wire.MAGIC;
            p[1] = Wire.KIND_BATCH;
            p[2] = Wire.VERSION;
            p[3] = 0;
            add(Category.OVERSIZED, size + " bytes, over the gateway's limit", t.value(), p, "oversized");
        }
        // Under the gateway's limit but over Kafka's default 1 MiB record: the dead letter must still be written.
        for (int size : new int[] {1024 * 1024 + 1, 2 * 1024 * 1024, GATEWAY_MAX_PAYLOAD_BYTES - 1}) {
            byte[] p = new byte[size];
            random.nextBytes(p);
            p[0] = Wire.MAGIC;
            add(Category.OVERSIZED, size + " bytes of garbage, over Kafka's record limit", t.value(), p, MALFORMED);
        }
        // One record whose standalone encoding (a Kafka record value) would be 1.2 MiB, in a small zstd message.
        Map<String, Long> clock = new java.util.HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            clock.put("T" + i, 1L);
        }
        clock.put(t.value(), 1L);
        UsageRecord huge = new UsageRecord(new EventId(t, 1), subscriber(0), Instant.ofEpochMilli(nowMillis),
                new HybridTimestamp(nowMillis, 0), VectorClock.of(clock), new Usage.Sms(subscriber(1)));
        add(Category.OVERSIZED, "one record with a 100,000-entry clock", t.value(),
                RecordCodec.standard().encodeBatch(new RecordBatch(t, List.of(huge))), IMPLAUSIBLE);
    }

    private void hugeVarints() {
        for (NodeId t : towers) {
            byte[] eleven = new byte[11];
            Arrays.fill(eleven, (byte) 0xFF);
            add(Category.HUGE_VARINT, "11-byte varint as the record count", t.value(),
                    Wire.plainBatch().string(t.value()).varint(0).bytes(eleven, false).toBytes(), MALFORMED);
            add(Category.HUGE_VARINT, "varint overflowing 64 bits as the batch epoch", t.value(),
                    Wire.plainBatch().string(t.value()).bytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}, false)
                            .varint(1).toBytes(), MALFORMED);
            for (long count : new long[] {100_001, 1L << 31, Long.MAX_VALUE, -1L, 5000}) {
                add(Category.HUGE_VARINT, "record count " + Long.toUnsignedString(count), t.value(),
                        Wire.plainBatch().string(t.value()).varint(0).varint(count).toBytes(), MALFORMED);
            }
            for (long len : new long[] {1L << 20, 1L << 31, Long.MAX_VALUE, 65}) {
                add(Category.HUGE_VARINT, "origin length " + len, t.value(),
                        Wire.plainBatch().varint(len).bytes(t.value().getBytes(StandardCharsets.UTF_8), false)
                                .toBytes(), MALFORMED);
            }
            add(Category.HUGE_VARINT, "clock size 2^31", t.value(), batch(t, 0, body(b -> b.clockSize = 1L << 31)),
                    MALFORMED);
            add(Category.HUGE_VARINT, "subscriber length 2^40", t.value(),
                    batch(t, 0, body(b -> b.subscriberLength = 1L << 40)), MALFORMED);
        }
    }

    private void bogusClocks() {
        for (NodeId t : towers) {
            add(Category.BOGUS_CLOCK, "clock names out of order", t.value(), batch(t, 0, body(b -> b.clock =
                    new Wire().varint(2).varint(0).string("ZZZ").varint(1).varint(0).string("AAA").varint(1))),
                    MALFORMED);
            add(Category.BOGUS_CLOCK, "clock node repeated", t.value(), batch(t, 0, body(b -> b.clock =
                    new Wire().varint(2).varint(0).string("AAA").varint(1).varint(0).string("AAA").varint(2))),
                    MALFORMED);
            add(Category.BOGUS_CLOCK, "clock indices descending", t.value(), batch(t, 0, body(b -> b.clock =
                    new Wire().varint(2).varint(3).varint(1).varint(1).varint(1))), MALFORMED);
            add(Category.BOGUS_CLOCK, "clock entry at the base (difference 0)", t.value(), batch(t, 0,
                    body(b -> b.clock = new Wire().varint(1).varint(0).string("AAA").varint(0))), MALFORMED);
            add(Category.BOGUS_CLOCK, "invalid node id in the clock", t.value(), batch(t, 0,
                    body(b -> b.clock = new Wire().varint(1).varint(0).string("not a node!").varint(3))),
                    MALFORMED);
            add(Category.BOGUS_CLOCK, "clock node of 65 characters", t.value(), batch(t, 0,
                    body(b -> b.clock = new Wire().varint(1).varint(0).string("N".repeat(65)).varint(3))),
                    MALFORMED);
            add(Category.BOGUS_CLOCK, "clock difference overflowing 64 bits", t.value(), batch(t, 0,
                    body(b -> b.clock = new Wire().varint(1).varint(0).string("AAA").varint(-1L))), MALFORMED);
            add(Category.BOGUS_CLOCK, "clock index beyond 2^31", t.value(), batch(t, 0,
                    body(b -> b.clock = new Wire().varint(1).varint(1L << 33).varint(1))), MALFORMED);
            for (long offset : new long[] {1, 2, 1000, Long.MAX_VALUE}) {
                add(Category.BOGUS_CLOCK, "record epoch " + offset + " before epoch 0", t.value(),
                        batch(t, 0, body(b -> b.epochOffset = offset)), MALFORMED);
            }
        }
    }

    private void regressingClocks() {
        for (NodeId t : towers) {
            for (int k = 2; k <= 30; k++) {
                int first = k;
                add(Category.REGRESSING_CLOCK, "sequences " + first + " then " + (first - 1), t.value(),
                        batch(t, 0, body(b -> b.sequenceDelta = first), body(b -> b.sequenceDelta = -1)), IMPLAUSIBLE);
            }
            for (int k = 1; k <= 10; k++) {
                int seq = k;
                add(Category.REGRESSING_CLOCK, "sequence " + seq + " twice", t.value(),
                        batch(t, 0, body(b -> b.sequenceDelta = seq), body(b -> b.sequenceDelta = 0)), IMPLAUSIBLE);
            }
            add(Category.REGRESSING_CLOCK, "sequence 0", t.value(), batch(t, 0, body(b -> b.sequenceDelta = 0)),
                    MALFORMED);
            add(Category.REGRESSING_CLOCK, "sequence -5", t.value(), batch(t, 0, body(b -> b.sequenceDelta = -5)),
                    MALFORMED);
            add(Category.REGRESSING_CLOCK, "sequence overflowing 64 bits", t.value(), batch(t, 0,
                    body(b -> b.sequenceDelta = Long.MAX_VALUE), body(b -> b.sequenceDelta = 1)), MALFORMED);
        }
    }

    private void futureTimes() {
        long[] futures = {Instant.parse("2100-01-01T00:00:00Z").toEpochMilli(),
            Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(), nowMillis + Duration.ofDays(3).toMillis(),
            nowMillis + Duration.ofDays(365).toMillis(), Long.MAX_VALUE / 2, Long.MAX_VALUE};
        for (NodeId t : towers) {
            for (long f : futures) {
                add(Category.FUTURE_TIME, "start at epoch millis " + f, t.value(),
                        batch(t, 0, body(b -> b.start = f)), IMPLAUSIBLE);
                add(Category.FUTURE_TIME, "hybrid time at epoch millis " + f, t.value(),
                        batch(t, 0, body(b -> b.hlcMinusStart = f - b.start)), IMPLAUSIBLE);
            }
            add(Category.FUTURE_TIME, "start before 1970", t.value(), batch(t, 0, body(b -> b.start = -1)),
                    MALFORMED);
            add(Category.FUTURE_TIME, "hybrid time before 1970", t.value(),
                    batch(t, 0, body(b -> b.hlcMinusStart = -b.start - 1)), MALFORMED);
            add(Category.FUTURE_TIME, "hybrid time overflowing 64 bits", t.value(),
                    batch(t, 0, body(b -> b.hlcMinusStart = Long.MAX_VALUE)), MALFORMED);
            add(Category.FUTURE_TIME, "hybrid logical counter over 2^31", t.value(),
                    batch(t, 0, body(b -> b.hlcLogical = 1L << 32)), MALFORMED);
        }
    }

    private void badQuantities() {
        Msisdn callee = subscriber(7);
        for (NodeId t : towers) {
            for (int type = 0; type < 3; type++) {
                int ct = type;
                add(Category.BAD_QUANTITY, "call type " + ct + " of -1 s", t.value(),
                        batch(t, 0, body(b -> b.usage = call(callee, ct, -1L))), MALFORMED);
                add(Category.BAD_QUANTITY, "call type " + ct + " of 2^62 s", t.value(),
                        batch(t, 0, body(b -> b.usage = call(callee, ct, 1L << 62))), IMPLAUSIBLE);
                add(Category.BAD_QUANTITY, "call type " + ct + " of 31 days", t.value(),
                        batch(t, 0, body(b -> b.usage = call(callee, ct, 31L * 86_400))), IMPLAUSIBLE);
                add(Category.BAD_QUANTITY, "call type " + ct + " of Long.MAX_VALUE s", t.value(),
                        batch(t, 0, body(b -> b.usage = call(callee, ct, Long.MAX_VALUE))), IMPLAUSIBLE);
            }
            for (int radio = 0; radio < 3; radio++) {
                int r = radio;
                add(Category.BAD_QUANTITY, "radio " + r + " uplink -1", t.value(),
                        batch(t, 0, body(b -> b.usage = data(r, -1L, 10))), MALFORMED);
                add(Category.BAD_QUANTITY, "radio " + r + " downlink -2^40", t.value(),
                        batch(t, 0, body(b -> b.usage = data(r, 10, -(1L << 40)))), MALFORMED);
                add(Category.BAD_QUANTITY, "radio " + r + " uplink + downlink overflowing", t.value(),
                        batch(t, 0, body(b -> b.usage = data(r, Long.MAX_VALUE, 1))), MALFORMED);
                add(Category.BAD_QUANTITY, "radio " + r + " 2 TiB", t.value(),
                        batch(t, 0, body(b -> b.usage = data(r, 1L << 41, 0))), IMPLAUSIBLE);
                add(Category.BAD_QUANTITY, "radio " + r + " 2^62 bytes", t.value(),
                        batch(t, 0, body(b -> b.usage = data(r, 1L << 62, 1L << 61))), IMPLAUSIBLE);
            }
            add(Category.BAD_QUANTITY, "call part number 0", t.value(), batch(t, 0,
                    body(b -> b.usage = new Wire().u8(4).string(callee.value()).u8(0).varint(10).string("c-1")
                            .varint(0).u8(1))), MALFORMED);
            add(Category.BAD_QUANTITY, "call part number 2^40", t.value(), batch(t, 0,
                    body(b -> b.usage = new Wire().u8(4).string(callee.value()).u8(0).varint(10).string("c-1")
                            .varint(1L << 40).u8(1))), MALFORMED);
        }
    }

    private void unknownTypes() {
        NodeId t = towers.get(3 % towers.size());
        for (int tag = 0; tag < 256; tag++) {
            if (tag >= 1 && tag <= 4) {
                continue;
            }
            int g = tag;
            add(Category.UNKNOWN_TYPE, "usage tag " + g, t.value(),
                    batch(t, 0, body(b -> b.usage = new Wire().u8(g).string(subscriber(3).value()))), MALFORMED);
        }
        for (int type = 3; type < 40; type++) {
            int ct = type;
            add(Category.UNKNOWN_TYPE, "call type " + ct, t.value(),
                    batch(t, 0, body(b -> b.usage = call(subscriber(3), ct, 10))), MALFORMED);
            add(Category.UNKNOWN_TYPE, "radio " + ct, t.value(), batch(t, 0, body(b -> b.usage = data(ct, 1, 1))),
                    MALFORMED);
        }
        for (int flags = 2; flags < 12; flags++) {
            int f = flags;
            add(Category.UNKNOWN_TYPE, "call part flags " + f, t.value(), batch(t, 0,
                    body(b -> b.usage = new Wire().u8(4).string(subscriber(3).value()).u8(0).varint(10)
                            .string("c-1").varint(1).u8(f))), MALFORMED);
        }
    }

    private void badIdentities() {
        String[] numbers = {"", "+", "9876543210", "+91-98765-ABCDE", "+1", "+" + "9".repeat(40), "abc", "+91 98",
            "'; DROP TABLE bills; --", "+91\u0000987654321", "\u202E+919876543210", "+٩١٩٨٧٦٥٤٣٢١٠"};
        for (NodeId t : towers) {
            for (String n : numbers) {
                add(Category.BAD_IDENTITY, "subscriber '" + printable(n) + "'", t.value(),
                        batch(t, 0, body(b -> b.subscriber = n)), MALFORMED);
            }
            add(Category.BAD_IDENTITY, "subscriber of invalid UTF-8", t.value(), batch(t, 0,
                    body(b -> b.subscriberBytes = new byte[] {'+', '9', (byte) 0xC3, (byte) 0x28, '1', '2', '3', '4'})),
                    MALFORMED);
            add(Category.BAD_IDENTITY, "call part reference with a space", t.value(), batch(t, 0,
                    body(b -> b.usage = new Wire().u8(4).string(subscriber(2).value()).u8(0).varint(10)
                            .string("call one").varint(1).u8(1))), MALFORMED);
            add(Category.BAD_IDENTITY, "call part reference of 97 characters", t.value(), batch(t, 0,
                    body(b -> b.usage = new Wire().u8(4).string(subscriber(2).value()).u8(0).varint(10)
                            .string("c".repeat(97)).varint(1).u8(1))), MALFORMED);
        }
        for (String origin : new String[] {"", "bad tower", "tower/1", "T".repeat(65), "tower#", "'; --"}) {
            NodeId t = towers.get(0);
            add(Category.BAD_IDENTITY, "batch origin '" + printable(origin) + "'", t.value(),
                    Wire.plainBatch().string(origin).varint(0).varint(1).bytes(bodyBytes(body(b -> { })), false)
                            .toBytes(), MALFORMED);
        }
    }

    private void forgedOrigins() {
        long seq = 10_000;
        for (NodeId claimed : towers) {
            for (NodeId topic : towers) {
                if (claimed.equals(topic)) {
                    continue;
                }
                for (int i = 0; i < 3; i++) {
                    byte[] p = (i == 0 ? RecordCodec.withoutCompression() : RecordCodec.standard())
                            .encodeBatch(genuine(claimed, seq, i == 2 ? 60 : 2));
                    seq += 100;
                    add(Category.FORGED_ORIGIN, claimed + "'s batch on " + topic + "'s topic", topic.value(), p,
                            "forged-origin");
                }
            }
        }
    }

    private void foreignTopics() {
        byte[] p = RecordCodec.withoutCompression().encodeBatch(genuine(towers.get(0), 50_000, 2));
        for (String level : new String[] {"bad tower", "tower!", "T".repeat(65), "tôwer", "tower:1", "~", "a b c",
            "$tower"}) {
            add(Category.FOREIGN_TOPIC, "topic level '" + level + "'", level, p, "foreign-topic");
        }
    }

    private void randomGarbage() {
        for (int i = 0; i < 150; i++) {
            byte[] p = new byte[1 + random.nextInt(i < 140 ? 512 : 200_000)];
            random.nextBytes(p);
            if (p[0] == Wire.MAGIC) {
                p[0] = 0x00;
            }
            NodeId t = towers.get(i % towers.size());
            add(Category.RANDOM_GARBAGE, p.length + " random bytes", t.value(), p, MALFORMED);
        }
        for (int i = 0; i < 100; i++) {
            NodeId t = towers.get(i % towers.size());
            byte[] tail = new byte[1 + random.nextInt(300)];
            random.nextBytes(tail);
            byte[] p = Wire.plainBatch().string(t.value()).varint(0).varint(50 + random.nextInt(50))
                    .bytes(tail, false).toBytes();
            add(Category.RANDOM_GARBAGE, "valid header, " + tail.length + " random bytes for 50+ records",
                    t.value(), p, MALFORMED);
        }
    }

    // ----------------------------------------------------------------------------------------- crafted records

    /** The fields of one crafted record body, valid unless a variant changes them. */
    static final class Body {
        long epochOffset;
        long sequenceDelta = 1;
        String subscriber = "+919812300001";
        byte[] subscriberBytes;
        long subscriberLength = -1;
        long start;
        long hlcMinusStart;
        long hlcLogical;
        long clockSize = -1;
        Wire clock;
        Wire usage;
    }

    private Body body(Consumer<Body> change) {
        Body b = new Body();
        b.start = nowMillis - 3_600_000;
        b.usage = new Wire().u8(2).string("+919812300002");
        change.accept(b);
        return b;
    }

    private static byte[] bodyBytes(Body b) {
        Wire w = new Wire().varint(b.epochOffset).signed(b.sequenceDelta);
        byte[] s = b.subscriberBytes != null ? b.subscriberBytes : b.subscriber.getBytes(StandardCharsets.UTF_8);
        if (b.subscriberLength >= 0) {
            w.varint(b.subscriberLength).bytes(s, false);
        } else {
            w.bytes(s, true);
        }
        w.signed(b.start).signed(b.hlcMinusStart).varint(b.hlcLogical);
        if (b.clockSize >= 0) {
            w.varint(b.clockSize);
        } else if (b.clock != null) {
            w.bytes(b.clock.toBytes(), false);
        } else {
            w.varint(0); // the own entry is implied by the sequence
        }
        return w.bytes(b.usage.toBytes(), false).toBytes();
    }

    /** A plain batch of {@code bodies} from {@code origin} in epoch {@code epoch}; starts are delta-coded. */
    private static byte[] batch(NodeId origin, long epoch, Body... bodies) {
        Wire w = Wire.plainBatch().string(origin.value()).varint(epoch).varint(bodies.length);
        long previousStart = 0;
        for (Body b : bodies) {
            long absolute = b.start;
            b.start = absolute - previousStart;
            w.bytes(bodyBytes(b), false);
            b.start = absolute;
            previousStart = absolute;
        }
        return w.toBytes();
    }

    private static Wire call(Msisdn callee, int type, long seconds) {
        return new Wire().u8(1).string(callee.value()).u8(type).varint(seconds);
    }

    private static Wire data(int radio, long up, long down) {
        return new Wire().u8(3).u8(radio).varint(up).varint(down);
    }

    // --------------------------------------------------------------------------------------------------- helpers

    private RecordBatch genuine(NodeId node, long firstSequence, int count) {
        List<UsageRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = firstSequence + i;
            Instant at = Instant.ofEpochMilli(nowMillis - 3_600_000 + seq);
            records.add(new UsageRecord(new EventId(node, seq), subscriber((int) (seq % 50)), at,
                    new HybridTimestamp(at.toEpochMilli(), 0), VectorClock.of(Map.of(node.value(), seq)),
                    new Usage.Data(RadioType.G4, 1_000 + seq, 5 * MIB + seq)));
        }
        return new RecordBatch(node, records);
    }

    private byte[] zstdBatch(NodeId node, long firstSequence, int count) {
        byte[] p = RecordCodec.standard().encodeBatch(genuine(node, firstSequence, count));
        if ((p[3] & 0x01) == 0) {
            throw new IllegalStateException("expected a zstd batch for " + count + " records");
        }
        return p;
    }

    private static byte[] zstdEnvelope(long declared, byte[] frame) {
        return new Wire().u8(Wire.MAGIC).u8(Wire.KIND_BATCH).u8(Wire.VERSION).u8(0x01).varint(declared)
                .bytes(frame, false).toBytes();
    }

    private static long readVarint(byte[] b, int at) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[at++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
    }

    private static Msisdn subscriber(int i) {
        return Msisdn.of("+9198123" + String.format("%05d", i));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.length() > 40 ? b.substring(0, 40) + "..." : b.toString();
    }

    private void add(Category category, String description, String topicLevel, byte[] payload, String reason) {
        String key = topicLevel + "\u0000" + java.util.Base64.getEncoder().encodeToString(
                payload.length > 4096 ? sha(payload) : payload);
        if (seen.add(key)) {
            out.add(new HostilePayload(category, description, topicLevel, payload, reason));
        }
    }

    private static byte[] sha(byte[] payload) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload's identity for matching a dead letter to it: its length and SHA-256 of the first 512 KiB. */
    public static String fingerprint(String topicLevel, byte[] payloadOrPrefix, long originalLength) {
        byte[] prefix = payloadOrPrefix.length > 512 * 1024 ? Arrays.copyOf(payloadOrPrefix, 512 * 1024)
                : payloadOrPrefix;
        return topicLevel + " " + originalLength + " " + java.util.HexFormat.of().formatHex(sha(prefix));
    }
}
