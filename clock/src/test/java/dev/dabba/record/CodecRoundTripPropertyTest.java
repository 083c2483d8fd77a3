package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.ClockWorld;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.NodeId;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every message kind decodes to what was encoded, in every epoch of a random chain, with and without zstd, with a
 * trained dictionary; encoding is canonical (re-encoding the decoded value gives the same bytes).
 */
class CodecRoundTripPropertyTest {

    private static final CompressionDictionary DICTIONARY =
            CompressionDictionary.train(RecordArbitraries.sampleBatches(400, 1), 4_096);

    /** Writers: never compress, compress above the default threshold, always compress, always with a dictionary. */
    private static final List<RecordCodec> WRITERS = List.of(
            RecordCodec.withoutCompression(),
            RecordCodec.standard(),
            RecordCodec.standard().withCompression(0, 1),
            RecordCodec.standard().withCompression(0, 3).withDictionary(DICTIONARY));
    /** A reader that knows the dictionary (it needs nothing else to read what any writer wrote). */
    private static final RecordCodec READER = RecordCodec.withoutCompression()
            .readingDictionaries(List.of(DICTIONARY));

    record RecordCase(ClockWorld world, RecordArbitraries.Fields fields, int writer) {
    }

    record BatchCase(ClockWorld world, int origin, List<RecordArbitraries.Fields> fields, int writer) {
    }

    @Provide
    Arbitrary<RecordCase> records() {
        return Combinators.combine(ClockWorld.worlds(), RecordArbitraries.fields(), writers()).as(RecordCase::new);
    }

    @Provide
    Arbitrary<BatchCase> batches() {
        return Combinators.combine(ClockWorld.worlds(), Arbitraries.integers().between(0, ClockWorld.POOL.size() - 1),
                RecordArbitraries.fields().list().ofMaxSize(12), writers()).as(BatchCase::new);
    }

    private static Arbitrary<Integer> writers() {
        return Arbitraries.integers().between(0, WRITERS.size() - 1);
    }

