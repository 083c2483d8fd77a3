package dev.dabba.record;

import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary wire format of usage records and record batches, version 1 (byte layout in
 * {@code docs/wire-format.md}).
 *
 * <p>Decoding never trusts a length: every count and string length is checked against both a fixed limit and the
 * bytes actually left before anything is allocated, and every failure is a {@link WireFormatException} naming the
 * field.
 */
public final class RecordCodec {

    /** First byte of every encoded record or batch. */
    public static final int MAGIC = 0x44; // 'D'
    /** Second byte of an encoded single record. */
    public static final int KIND_RECORD = 0x52; // 'R'
    /** Second byte of an encoded batch. */
    public static final int KIND_BATCH = 0x42; // 'B'
    /** Second byte of an encoded handover. */
    public static final int KIND_HANDOVER = 0x48; // 'H'
    /** The format version written by this codec. */
    public static final int VERSION = 1;

    /** Most records in one batch. */
    public static final int MAX_BATCH_RECORDS = 100_000;
    /** Most non-zero entries in one vector clock. */
    public static final int MAX_CLOCK_ENTRIES = 65_536;
    /** Longest MSISDN string in bytes. */
    public static final int MAX_MSISDN_BYTES = 32;

    static final int TAG_CALL = 1;
    static final int TAG_SMS = 2;
    static final int TAG_DATA = 3;

    private RecordCodec() {
    }

    /** Encodes one record on its own (as stored in a Kafka record value). */
    public static byte[] encodeRecord(UsageRecord record) {
        WireWriter w = new WireWriter(64 + 16 * record.clock().size());
        w.writeByte(MAGIC);
        w.writeByte(KIND_RECORD);
        w.writeByte(VERSION);
        w.writeString(record.origin().value());
        writeBody(w, record);
        return w.toByteArray();
    }

    /** Decodes one record encoded by {@link #encodeRecord}. */
    public static UsageRecord decodeRecord(byte[] bytes) {
        WireReader r = new WireReader(bytes);
        readHeader(r, KIND_RECORD, "record");
        NodeId origin = readNodeId(r, "record origin");
        UsageRecord record = readBody(r, origin, "record");
        requireEnd(r, "record");
        return record;
    }

    /** Encodes a batch: the origin once, then each record without it. */
    public static byte[] encodeBatch(RecordBatch batch) {
        WireWriter w = new WireWriter(32 + 48 * batch.records().size());
        w.writeByte(MAGIC);
        w.writeByte(KIND_BATCH);
        w.writeByte(VERSION);
        w.writeString(batch.origin().value());
        w.writeVarLong(batch.records().size());
        for (UsageRecord record : batch.records()) {
            writeBody(w, record);
        }
        return w.toByteArray();
    }

