package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.clock.VectorClock;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bytes into every decoder: the only exceptions a decoder may throw are
 * {@link WireFormatException} and {@link UnknownEpochException}, and no input may make it allocate more than a
 * small bound (a declared length is never trusted before it is checked).
 *
 * <p>Seedable: {@code -Ddabba.fuzz.seed=N} replays a run, {@code -Ddabba.fuzz.inputs=N} changes its size; a failure
 * names the seed, the input number, the decoder and the input in hex.
 */
class DecoderFuzzTest {

    private static final long SEED = Long.getLong("dabba.fuzz.seed", System.nanoTime());
    private static final int INPUTS = Integer.getInteger("dabba.fuzz.inputs", 100_000);
    /** Most bytes one decode may allocate: far above any valid input here, far below a trusted 16 MB length. */
    private static final long MAX_ALLOCATION = 4L << 20;

    private static final CompressionDictionary DICTIONARY =
            CompressionDictionary.train(RecordArbitraries.sampleBatches(300, 7), 4_096);
    private static final RecordCodec READER = RecordCodec.standard().readingDictionaries(List.of(DICTIONARY));
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private record Decoder(String name, Consumer<byte[]> decode) {
    }

    private final EpochRegistry registry = new EpochRegistry();
    private final List<Decoder> decoders = List.of(
            new Decoder("decodeBatch", b -> READER.decodeBatch(b, registry)),
            new Decoder("splitBatch", READER::splitBatch),
            new Decoder("decodeRecord", b -> READER.decodeRecord(b, registry)),
            new Decoder("decodeHandover", b -> READER.decodeHandover(b, registry)),
            new Decoder("decodeEpoch", READER::decodeEpoch));

