package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BundleUsage;
import dev.dabba.billing.Money;
import dev.dabba.billing.Quantity;
import dev.dabba.billing.RatedLine;
import dev.dabba.billing.RatedSegment;
import dev.dabba.billing.Service;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for bills on their way from the billing operator to the sinks.
 *
 * <p>Every value starts with a format version byte, so a later layout can read this one: version 2 adds each
 * line's rating segments and the bill's bundle usage to version 1; version 3 adds each line's stream-job flags
 * (missing dependencies, cloned-SIM suspect). Versions 1 and 2 are still read (as lines without those).
 */
public final class BillSerializer extends TypeSerializerSingleton<Bill> {

    private static final long serialVersionUID = 1L;
    /** 3: lines carry the job's flags; 2: their rating breakdown and bundle usage; 1 and 2 are still read. */
    private static final int VERSION = 3;

    public static final BillSerializer INSTANCE = new BillSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public Bill createInstance() {
        return null;
    }

    @Override
    public Bill copy(Bill from) {
        return from;
    }

    @Override
    public Bill copy(Bill from, Bill reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Bill bill, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeUTF(bill.subscriber().value());
        out.writeUTF(bill.cycle().toString());
        out.writeLong(bill.version());
        out.writeUTF(bill.status().name());
        out.writeUTF(bill.tariffId());
        out.writeInt(bill.lines().size());
        for (BillLine line : bill.lines()) {
            RatedLine r = line.rated();
            out.writeInt(line.position());
            out.writeBoolean(line.concurrent());
            out.writeUTF(r.eventId().toString());
            writeInstant(out, r.start());
            Map<String, Long> clock = r.clock().entries();
            out.writeInt(clock.size());
            for (Map.Entry<String, Long> e : clock.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeLong(r.hlc().wallMillis());
            out.writeInt(r.hlc().logical());
            out.writeUTF(r.service().label());
            out.writeLong(r.quantity().amount());
            out.writeUTF(r.quantity().unit().symbol());
            writeNullableUtf(out, r.counterparty() == null ? null : r.counterparty().value());
            out.writeUTF(r.exactPaisa().toPlainString());
            out.writeLong(r.amount().paisa());
            // Version 2: the rating breakdown.
            out.writeInt(r.segments().size());
            for (RatedSegment seg : r.segments()) {
                out.writeLong(seg.offset());
                out.writeLong(seg.quantity());
                out.writeLong(seg.charged());
                out.writeLong(seg.pulses());
                writeNullableUtf(out, seg.window());
                out.writeLong(seg.tierFrom());
                out.writeUTF(seg.price().toPlainString());
                out.writeLong(seg.unit());
                writeNullableUtf(out, seg.bundle());
                out.writeLong(seg.bundleUsed());
                out.writeUTF(seg.connectFee().toPlainString());
                out.writeUTF(seg.exactPaisa().toPlainString());
                out.writeBoolean(seg.amount() != null);
                if (seg.amount() != null) {
                    out.writeLong(seg.amount().paisa());
                }
            }
            // Version 3: the stream job's flags.
            writeNullableUtf(out, line.missingDependencies());
            out.writeBoolean(line.cloneSuspect());
        }
        out.writeLong(bill.calls().paisa());
        out.writeLong(bill.sms().paisa());
        out.writeLong(bill.data().paisa());
        out.writeLong(bill.total().paisa());
        // Version 2: bundle usage.
        out.writeInt(bill.bundles().size());
        for (BundleUsage b : bill.bundles()) {
            out.writeUTF(b.bundle());
            out.writeUTF(b.unit().symbol());
            out.writeLong(b.allowance());
            out.writeLong(b.used());
        }
        writeInstant(out, bill.updatedAt());
    }

    /** Reads version 2, and version 1 (no breakdown, no bundles) written before it. */
    @Override
    public Bill deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version < 1 || version > VERSION) {
            throw new IOException("bill serializer reads versions 1 to " + VERSION + ", found " + version);
        }
        boolean v2 = version >= 2;
        boolean v3 = version >= 3;
        Msisdn subscriber = Msisdn.of(in.readUTF());
        YearMonth cycle = BillingCycle.parse(in.readUTF());
        long billVersion = in.readLong();
        BillStatus status = BillStatus.valueOf(in.readUTF());
        String tariffId = in.readUTF();
        int count = in.readInt();
        List<BillLine> lines = new ArrayList<>(count);
        for (int l = 0; l < count; l++) {
            int position = in.readInt();
            boolean concurrent = in.readBoolean();
            EventId eventId = EventId.parse(in.readUTF());
            Instant start = readInstant(in);
            int entries = in.readInt();
            Map<String, Long> clock = new TreeMap<>();
            for (int i = 0; i < entries; i++) {
                clock.put(in.readUTF(), in.readLong());
            }
            HybridTimestamp hlc = new HybridTimestamp(in.readLong(), in.readInt());
            Service service = Service.parse(in.readUTF());
            Quantity quantity = new Quantity(in.readLong(), Quantity.Unit.ofSymbol(in.readUTF()));
            Msisdn counterparty = in.readBoolean() ? Msisdn.of(in.readUTF()) : null;
            BigDecimal exact = new BigDecimal(in.readUTF());
            Money amount = Money.ofPaisa(in.readLong());
            List<RatedSegment> segments = v2 ? readSegments(in) : List.of();
            String missing = v3 ? readNullableUtf(in) : null;
            boolean suspect = v3 && in.readBoolean();
            NodeId tower = eventId.origin();
            lines.add(new BillLine(position, new RatedLine(eventId, tower, start, VectorClock.of(clock), hlc, service,
                    quantity, counterparty, segments, exact, amount), concurrent, missing, suspect));
        }
        Money calls = Money.ofPaisa(in.readLong());
        Money sms = Money.ofPaisa(in.readLong());
        Money data = Money.ofPaisa(in.readLong());
        Money total = Money.ofPaisa(in.readLong());
        List<BundleUsage> bundles = new ArrayList<>();
        if (v2) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                bundles.add(new BundleUsage(in.readUTF(), Quantity.Unit.ofSymbol(in.readUTF()), in.readLong(),
                        in.readLong()));
            }
        }
        Instant updatedAt = readInstant(in);
        return new Bill(subscriber, cycle, billVersion, status, tariffId, lines, calls, sms, data, total, bundles,
                updatedAt);
    }

    private static List<RatedSegment> readSegments(DataInputView in) throws IOException {
        int n = in.readInt();
        List<RatedSegment> segments = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long offset = in.readLong();
            long quantity = in.readLong();
            long charged = in.readLong();
            long pulses = in.readLong();
            String window = readNullableUtf(in);
            long tierFrom = in.readLong();
            BigDecimal price = new BigDecimal(in.readUTF());
            long unit = in.readLong();
            String bundle = readNullableUtf(in);
            long bundleUsed = in.readLong();
            BigDecimal connectFee = new BigDecimal(in.readUTF());
            BigDecimal exact = new BigDecimal(in.readUTF());
            Money amount = in.readBoolean() ? Money.ofPaisa(in.readLong()) : null;
            segments.add(new RatedSegment(offset, quantity, charged, pulses, window, tierFrom, price, unit, bundle,
                    bundleUsed, connectFee, exact, amount));
        }
        return segments;
    }

    private static void writeNullableUtf(DataOutputView out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullableUtf(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @Override
    public Bill deserialize(Bill reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<Bill> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeInstant(DataOutputView out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant readInstant(DataInputView in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    /** Serializer snapshot; the layout version lives in every value. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Bill> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