    @Property(tries = 1_500)
    void record_roundTrips_inItsEpoch_canonically(@ForAll("records") RecordCase c) {
        UsageRecord record = c.fields().in(c.world());
        RecordCodec writer = WRITERS.get(c.writer());
        byte[] bytes = writer.encodeRecord(record);
        assertThat(bytes[3]).as("records are never compressed").isZero();
        UsageRecord decoded = READER.decodeRecord(bytes, c.world().registry());
        assertThat(decoded).isEqualTo(record);
        assertThat(decoded.clock().epoch().number()).isEqualTo(record.clock().epoch().number());
        assertThat(decoded.clock().deltaSize()).isEqualTo(record.clock().deltaSize());
        assertThat(writer.encodeRecord(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 1_000)
    void batch_roundTrips_withRecordsOfSeveralEpochs_canonically(@ForAll("batches") BatchCase c) {
        NodeId origin = NodeId.of(ClockWorld.POOL.get(c.origin()));
        List<UsageRecord> records = new ArrayList<>();
        for (RecordArbitraries.Fields f : c.fields()) {
            records.add(f.in(c.world(), origin));
        }
        RecordBatch batch = new RecordBatch(origin, records);
        RecordCodec writer = WRITERS.get(c.writer());
        byte[] bytes = writer.encodeBatch(batch);
        RecordBatch decoded = READER.decodeBatch(bytes, c.world().registry());
        assertThat(decoded).isEqualTo(batch);
        for (int i = 0; i < records.size(); i++) {
            assertThat(decoded.records().get(i).clock().epoch().number())
                    .isEqualTo(records.get(i).clock().epoch().number());
        }
        assertThat(writer.encodeBatch(decoded)).isEqualTo(bytes);
        byte[] plain = RecordCodec.withoutCompression().encodeBatch(batch);
        assertEnvelope(bytes, plain, c.writer());

        SplitBatch split = READER.splitBatch(bytes);
        assertThat(split.origin()).isEqualTo(origin);
        assertThat(split.records()).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            SplitBatch.RawRecord raw = split.records().get(i);
            assertThat(raw.id()).isEqualTo(records.get(i).id());
            assertThat(raw.subscriber()).isEqualTo(records.get(i).subscriber());
            assertThat(raw.epoch()).isEqualTo(records.get(i).clock().epoch().number());
            assertThat(raw.encoded()).isEqualTo(RecordCodec.withoutCompression().encodeRecord(records.get(i)));
            assertThat(READER.decodeRecord(raw.encoded(), c.world().registry())).isEqualTo(records.get(i));
        }
    }

    @Property(tries = 1_000)
    void handover_roundTrips_inItsEpoch_canonically(@ForAll("records") RecordCase c) {
        UsageRecord r = c.fields().in(c.world());
        NodeId to = NodeId.of(ClockWorld.POOL.get((c.fields().origin() + 1) % ClockWorld.POOL.size()));
        // The clock as a tower holds it between stamps: any clock of the world, own entry not necessarily ticked.
        Handover h = new Handover(r.origin(), to, r.subscriber(), c.world().clock(c.fields().clock()).clock(), r.hlc());
        RecordCodec writer = WRITERS.get(c.writer());
        byte[] bytes = writer.encodeHandover(h);
        Handover decoded = READER.decodeHandover(bytes, c.world().registry());
        assertThat(decoded).isEqualTo(h);
        assertThat(decoded.clock().epoch().number()).isEqualTo(h.clock().epoch().number());
        assertThat(writer.encodeHandover(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 1_000)
    void epoch_roundTrips_canonically(@ForAll("epochAndWriter") EpochCase c) {
        RecordCodec writer = WRITERS.get(c.writer());
        byte[] bytes = writer.encodeEpoch(c.epoch());
        Epoch decoded = READER.decodeEpoch(bytes);
        assertThat(decoded).isEqualTo(c.epoch());
        assertThat(decoded.number()).isEqualTo(c.epoch().number());
        assertThat(decoded.members()).isEqualTo(c.epoch().members());
        assertThat(decoded.baseClock()).isEqualTo(c.epoch().baseClock());
        assertThat(writer.encodeEpoch(decoded)).isEqualTo(bytes);
        EpochRegistry registry = new EpochRegistry();
        if (c.epoch().number() > 0) {
            assertThat(registry.accept(decoded)).isTrue();
        }
    }

    record EpochCase(Epoch epoch, int writer) {
    }

    @Provide
    Arbitrary<EpochCase> epochAndWriter() {
        return Combinators.combine(RecordArbitraries.epochs(), writers()).as(EpochCase::new);
    }

    @Property(tries = 300)
    void everyWorldEpoch_roundTrips_andAReaderRebuildsTheChain(@ForAll("records") RecordCase c) {
        EpochRegistry reader = new EpochRegistry();
        for (Epoch e : c.world().epochs()) {
            Epoch decoded = READER.decodeEpoch(WRITERS.get(c.writer()).encodeEpoch(e));
            assertThat(decoded).isEqualTo(e);
            reader.accept(decoded);
        }
        UsageRecord r = c.fields().in(c.world());
        assertThat(READER.decodeRecord(WRITERS.get(c.writer()).encodeRecord(r), reader)).isEqualTo(r);
    }

    /**
     * The envelope says uncompressed exactly when the bytes are the plain encoding; a writer compresses only when it
     * is configured to, the body reaches its threshold and zstd makes it smaller; the dictionary flag goes with the
     * dictionary writer.
     */
    private static void assertEnvelope(byte[] bytes, byte[] plain, int writer) {
        int flags = bytes[3];
        int bodyLength = plain.length - 4;
        if (flags == 0) {
            assertThat(bytes).isEqualTo(plain);
        } else {
            assertThat(writer).as("the uncompressing writer never compresses").isNotZero();
            assertThat(flags).isEqualTo(writer == 3 ? 3 : 1);
            assertThat(bytes.length).isLessThan(plain.length + 16);
            if (writer == 1) {
                assertThat(bodyLength).isGreaterThanOrEqualTo(RecordCodec.DEFAULT_COMPRESS_THRESHOLD);
            }
        }
    }
}