    @Test
    void randomAndMutatedInputs_throwOnlyWireFormatOrUnknownEpoch_andAllocateLittle() throws Exception {
        // On a thread of its own: a shallow stack makes the hundreds of thousands of expected exceptions cheap.
        Throwable[] failure = new Throwable[1];
        Thread fuzzer = new Thread(() -> {
            try {
                fuzz();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "decoder-fuzzer");
        fuzzer.start();
        fuzzer.join();
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    private void fuzz() {
        Epoch sample = RecordArbitraries.sampleEpoch();
        registry.accept(sample);
        List<byte[]> corpus = corpus(sample);
        Random random = new Random(SEED);
        int[] accepted = new int[decoders.size()];
        for (int n = 0; n < INPUTS; n++) {
            byte[] input = next(random, corpus);
            for (int d = 0; d < decoders.size(); d++) {
                if (decodeSafely(decoders.get(d), input, n)) {
                    accepted[d]++;
                }
            }
        }
        // Mutations keep enough structure that every decoder accepts some inputs: the fuzzer gets past the header.
        for (int d = 0; d < decoders.size(); d++) {
            assertThat(accepted[d]).as("inputs %s accepted (seed %s)", decoders.get(d).name(), SEED).isPositive();
        }
    }

    @Test
    void aCompressedBodyDeclaringTheMaximumLength_withAGarbageFrame_isRejectedWithoutAllocatingIt() {
        Map<String, Integer> kindOf = Map.of("decodeBatch", RecordCodec.KIND_BATCH, "splitBatch",
                RecordCodec.KIND_BATCH, "decodeRecord", RecordCodec.KIND_RECORD, "decodeHandover",
                RecordCodec.KIND_HANDOVER, "decodeEpoch", RecordCodec.KIND_EPOCH);
        for (Decoder d : decoders) {
            WireWriter w = new WireWriter(32);
            w.writeByte(RecordCodec.MAGIC);
            w.writeByte(kindOf.get(d.name()));
            w.writeByte(RecordCodec.VERSION);
            w.writeByte(RecordCodec.FLAG_ZSTD);
            w.writeVarLong(RecordCodec.MAX_BODY_BYTES); // declared uncompressed length: 16 MiB
            w.writeBytes(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x00, 0x01, 0x02}); // zstd magic, then junk
            byte[] input = w.toByteArray();
            long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            try {
                d.decode().accept(input);
                throw new AssertionError(d.name() + " accepted a garbage frame");
            } catch (WireFormatException expected) {
                assertThat(expected).hasMessageContaining("body").hasMessageContaining("zstd frame declares");
            }
            long allocated = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as("%s allocated for a 16 MiB declaration", d.name()).isLessThan(1L << 20);
        }
    }

    private boolean decodeSafely(Decoder d, byte[] input, int n) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        boolean ok = false;
        try {
            d.decode().accept(input);
            ok = true;
        } catch (WireFormatException | UnknownEpochException expected) {
            // the only two allowed
        } catch (Throwable t) {
            throw new AssertionError(d.name() + " threw " + t + " on input " + n + " (seed " + SEED + "): "
                    + HexFormat.of().formatHex(input), t);
        }
        long allocated = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        if (allocated > MAX_ALLOCATION) {
            throw new AssertionError(d.name() + " allocated " + allocated + " bytes for the " + input.length
                    + "-byte input " + n + " (seed " + SEED + "): " + HexFormat.of().formatHex(input));
        }
        return ok;
    }

    // ------------------------------------------------------------------------------------------------ inputs

    private static List<byte[]> corpus(Epoch sample) {
        List<byte[]> corpus = new ArrayList<>();
        List<byte[]> batches = RecordArbitraries.sampleBatches(40, 11);
        RecordCodec always = RecordCodec.standard().withCompression(0, 1);
        RecordCodec dict = RecordCodec.standard().withCompression(0, 3).withDictionary(DICTIONARY);
        EpochRegistry registry = new EpochRegistry();
        registry.accept(sample);
        for (byte[] plain : batches) {
            RecordBatch batch = RecordCodec.withoutCompression().decodeBatch(plain, registry);
            corpus.add(plain);
            corpus.add(always.encodeBatch(batch));
            corpus.add(dict.encodeBatch(batch));
            for (UsageRecord r : batch.records()) {
                corpus.add(RecordCodec.standard().encodeRecord(r));
                Handover h = new Handover(r.origin(), NodeId.of("MUMBAI_999"), r.subscriber(), r.clock(), r.hlc());
                corpus.add(RecordCodec.standard().encodeHandover(h));
                corpus.add(always.encodeHandover(h));
            }
        }
        // Named (not yet indexed) nodes, genesis clocks, an empty batch, several epochs in one batch.
        NodeId fresh = NodeId.of("PUNE_HINJEWADI");
        VectorClock named = sample.baseClock().merge(VectorClock.of(Map.of("PUNE_HINJEWADI", 3L))).increment(fresh);
        UsageRecord r = new UsageRecord(new EventId(fresh, 4), Msisdn.of("+919876543210"),
                Instant.ofEpochMilli(1_700_000_000_000L), new HybridTimestamp(1_700_000_000_001L, 0), named,
                new Usage.Sms(Msisdn.of("+919876543211")));
        VectorClock genesis = VectorClock.of(Map.of("PUNE_HINJEWADI", 5L, "MUMBAI_001", 2L));
        UsageRecord g = new UsageRecord(new EventId(fresh, 5), Msisdn.of("+919876543210"),
                Instant.ofEpochMilli(1_700_000_000_000L), new HybridTimestamp(1_700_000_000_001L, 0), genesis,
                new Usage.Data(RadioType.G5, 10, 20));
        corpus.add(RecordCodec.standard().encodeRecord(r));
        corpus.add(RecordCodec.standard().encodeRecord(g));
        corpus.add(RecordCodec.standard().encodeBatch(new RecordBatch(fresh, List.of(g, r))));
        corpus.add(RecordCodec.standard().encodeBatch(new RecordBatch(fresh, List.of())));
        // Epochs: small, the sample, a big compressed one, genesis, one with a dictionary.
        List<NodeId> many = new ArrayList<>();
        long[] base = new long[1_000];
        for (int i = 0; i < base.length; i++) {
            many.add(NodeId.of("TOWER_" + i));
            base[i] = i % 7 == 0 ? 0 : 100 + i;
        }
        Epoch big = Epoch.of(99, NodeTable.of(many), base);
        for (Epoch e : List.of(sample, big, Epoch.GENESIS,
                Epoch.of(3, NodeTable.of(List.of(fresh, NodeId.of("A"))), new long[] {7}))) {
            corpus.add(RecordCodec.standard().encodeEpoch(e));
            corpus.add(always.encodeEpoch(e));
            corpus.add(dict.encodeEpoch(e));
        }
        return corpus;
    }

    /** A random input: mostly a corpus entry with one to three mutations, sometimes pure noise. */
    private static byte[] next(Random random, List<byte[]> corpus) {
        int choice = random.nextInt(100);
        if (choice < 5) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return noise;
        }
        if (choice < 10) { // noise behind a valid header, so it reaches the body parsers
            byte[] noise = new byte[4 + random.nextInt(64)];
            random.nextBytes(noise);
            header(noise, random, 0);
            return noise;
        }
        if (choice < 15) {
            return zstdEnvelope(random, corpus);
        }
        byte[] input = corpus.get(random.nextInt(corpus.size())).clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            input = mutate(random, input, corpus);
        }
        return input;
    }

    private static void header(byte[] b, Random random, int flags) {
        int[] kinds = {RecordCodec.KIND_BATCH, RecordCodec.KIND_RECORD, RecordCodec.KIND_HANDOVER,
            RecordCodec.KIND_EPOCH};
        b[0] = (byte) RecordCodec.MAGIC;
        b[1] = (byte) kinds[random.nextInt(kinds.length)];
        b[2] = (byte) RecordCodec.VERSION;
        b[3] = (byte) flags;
    }

    /** A compressed envelope: a random kind, a right or wrong dictionary id, a right or huge length, a frame. */
    private static byte[] zstdEnvelope(Random random, List<byte[]> corpus) {
        byte[] plain = corpus.get(random.nextInt(corpus.size()));
        byte[] body = Arrays.copyOfRange(plain, Math.min(4, plain.length), plain.length);
        boolean withDictionary = random.nextBoolean();
        byte[] frame = withDictionary && random.nextBoolean()
                ? Zstd.compress(body, DICTIONARY.forCompression())
                : Zstd.compress(body, 1);
        switch (random.nextInt(4)) {
            case 0 -> frame = flipBits(random, frame, 1 + random.nextInt(4));
            case 1 -> frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            case 2 -> {
                frame = new byte[random.nextInt(48)];
                random.nextBytes(frame);
            }
            default -> {
            }
        }
        WireWriter w = new WireWriter(16 + frame.length);
        w.writeByte(RecordCodec.MAGIC);
        w.writeByte(plain.length > 1 ? plain[1] : RecordCodec.KIND_BATCH);
        w.writeByte(RecordCodec.VERSION);
        w.writeByte(RecordCodec.FLAG_ZSTD | (withDictionary ? RecordCodec.FLAG_DICTIONARY : 0));
        if (withDictionary) {
            w.writeVarLong(random.nextInt(3) == 0 ? random.nextLong() & 0xFFFFFFFFL : DICTIONARY.id());
        }
        w.writeVarLong(switch (random.nextInt(4)) {
            case 0 -> body.length;
            case 1 -> RecordCodec.MAX_BODY_BYTES;
            case 2 -> random.nextInt(RecordCodec.MAX_BODY_BYTES + 1);
            default -> random.nextLong() & Long.MAX_VALUE;
        });
        w.writeBytes(frame);
        return w.toByteArray();
    }

    private static byte[] mutate(Random random, byte[] in, List<byte[]> corpus) {
        int from = in.length > 4 && random.nextInt(10) > 0 ? 4 : 0; // mostly keep the header intact
        int span = Math.max(1, in.length - from);
        switch (random.nextInt(10)) {
            case 0:
                return flipBits(random, in, 1 + random.nextInt(4));
            case 1: { // random bytes overwritten
                byte[] out = in.clone();
                for (int i = 0; i < 1 + random.nextInt(3) && out.length > 0; i++) {
                    out[from + random.nextInt(span) % Math.max(1, out.length - from)] = (byte) random.nextInt(256);
                }
                return out;
            }
            case 2: // truncation
                return Arrays.copyOf(in, random.nextInt(in.length + 1));
            case 3: { // insertion of random bytes
                int at = Math.min(in.length, from + random.nextInt(span + 1));
                byte[] extra = new byte[1 + random.nextInt(8)];
                random.nextBytes(extra);
                return splice(in, at, at, extra);
            }
            case 4: { // deletion of a range
                int at = Math.min(in.length, from + random.nextInt(span));
                int end = Math.min(in.length, at + 1 + random.nextInt(8));
                return splice(in, at, end, new byte[0]);
            }
            case 5: { // a random or huge varint over a field (a length, a count, a key, a counter)
                int at = Math.min(in.length, from + random.nextInt(span));
                return splice(in, at, Math.min(in.length, at + 1 + random.nextInt(3)), varint(random));
            }
            case 6: { // a varint that overflows or never ends
                int at = Math.min(in.length, from + random.nextInt(span));
                byte[] bad = new byte[10 + random.nextInt(3)];
                Arrays.fill(bad, (byte) 0xFF);
                if (random.nextBoolean()) {
                    bad[bad.length - 1] = 0x7F;
                }
                return splice(in, at, at, bad);
            }
            case 7: { // the kind byte or flags of another kind
                byte[] out = in.clone();
                if (out.length > 3) {
                    out[1 + random.nextInt(3)] = (byte) new int[] {0x42, 0x52, 0x48, 0x45, 0x00, 0x01, 0x02,
                        0x03, 0x04, 0xFF}[random.nextInt(10)];
                }
                return out;
            }
            case 8: { // splice two encodings
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int cut = random.nextInt(in.length + 1);
                int otherCut = random.nextInt(other.length + 1);
                return splice(Arrays.copyOf(in, cut), cut, cut, Arrays.copyOfRange(other, otherCut, other.length));
            }
            default: { // duplicate a range (repeated entries, repeated records)
                int at = Math.min(in.length, from + random.nextInt(span));
                int end = Math.min(in.length, at + 1 + random.nextInt(12));
                return splice(in, end, end, Arrays.copyOfRange(in, at, end));
            }
        }
    }

    private static byte[] varint(Random random) {
        long v = switch (random.nextInt(8)) {
            case 0 -> random.nextInt(128);
            case 1 -> random.nextInt(1 << 14);
            case 2 -> Integer.MAX_VALUE;
            case 3 -> (long) Integer.MAX_VALUE + 1;
            case 4 -> Long.MAX_VALUE;
            case 5 -> -1L; // 2^64 - 1
            case 6 -> RecordCodec.MAX_CLOCK_ENTRIES + random.nextInt(3) - 1L;
            default -> RecordCodec.MAX_BODY_BYTES + random.nextInt(3) - 1L;
        };
        WireWriter w = new WireWriter(10);
        w.writeVarLong(v);
        return w.toByteArray();
    }

    private static byte[] flipBits(Random random, byte[] in, int bits) {
        byte[] out = in.clone();
        for (int i = 0; i < bits && out.length > 0; i++) {
            int at = random.nextInt(out.length);
            out[at] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] replacement) {
        byte[] out = new byte[in.length - (to - from) + replacement.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(replacement, 0, out, from, replacement.length);
        System.arraycopy(in, to, out, from + replacement.length, in.length - to);
        return out;
    }
}
