package dev.dabba.record;

import com.github.luben.zstd.Zstd;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The binary wire format of record batches, single records, handovers and epoch announcements, version 2 (byte
 * layout in {@code docs/wire-format.md}).
 *
 * <p>Clocks travel as their epoch's number plus the entries above the epoch's base, with nodes named by their index
 * in the epoch's member table (or by their id, for nodes the epoch does not list yet); a record's own entry is its
 * sequence and costs nothing more. Within a batch, sequences, start times and hybrid timestamps are written as
 * differences from the previous record. Batches (and epochs) above a size threshold are zstd-compressed, optionally
 * with a trained dictionary named in the header.
 *
 * <p>Decoding never trusts a length: every count and string length is checked against a fixed limit and against
 * the bytes actually left before anything is allocated, a compressed body's declared size is bounded before it is
 * inflated, and every failure is a {@link WireFormatException} naming the field. A clock that refers to an epoch
 * the reader does not know raises {@link UnknownEpochException} instead: that input is not malformed, only early.
 * Immutable and thread-safe.
 */
public final class RecordCodec {

    /** First byte of everything this codec writes. */
    public static final int MAGIC = 0x44; // 'D'
    /** Kind byte of a single record. */
    public static final int KIND_RECORD = 0x52; // 'R'
    /** Kind byte of a batch. */
    public static final int KIND_BATCH = 0x42; // 'B'
    /** Kind byte of a handover. */
    public static final int KIND_HANDOVER = 0x48; // 'H'
    /** Kind byte of an epoch announcement. */
    public static final int KIND_EPOCH = 0x45; // 'E'
    /** The format version written and read by this codec. */
    public static final int VERSION = 2;

    /** Most records in one batch. */
    public static final int MAX_BATCH_RECORDS = 100_000;
    /** Most entries in one clock delta, and most members in one epoch table. */
    public static final int MAX_CLOCK_ENTRIES = 1_000_000;
    /** Longest MSISDN string in bytes. */
    public static final int MAX_MSISDN_BYTES = 32;
    /** Largest body accepted after decompression. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    /** zstd level used unless configured. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    /** Bodies smaller than this are not worth compressing. */
    public static final int DEFAULT_COMPRESS_THRESHOLD = 256;

    static final int FLAG_ZSTD = 0x01;
    static final int FLAG_DICTIONARY = 0x02;
    static final int TAG_CALL = 1;
    static final int TAG_CALL_PART = 4;
    static final int TAG_SMS = 2;
    static final int TAG_DATA = 3;

    private static final RecordCodec STANDARD = new RecordCodec(DEFAULT_COMPRESS_THRESHOLD, DEFAULT_ZSTD_LEVEL, null,
            Map.of());
    private static final RecordCodec UNCOMPRESSED = new RecordCodec(-1, DEFAULT_ZSTD_LEVEL, null, Map.of());

    private final int compressThreshold;
    private final int level;
    private final CompressionDictionary dictionary;
    private final Map<Long, CompressionDictionary> dictionaries;

    private RecordCodec(int compressThreshold, int level, CompressionDictionary dictionary,
            Map<Long, CompressionDictionary> dictionaries) {
        this.compressThreshold = compressThreshold;
        this.level = level;
        this.dictionary = dictionary;
        this.dictionaries = Map.copyOf(dictionaries);
    }

    /** Compresses batches, handovers and epochs of at least 256 bytes with zstd level 3; no dictionary. */
    public static RecordCodec standard() {
        return STANDARD;
    }

    /** Never compresses (still reads compressed input without a dictionary). */
    public static RecordCodec withoutCompression() {
        return UNCOMPRESSED;
    }

    /** This codec compressing with {@code dict} (and able to read input compressed with it). */
    public RecordCodec withDictionary(CompressionDictionary dict) {
        Map<Long, CompressionDictionary> known = new HashMap<>(dictionaries);
        known.put(dict.id(), dict);
        return new RecordCodec(compressThreshold < 0 ? DEFAULT_COMPRESS_THRESHOLD : compressThreshold, level, dict,
                known);
    }

    /** This codec also able to read input compressed with any of {@code dicts}. */
    public RecordCodec readingDictionaries(Collection<CompressionDictionary> dicts) {
        Map<Long, CompressionDictionary> known = new HashMap<>(dictionaries);
        for (CompressionDictionary d : dicts) {
            known.put(d.id(), d);
        }
        return new RecordCodec(compressThreshold, level, dictionary, known);
    }