    /** Decodes a batch encoded by {@link #encodeBatch}. */
    public static RecordBatch decodeBatch(byte[] bytes) {
        WireReader r = new WireReader(bytes);
        readHeader(r, KIND_BATCH, "batch");
        NodeId origin = readNodeId(r, "batch origin");
        int count = r.readCount("batch record count", MAX_BATCH_RECORDS);
        if (count > r.remaining()) {
            throw new WireFormatException("batch record count: " + count + " records cannot fit in the "
                    + r.remaining() + " bytes left");
        }
        List<UsageRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(readBody(r, origin, "batch record " + i));
        }
        requireEnd(r, "batch");
        return new RecordBatch(origin, records);
    }

    private static void writeBody(WireWriter w, UsageRecord record) {
        w.writeVarLong(record.id().sequence());
        w.writeString(record.subscriber().value());
        w.writeVarLong(record.start().toEpochMilli());
        w.writeVarLong(record.hlc().wallMillis());
        w.writeVarLong(record.hlc().logical());
        writeClock(w, record.clock());
        Usage usage = record.usage();
        if (usage instanceof Usage.Call call) {
            w.writeByte(TAG_CALL);
            w.writeString(call.callee().value());
            w.writeByte(call.type().ordinal());
            w.writeVarLong(call.durationSeconds());
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

    /** Encodes a handover message. */
    public static byte[] encodeHandover(Handover handover) {
        WireWriter w = new WireWriter(64 + 16 * handover.clock().size());
        w.writeByte(MAGIC);
        w.writeByte(KIND_HANDOVER);
        w.writeByte(VERSION);
        w.writeString(handover.from().value());
        w.writeString(handover.to().value());
        w.writeString(handover.subscriber().value());
        w.writeVarLong(handover.hlc().wallMillis());
        w.writeVarLong(handover.hlc().logical());
        writeClock(w, handover.clock());
        return w.toByteArray();
    }

    /** Decodes a handover encoded by {@link #encodeHandover}. */
    public static Handover decodeHandover(byte[] bytes) {
        WireReader r = new WireReader(bytes);
        readHeader(r, KIND_HANDOVER, "handover");
        NodeId from = readNodeId(r, "handover from");
        NodeId to = readNodeId(r, "handover to");
        Msisdn subscriber = readMsisdn(r, "handover subscriber");
        long hlcWall = r.readNonNegative("handover hlc wall", Long.MAX_VALUE);
        int hlcLogical = (int) r.readNonNegative("handover hlc logical", Integer.MAX_VALUE);
        VectorClock clock = readClock(r, "handover");
        requireEnd(r, "handover");
        try {
            return new Handover(from, to, subscriber, clock, new HybridTimestamp(hlcWall, hlcLogical));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("handover: " + e.getMessage(), e);
        }
    }

    private static void writeClock(WireWriter w, VectorClock clock) {
        w.writeVarLong(clock.size());
        for (int i = 0; i < clock.size(); i++) {
            w.writeString(clock.idAt(i));
            w.writeVarLong(clock.counterAt(i));
        }
    }

    private static VectorClock readClock(WireReader r, String what) {
        int entries = r.readCount(what + " clock size", MAX_CLOCK_ENTRIES);
        if (entries > r.remaining() / 2) {
            throw new WireFormatException(what + " clock size: " + entries + " entries cannot fit in the "
                    + r.remaining() + " bytes left");
        }
        Map<String, Long> clock = new HashMap<>(entries * 2);
        String previous = null;
        for (int i = 0; i < entries; i++) {
            String node = r.readString(what + " clock node", NodeId.MAX_LENGTH);
            if (!NodeId.isValid(node)) {
                throw new WireFormatException(what + " clock node: invalid node id '" + node + "'");
            }
            if (previous != null && previous.compareTo(node) >= 0) {
                throw new WireFormatException(what + " clock node: entries must be in strictly ascending id order, '"
                        + node + "' follows '" + previous + "'");
            }
            long counter = r.readNonNegative(what + " clock counter of " + node, Long.MAX_VALUE);
            if (counter == 0) {
                throw new WireFormatException(what + " clock counter of " + node + ": zero entries are never encoded");
            }
            clock.put(node, counter);
            previous = node;
        }
        return VectorClock.of(clock);
    }

    private static void readHeader(WireReader r, int kind, String what) {
        int magic = r.readByte(what + " magic");
        if (magic != MAGIC) {
            throw new WireFormatException(what + " magic: expected 0x44, was 0x" + Integer.toHexString(magic));
        }
        int k = r.readByte(what + " kind");
        if (k != kind) {
            throw new WireFormatException(what + " kind: expected 0x" + Integer.toHexString(kind) + ", was 0x"
                    + Integer.toHexString(k));
        }
        int version = r.readByte(what + " version");
        if (version != VERSION) {
            throw new WireFormatException(what + " version: this decoder reads version " + VERSION + ", was "
                    + version);
        }
    }

    private static UsageRecord readBody(WireReader r, NodeId origin, String what) {
        long sequence = r.readNonNegative(what + " sequence", Long.MAX_VALUE);
        Msisdn subscriber = readMsisdn(r, what + " subscriber");
        long startMillis = r.readNonNegative(what + " start", Long.MAX_VALUE);
        long hlcWall = r.readNonNegative(what + " hlc wall", Long.MAX_VALUE);
        int hlcLogical = (int) r.readNonNegative(what + " hlc logical", Integer.MAX_VALUE);
        VectorClock clock = readClock(r, what);
        Usage usage = readUsage(r, what);
        try {
            return new UsageRecord(new EventId(origin, sequence), subscriber, Instant.ofEpochMilli(startMillis),
                    new HybridTimestamp(hlcWall, hlcLogical), clock, usage);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new WireFormatException(what + ": " + e.getMessage(), e);
        }
    }

    private static Usage readUsage(WireReader r, String what) {
        int tag = r.readByte(what + " usage tag");
        try {
            return switch (tag) {
                case TAG_CALL -> {
                    Msisdn callee = readMsisdn(r, what + " call callee");
                    CallType type = enumAt(CallType.values(), r.readByte(what + " call type"), what + " call type");
                    long duration = r.readNonNegative(what + " call durationSeconds", Long.MAX_VALUE);
                    yield new Usage.Call(callee, type, duration);
                }
                case TAG_SMS -> new Usage.Sms(readMsisdn(r, what + " sms recipient"));
                case TAG_DATA -> {
                    RadioType radio = enumAt(RadioType.values(), r.readByte(what + " data radio"), what + " data radio");
                    long up = r.readNonNegative(what + " data uplinkBytes", Long.MAX_VALUE);
                    long down = r.readNonNegative(what + " data downlinkBytes", Long.MAX_VALUE);
                    yield new Usage.Data(radio, up, down);
                }
                default -> throw new WireFormatException(what + " usage tag: unknown tag " + tag);
            };
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(what + " usage: " + e.getMessage(), e);
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String field) {
        if (ordinal >= values.length) {
            throw new WireFormatException(field + ": unknown value " + ordinal);
        }
        return values[ordinal];
    }

    private static Msisdn readMsisdn(WireReader r, String field) {
        String s = r.readString(field, MAX_MSISDN_BYTES);
        try {
            return Msisdn.of(s);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(field + ": " + e.getMessage(), e);
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
}