    /** This codec compressing bodies of at least {@code thresholdBytes} at zstd {@code level}. */
    public RecordCodec withCompression(int thresholdBytes, int level) {
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("compression thresholdBytes must be non-negative, was " + thresholdBytes);
        }
        return new RecordCodec(thresholdBytes, level, dictionary, dictionaries);
    }

    // ---------------------------------------------------------------------------------------------------- batches

    /** Encodes a batch; each record's clock is written relative to its own epoch. */
    public byte[] encodeBatch(RecordBatch batch) {
        long batchEpoch = 0;
        for (UsageRecord r : batch.records()) {
            batchEpoch = Math.max(batchEpoch, r.clock().epoch().number());
        }
        WireWriter w = new WireWriter(32 + 40 * batch.records().size());
        w.writeString(batch.origin().value());
        w.writeVarLong(batchEpoch);
        w.writeVarLong(batch.records().size());
        Previous prev = new Previous();
        for (UsageRecord r : batch.records()) {
            writeBody(w, Parsed.of(r), batchEpoch, prev);
        }
        return envelope(KIND_BATCH, w, true);
    }

    /**
     * Decodes a batch, resolving every record's epoch with {@code epochs}.
     *
     * @throws WireFormatException if the bytes are not a valid batch
     * @throws UnknownEpochException if a record refers to an epoch {@code epochs} does not know
     */
    public RecordBatch decodeBatch(byte[] bytes, EpochResolver epochs) {
        ParsedBatch parsed = parseBatch(bytes);
        List<UsageRecord> records = new ArrayList<>(parsed.records.size());
        for (int i = 0; i < parsed.records.size(); i++) {
            records.add(resolve(parsed.records.get(i), parsed.origin, epochs, "batch record " + i));
        }
        return new RecordBatch(parsed.origin, records);
    }

    /**
     * Checks a batch's structure and splits it into standalone record encodings, without resolving epochs.
     *
     * @throws WireFormatException if the bytes are not a valid batch
     */
    public SplitBatch splitBatch(byte[] bytes) {
        ParsedBatch parsed = parseBatch(bytes);
        List<SplitBatch.RawRecord> out = new ArrayList<>(parsed.records.size());
        for (Parsed p : parsed.records) {
            out.add(new SplitBatch.RawRecord(new EventId(parsed.origin, p.sequence), p.subscriber, p.epoch,
                    p.startMillis, p.hlcWall, p.usage, encodeParsedRecord(parsed.origin, p)));
        }
        return new SplitBatch(parsed.origin, out);
    }

    private ParsedBatch parseBatch(byte[] bytes) {
        WireReader r = openEnvelope(bytes, KIND_BATCH, "batch");
        NodeId origin = readNodeId(r, "batch origin");
        long batchEpoch = r.readNonNegative("batch epoch", Long.MAX_VALUE);
        int count = r.readCount("batch record count", MAX_BATCH_RECORDS);
        if (count > r.remaining()) {
            throw new WireFormatException("batch record count: " + count + " records cannot fit in the "
                    + r.remaining() + " bytes left");
        }
        List<Parsed> records = new ArrayList<>(count);
        Previous prev = new Previous();
        for (int i = 0; i < count; i++) {
            records.add(readBody(r, batchEpoch, prev, "batch record " + i));
        }
        requireEnd(r, "batch");
        return new ParsedBatch(origin, records);
    }

    private record ParsedBatch(NodeId origin, List<Parsed> records) {
    }

    // ---------------------------------------------------------------------------------------------------- records

    /** Encodes one record on its own (a Kafka record value); its clock stays relative to its epoch. */
    public byte[] encodeRecord(UsageRecord record) {
        return encodeParsedRecord(record.origin(), Parsed.of(record));
    }

    private byte[] encodeParsedRecord(NodeId origin, Parsed p) {
        WireWriter w = new WireWriter(64 + 8 * p.others.keys.length);
        w.writeString(origin.value());
        w.writeVarLong(p.epoch);
        writeBody(w, p, p.epoch, new Previous());
        return envelope(KIND_RECORD, w, false);
    }

    /**
     * Decodes one record encoded by {@link #encodeRecord} or split from a batch.
     *
     * @throws WireFormatException if the bytes are not a valid record
     * @throws UnknownEpochException if its epoch is not known to {@code epochs}
     */
    public UsageRecord decodeRecord(byte[] bytes, EpochResolver epochs) {
        WireReader r = openEnvelope(bytes, KIND_RECORD, "record");
        NodeId origin = readNodeId(r, "record origin");
        long epoch = r.readNonNegative("record epoch", Long.MAX_VALUE);
        Parsed p = readBody(r, epoch, new Previous(), "record");
        requireEnd(r, "record");
        return resolve(p, origin, epochs, "record");
    }

    // -------------------------------------------------------------------------------------------------- handovers

    /** Encodes a handover; the clock is written relative to its epoch. */
    public byte[] encodeHandover(Handover handover) {
        WireWriter w = new WireWriter(64 + 8 * handover.clock().deltaSize());
        w.writeString(handover.from().value());
        w.writeString(handover.to().value());
        w.writeString(handover.subscriber().value());
        w.writeVarLong(handover.hlc().wallMillis());
        w.writeVarLong(handover.hlc().logical());
        ClockDelta delta = ClockDelta.of(handover.clock(), null);
        w.writeVarLong(delta.epoch);
        delta.write(w);
        return envelope(KIND_HANDOVER, w, true);
    }

    /**
     * Decodes a handover.
     *
     * @throws WireFormatException if the bytes are not a valid handover
     * @throws UnknownEpochException if its clock's epoch is not known to {@code epochs}
     */
    public Handover decodeHandover(byte[] bytes, EpochResolver epochs) {
        WireReader r = openEnvelope(bytes, KIND_HANDOVER, "handover");
        NodeId from = readNodeId(r, "handover from");
        NodeId to = readNodeId(r, "handover to");
        Msisdn subscriber = readMsisdn(r, "handover subscriber");
        long hlcWall = r.readNonNegative("handover hlc wall", Long.MAX_VALUE);
        int hlcLogical = (int) r.readNonNegative("handover hlc logical", Integer.MAX_VALUE);
        long epochNumber = r.readNonNegative("handover epoch", Long.MAX_VALUE);
        ClockDelta delta = ClockDelta.read(r, epochNumber, "handover");
        requireEnd(r, "handover");
        Epoch epoch = resolveEpoch(epochs, epochNumber, "handover");
        VectorClock clock = delta.toClock(epoch, null, 0, "handover");
        try {
            return new Handover(from, to, subscriber, clock, new HybridTimestamp(hlcWall, hlcLogical));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("handover: " + e.getMessage(), e);
        }
    }

    // ----------------------------------------------------------------------------------------------------- epochs

    /**
     * Encodes an epoch announcement: its number, its whole member table and its base, then its lineage if not 0 (a
     * trailing field: announcements of lineage 0 are byte for byte what they were before lineages were named).
     */
    public byte[] encodeEpoch(Epoch epoch) {
        NodeTable members = epoch.members();
        WireWriter w = new WireWriter(16 + 16 * members.size());
        w.writeVarLong(epoch.number());
        w.writeVarLong(members.size());
        for (NodeId n : members.nodes()) {
            w.writeString(n.value());
        }
        int last = members.size();
        while (last > 0 && epoch.baseAt(last - 1) == 0) {
            last--;
        }
        w.writeVarLong(last);
        for (int i = 0; i < last; i++) {
            w.writeVarLong(epoch.baseAt(i));
        }
        if (epoch.lineage() != 0) {
            w.writeVarLong(epoch.lineage());
        }
        return envelope(KIND_EPOCH, w, true);
    }

    /** Decodes an epoch announcement. */
    public Epoch decodeEpoch(byte[] bytes) {
        WireReader r = openEnvelope(bytes, KIND_EPOCH, "epoch");
        long number = r.readNonNegative("epoch number", Long.MAX_VALUE);
        int count = r.readCount("epoch member count", MAX_CLOCK_ENTRIES);
        if (count > r.remaining() / 2) {
            throw new WireFormatException("epoch member count: " + count + " members cannot fit in the "
                    + r.remaining() + " bytes left");
        }
        List<NodeId> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(readNodeId(r, "epoch member " + i));
        }
        int baseCount = r.readCount("epoch base count", count);
        if (baseCount > r.remaining()) {
            throw new WireFormatException("epoch base count: " + baseCount + " counters cannot fit in the "
                    + r.remaining() + " bytes left");
        }
        long[] base = new long[baseCount];
        for (int i = 0; i < baseCount; i++) {
            base[i] = r.readNonNegative("epoch base counter " + i, Long.MAX_VALUE);
        }
        long lineage = 0;
        if (r.remaining() > 0) {
            lineage = r.readNonNegative("epoch lineage", number);
            if (lineage == 0) {
                throw new WireFormatException("epoch lineage: a lineage of 0 is written by leaving the field out");
            }
        }
        requireEnd(r, "epoch");
        try {
            return Epoch.of(number, lineage, NodeTable.of(nodes), base);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("epoch: " + e.getMessage(), e);
        }
    }

    // --------------------------------------------------------------------------------------- record body, parsed

    /** Where delta encoding within a batch starts from; zero for a record on its own. */
    private static final class Previous {
        long sequence;
        long startMillis;
    }

    /** A record's fields as on the wire, before its epoch is resolved. */
    private static final class Parsed {
        long epoch;
        long sequence;
        Msisdn subscriber;
        long startMillis;
        long hlcWall;
        int hlcLogical;
        ClockDelta others;
        Usage usage;

        static Parsed of(UsageRecord r) {
            Parsed p = new Parsed();
            VectorClock clock = r.clock();
            p.epoch = clock.epoch().number();
            p.sequence = r.id().sequence();
            p.subscriber = r.subscriber();
            p.startMillis = r.start().toEpochMilli();
            p.hlcWall = r.hlc().wallMillis();
            p.hlcLogical = r.hlc().logical();
            p.others = ClockDelta.of(clock, r.origin());
            p.usage = r.usage();
            return p;
        }
    }

    private static void writeBody(WireWriter w, Parsed p, long batchEpoch, Previous prev) {
        w.writeVarLong(batchEpoch - p.epoch);
        w.writeSigned(p.sequence - prev.sequence);
        w.writeString(p.subscriber.value());
        w.writeSigned(p.startMillis - prev.startMillis);
        w.writeSigned(p.hlcWall - p.startMillis);
        w.writeVarLong(p.hlcLogical);
        p.others.write(w);
        writeUsage(w, p.usage);
        prev.sequence = p.sequence;
        prev.startMillis = p.startMillis;
    }

    private static Parsed readBody(WireReader r, long batchEpoch, Previous prev, String what) {
        Parsed p = new Parsed();
        long back = r.readNonNegative(what, " epoch offset", batchEpoch);
        p.epoch = batchEpoch - back;
        p.sequence = addExact(prev.sequence, r.readSigned(what, " sequence"), what, " sequence");
        if (p.sequence <= 0) {
            throw new WireFormatException(what + " sequence: must be positive, was " + p.sequence);
        }
        p.subscriber = readMsisdn(r, what, " subscriber");
        p.startMillis = addExact(prev.startMillis, r.readSigned(what, " start"), what, " start");
        p.hlcWall = addExact(p.startMillis, r.readSigned(what, " hlc wall"), what, " hlc wall");
        if (p.startMillis < 0 || p.hlcWall < 0) {
            throw new WireFormatException(what + " start and hlc wall must be non-negative, were " + p.startMillis
                    + " and " + p.hlcWall);
        }
        p.hlcLogical = (int) r.readNonNegative(what, " hlc logical", Integer.MAX_VALUE);
        p.others = ClockDelta.read(r, p.epoch, what);
        p.usage = readUsage(r, what);
        prev.sequence = p.sequence;
        prev.startMillis = p.startMillis;
        return p;
    }

    private static UsageRecord resolve(Parsed p, NodeId origin, EpochResolver epochs, String what) {
        Epoch epoch = resolveEpoch(epochs, p.epoch, what);
        VectorClock clock = p.others.toClock(epoch, origin, p.sequence, what);
        try {
            return new UsageRecord(new EventId(origin, p.sequence), p.subscriber, Instant.ofEpochMilli(p.startMillis),
                    new HybridTimestamp(p.hlcWall, p.hlcLogical), clock, p.usage);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new WireFormatException(what + ": " + e.getMessage(), e);
        }
    }

    private static Epoch resolveEpoch(EpochResolver epochs, long number, String what) {
        Epoch epoch = epochs.resolve(number);
        if (epoch == null) {
            throw new UnknownEpochException(number, what);
        }
        if (epoch.number() != number) {
            throw new IllegalStateException("epoch resolver returned epoch " + epoch.number() + " for " + number);
        }
        return epoch;
    }

    /** {@code a + b}, or a failure naming the field {@code what + suffix} (put together only then). */
    private static long addExact(long a, long b, String what, String suffix) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new WireFormatException(what + suffix + ": overflows 64 bits");
        }
    }

    // --------------------------------------------------------------------------------------------- clock deltas

    /**
     * Node ids read from clock entries, shared by every decoder in the process ({@link WireReader#readCachedString}):
     * the same few towers name the entries of every record the stream job passes between its operators.
     */
    private static final String[] NODE_NAMES = new String[1024];

    /**
     * The entries of a clock above its epoch's base (the record's own entry left out when it is implied by the
     * sequence), as written: a key per entry (index + 1 into the member table, or 0 and the node id for a node the
     * table does not list), then the difference from the base. Indexed entries come first by index, then the named
     * ones by id, so every clock has exactly one encoding.
     */
    private static final class ClockDelta {
        final long epoch;
        final long[] keys;
        final String[] names;
        final long[] differences;

        private ClockDelta(long epoch, long[] keys, String[] names, long[] differences) {
            this.epoch = epoch;
            this.keys = keys;
            this.names = names;
            this.differences = differences;
        }

        static ClockDelta of(VectorClock clock, NodeId implied) {
            Epoch epoch = clock.epoch();
            NodeTable members = epoch.members();
            int n = clock.deltaSize();
            if (members.size() == 0) {
                return ofNamedOnly(clock, implied);
            }
            // Members' entries sort by index, named entries stay in the clock's (ascending id) order. An indexed
            // entry is packed as index << 32 | its position in the clock, so a primitive sort orders them: no boxing,
            // comparator or map on a path every record takes.
            boolean ownSeen = implied == null;
            long[] indexed = new long[n];
            int indexedCount = 0;
            int[] named = new int[n];
            int namedCount = 0;
            for (int i = 0; i < n; i++) {
                String id = clock.deltaIdAt(i);
                if (implied != null && id.equals(implied.value())) {
                    ownSeen = true;
                    continue;
                }
                int index = members.indexOf(id);
                if (index >= 0) {
                    indexed[indexedCount++] = (index + 1L) << 32 | i;
                } else {
                    named[namedCount++] = i;
                }
            }
            if (!ownSeen) {
                throw new IllegalArgumentException("the clock's entry of its origin " + implied
                        + " must be above the base of epoch " + epoch.number());
            }
            Arrays.sort(indexed, 0, indexedCount);
            int total = indexedCount + namedCount;
            long[] keys = new long[total];
            String[] names = new String[total];
            long[] diffs = new long[total];
            int k = 0;
            for (int j = 0; j < indexedCount; j++) {
                int i = (int) indexed[j];
                keys[k] = indexed[j] >>> 32;
                diffs[k++] = clock.deltaCounterAt(i) - epoch.base(clock.deltaIdAt(i));
            }
            for (int j = 0; j < namedCount; j++) {
                int i = named[j];
                String id = clock.deltaIdAt(i);
                names[k] = id;
                diffs[k++] = clock.deltaCounterAt(i) - epoch.base(id);
            }
            return new ClockDelta(epoch.number(), keys, names, diffs);
        }

        /**
         * {@link #of} for an epoch without members (genesis, which the stream job's state and exchanges use): every
         * entry is named and the base is zero, so the delta is the clock's own entries, already in ascending id
         * order, less the implied one.
         */
        private static ClockDelta ofNamedOnly(VectorClock clock, NodeId implied) {
            int n = clock.deltaSize();
            int skip = -1;
            if (implied != null) {
                for (int i = 0; i < n; i++) {
                    if (clock.deltaIdAt(i).equals(implied.value())) {
                        skip = i;
                        break;
                    }
                }
                if (skip < 0) {
                    throw new IllegalArgumentException("the clock's entry of its origin " + implied
                            + " must be above the base of epoch " + clock.epoch().number());
                }
            }
            int total = skip < 0 ? n : n - 1;
            long[] keys = new long[total];
            String[] names = new String[total];
            long[] diffs = new long[total];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (i != skip) {
                    names[k] = clock.deltaIdAt(i);
                    diffs[k++] = clock.deltaCounterAt(i);
                }
            }
            return new ClockDelta(clock.epoch().number(), keys, names, diffs);
        }

        void write(WireWriter w) {
            w.writeVarLong(keys.length);
            for (int i = 0; i < keys.length; i++) {
                w.writeVarLong(keys[i]);
                if (keys[i] == 0) {
                    w.writeString(names[i]);
                }
                w.writeVarLong(differences[i]);
            }
        }

        static ClockDelta read(WireReader r, long epoch, String what) {
            int n = r.readCount(what, " clock size", MAX_CLOCK_ENTRIES);
            if (n > r.remaining() / 2) {
                throw new WireFormatException(what + " clock size: " + n + " entries cannot fit in the "
                        + r.remaining() + " bytes left");
            }
            long[] keys = new long[n];
            String[] names = new String[n];
            long[] diffs = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = r.readNonNegative(what, " clock key", Integer.MAX_VALUE);
                if (keys[i] == 0) {
                    names[i] = r.readCachedString(what, " clock node", NodeId.MAX_LENGTH, NODE_NAMES,
                            NodeId::isValid, "invalid node id");
                }
                if (i > 0) {
                    boolean ordered = keys[i] == 0
                            ? keys[i - 1] != 0 || names[i - 1].compareTo(names[i]) < 0
                            : keys[i - 1] != 0 && keys[i - 1] < keys[i];
                    if (!ordered) {
                        throw new WireFormatException(what + " clock key: entries must be in ascending index order, "
                                + "then named nodes in ascending id order, without repeats (entry " + i + ")");
                    }
                }
                diffs[i] = r.readNonNegative(what, " clock difference", Long.MAX_VALUE);
                if (diffs[i] == 0) {
                    throw new WireFormatException(what + " clock difference: entries equal to the base are never "
                            + "encoded (entry " + i + ")");
                }
            }
            return new ClockDelta(epoch, keys, names, diffs);
        }

        /** The clock in {@code epoch}, with the implied own entry (if {@code origin} is given) set to {@code own}. */
        VectorClock toClock(Epoch epoch, NodeId origin, long own, String what) {
            NodeTable members = epoch.members();
            if (members.size() == 0 && allNamed()) {
                return toClockNamedOnly(epoch, origin, own, what);
            }
            int n = keys.length + (origin == null ? 0 : 1);
            String[] ids = new String[n];
            long[] counters = new long[n];
            for (int i = 0; i < keys.length; i++) {
                String id;
                if (keys[i] == 0) {
                    id = names[i];
                    if (members.indexOf(id) >= 0) {
                        throw new WireFormatException(what + " clock node: " + id + " is member "
                                + members.indexOf(id) + " of epoch " + epoch.number() + " and must be encoded by index");
                    }
                } else {
                    long index = keys[i] - 1;
                    if (index >= members.size()) {
                        throw new WireFormatException(what + " clock key: index " + index + " is beyond the "
                                + members.size() + " members of epoch " + epoch.number());
                    }
                    id = members.nodeAt((int) index).value();
                }
                if (origin != null && id.equals(origin.value())) {
                    throw new WireFormatException(what + " clock: the origin's own entry " + id
                            + " is implied by the sequence and must not be encoded");
                }
                ids[i] = id;
                try {
                    counters[i] = Math.addExact(epoch.base(id), differences[i]);
                } catch (ArithmeticException e) {
                    throw new WireFormatException(what + " clock counter of " + id + ": overflows 64 bits");
                }
            }
            if (origin != null) {
                if (own <= epoch.base(origin.value())) {
                    throw new WireFormatException(what + " sequence: " + own + " is not above the base "
                            + epoch.base(origin.value()) + " of its origin " + origin + " in epoch " + epoch.number());
                }
                ids[n - 1] = origin.value();
                counters[n - 1] = own;
            }
            sortByIds(ids, counters);
            for (int i = 1; i < n; i++) {
                if (ids[i].equals(ids[i - 1])) {
                    throw new WireFormatException(what + " clock: node " + ids[i] + " appears twice");
                }
            }
            return VectorClock.ofDelta(epoch, ids, counters);
        }

        /**
         * Sorts the entries {@code ids[i], counters[i]} by id: by insertion for the few entries a clock delta has
         * (no boxing or comparator on the decoding path), by a merge sort of their positions beyond that.
         */
        private static void sortByIds(String[] ids, long[] counters) {
            int n = ids.length;
            if (n > 32) {
                sortManyByIds(ids, counters);
                return;
            }
            for (int i = 1; i < n; i++) {
                String id = ids[i];
                long counter = counters[i];
                int j = i - 1;
                while (j >= 0 && ids[j].compareTo(id) > 0) {
                    ids[j + 1] = ids[j];
                    counters[j + 1] = counters[j];
                    j--;
                }
                ids[j + 1] = id;
                counters[j + 1] = counter;
            }
        }

        private static void sortManyByIds(String[] ids, long[] counters) {
            int n = ids.length;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
            String[] sortedIds = new String[n];
            long[] sortedCounters = new long[n];
            for (int i = 0; i < n; i++) {
                sortedIds[i] = ids[order[i]];
                sortedCounters[i] = counters[order[i]];
            }
            System.arraycopy(sortedIds, 0, ids, 0, n);
            System.arraycopy(sortedCounters, 0, counters, 0, n);
        }

        private boolean allNamed() {
            for (long key : keys) {
                if (key != 0) {
                    return false;
                }
            }
            return true;
        }

        /**
         * {@link #toClock} in an epoch without members, every entry named: the names were read in strictly
         * ascending order and the base is zero, so the clock is the entries with the origin's own put in its place.
         */
        private VectorClock toClockNamedOnly(Epoch epoch, NodeId origin, long own, String what) {
            int n = names.length + (origin == null ? 0 : 1);
            String[] ids = new String[n];
            long[] counters = new long[n];
            int k = 0;
            boolean placed = origin == null;
            for (int i = 0; i < names.length; i++) {
                if (!placed) {
                    int c = names[i].compareTo(origin.value());
                    if (c == 0) {
                        throw new WireFormatException(what + " clock: the origin's own entry " + names[i]
                                + " is implied by the sequence and must not be encoded");
                    }
                    if (c > 0) {
                        ids[k] = origin.value();
                        counters[k++] = own;
                        placed = true;
                    }
                }
                ids[k] = names[i];
                counters[k++] = differences[i];
            }
            if (!placed) {
                ids[k] = origin.value();
                counters[k] = own;
            }
            if (origin != null && own <= 0) {
                throw new WireFormatException(what + " sequence: " + own + " is not above the base 0 of its origin "
                        + origin + " in epoch " + epoch.number());
            }
            return VectorClock.ofDelta(epoch, ids, counters);
        }
    }

    // ------------------------------------------------------------------------------------------------------ usage

    private static void writeUsage(WireWriter w, Usage usage) {
        if (usage instanceof Usage.Call call) {
            w.writeByte(call.isPartial() ? TAG_CALL_PART : TAG_CALL);
            w.writeString(call.callee().value());
            w.writeByte(call.type().ordinal());
            w.writeVarLong(call.durationSeconds());
            if (call.isPartial()) {
                w.writeString(call.part().callReference());
                w.writeVarLong(call.part().sequence());
                w.writeByte(call.part().last() ? 1 : 0);
            }
        } else if (usage instanceof Usage.Sms sms) {
            w.writeByte(TAG_SMS);
            w.writeString(sms.recipient().value());
        } else if (usage instanceof Usage.Data data) {
            w.writeByte(TAG_DATA);
            w.writeByte(data.radio().ordinal());
            w.writeVarLong(data.uplinkBytes());
            w.writeVarLong(data.downlinkBytes());
        } else {
            throw new IllegalStateException("unknown usage " + usage.getClass());
        }
    }

    private static Usage readUsage(WireReader r, String what) {
        int tag = r.readByte(what, " usage tag");
        try {
            return switch (tag) {
                case TAG_CALL, TAG_CALL_PART -> {
                    Msisdn callee = readMsisdn(r, what, " call callee");
                    CallType type = enumAt(CallType.values(), r.readByte(what, " call type"), what, " call type");
                    long duration = r.readNonNegative(what, " call durationSeconds", Long.MAX_VALUE);
                    Usage.CallPart part = null;
                    if (tag == TAG_CALL_PART) {
                        String reference = r.readString(what, " call part reference", Usage.CallPart.MAX_REFERENCE_LENGTH);
                        int sequence = (int) r.readNonNegative(what, " call part sequence", Integer.MAX_VALUE);
                        int flags = r.readByte(what, " call part flags");
                        if ((flags & ~1) != 0) {
                            throw new WireFormatException(what + " call part flags: unknown flags 0x"
                                    + Integer.toHexString(flags));
                        }
                        part = new Usage.CallPart(reference, sequence, flags == 1);
                    }
                    yield new Usage.Call(callee, type, duration, part);
                }
                case TAG_SMS -> new Usage.Sms(readMsisdn(r, what, " sms recipient"));
                case TAG_DATA -> {
                    RadioType radio = enumAt(RadioType.values(), r.readByte(what, " data radio"), what, " data radio");
                    long up = r.readNonNegative(what, " data uplinkBytes", Long.MAX_VALUE);
                    long down = r.readNonNegative(what, " data downlinkBytes", Long.MAX_VALUE);
                    yield new Usage.Data(radio, up, down);
                }
                default -> throw new WireFormatException(what + " usage tag: unknown tag " + tag);
            };
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(what + " usage: " + e.getMessage(), e);
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what, String suffix) {
        if (ordinal >= values.length) {
            throw new WireFormatException(what + suffix + ": unknown value " + ordinal);
        }
        return values[ordinal];
    }

    private static Msisdn readMsisdn(WireReader r, String field) {
        return readMsisdn(r, field, "");
    }

    private static Msisdn readMsisdn(WireReader r, String what, String suffix) {
        String s = r.readString(what, suffix, MAX_MSISDN_BYTES);
        try {
            return Msisdn.of(s);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(what + suffix + ": " + e.getMessage(), e);
        }
    }

    private static NodeId readNodeId(WireReader r, String field) {
        String s = r.readString(field, NodeId.MAX_LENGTH);
        if (!NodeId.isValid(s)) {
            throw new WireFormatException(field + ": invalid node id '" + s + "'");
        }
        return NodeId.of(s);
    }

    private static void requireEnd(WireReader r, String what) {
        if (r.hasRemaining()) {
            throw new WireFormatException(what + ": " + r.remaining() + " trailing bytes after the last field");
        }
    }

    // --------------------------------------------------------------------------------------------------- envelope

    /**
     * Header: magic, kind, version, flags; then, if compressed, the dictionary id (if the flag says so) and the
     * body's uncompressed length; then the body.
     */
    private byte[] envelope(int kind, WireWriter body, boolean compressible) {
        byte[] plain = body.toByteArray();
        boolean compress = compressible && compressThreshold >= 0 && plain.length >= compressThreshold;
        byte[] packed = null;
        if (compress) {
            packed = dictionary == null ? Zstd.compress(plain, level) : Zstd.compress(plain, dictionary.forCompression());
            compress = packed.length < plain.length;
        }
        WireWriter w = new WireWriter(16 + (compress ? packed.length : plain.length));
        w.writeByte(MAGIC);
        w.writeByte(kind);
        w.writeByte(VERSION);
        if (!compress) {
            w.writeByte(0);
            w.writeBytes(plain);
        } else {
            w.writeByte(FLAG_ZSTD | (dictionary == null ? 0 : FLAG_DICTIONARY));
            if (dictionary != null) {
                w.writeVarLong(dictionary.id());
            }
            w.writeVarLong(plain.length);
            w.writeBytes(packed);
        }
        return w.toByteArray();
    }

    private WireReader openEnvelope(byte[] bytes, int kind, String what) {
        if (bytes == null) {
            throw new NullPointerException(what + " bytes");
        }
        WireReader r = new WireReader(bytes);
        int magic = r.readByte(what, " magic");
        if (magic != MAGIC) {
            throw new WireFormatException(what + " magic: expected 0x44, was 0x" + Integer.toHexString(magic));
        }
        int k = r.readByte(what, " kind");
        if (k != kind) {
            throw new WireFormatException(what + " kind: expected 0x" + Integer.toHexString(kind) + ", was 0x"
                    + Integer.toHexString(k));
        }
        int version = r.readByte(what, " version");
        if (version != VERSION) {
            throw new WireFormatException(what + " version: this decoder reads version " + VERSION + ", was "
                    + version);
        }
        int flags = r.readByte(what, " flags");
        if ((flags & ~(FLAG_ZSTD | FLAG_DICTIONARY)) != 0 || flags == FLAG_DICTIONARY) {
            throw new WireFormatException(what + " flags: unknown flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & FLAG_ZSTD) == 0) {
            return r;
        }
        CompressionDictionary dict = null;
        if ((flags & FLAG_DICTIONARY) != 0) {
            long id = r.readNonNegative(what, " dictionary id", 0xFFFFFFFFL);
            dict = dictionaries.get(id);
            if (dict == null) {
                throw new WireFormatException(what + " dictionary id: dictionary " + id + " is not known here");
            }
        }
        int length = r.readCount(what, " uncompressed length", MAX_BODY_BYTES);
        byte[] packed = r.readRemaining();
        // The frame header must declare the same size before that size is allocated: otherwise a few bytes of
        // garbage behind a large declared length would cost a 16 MiB allocation each.
        long framed = frameContentSize(packed);
        if (framed != length) {
            throw new WireFormatException(what + " body: the zstd frame declares "
                    + (framed < 0 ? "no content size" : framed + " bytes") + ", the envelope " + length);
        }
        byte[] plain = new byte[length];
        long n;
        try {
            n = dict == null ? Zstd.decompress(plain, packed)
                    : Zstd.decompressFastDict(plain, 0, packed, 0, packed.length, dict.forDecompression());
        } catch (RuntimeException e) {
            throw new WireFormatException(what + " body: zstd cannot decompress it: " + e.getMessage(), e);
        }
        if (Zstd.isError(n)) {
            throw new WireFormatException(what + " body: zstd cannot decompress it: " + Zstd.getErrorName(n));
        }
        if (n != length) {
            throw new WireFormatException(what + " body: declared " + length + " bytes uncompressed, was " + n);
        }
        return new WireReader(plain);
    }

    /** The content size a zstd frame's header declares; negative when it declares none or is no frame header. */
    private static long frameContentSize(byte[] frame) {
        if (frame.length == 0) {
            return -1;
        }
        try {
            return Zstd.getFrameContentSize(frame);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
