package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Bundle;
import dev.dabba.billing.Price;
import dev.dabba.billing.RatedSegment;
import dev.dabba.billing.Service;
import dev.dabba.billing.ServiceRate;
import dev.dabba.billing.Tariff;
import dev.dabba.billing.TierBasis;
import dev.dabba.billing.TimeWindow;
import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class BillSerializerTest {

    @Test
    void bill_roundTripsThroughTheSerializer() throws Exception {
        List<UsageRecord> records = SeedRecords.records();
        Bill bill = Bill.compute(SeedScenario.SUBSCRIBER, BillingCycle.of(records.get(0).start()), 6,
                BillStatus.PROVISIONAL, records, Tariff.seedDefault(), Instant.parse("2026-11-26T06:00:00.123456Z"));
        DataOutputSerializer out = new DataOutputSerializer(256);
        BillSerializer.INSTANCE.serialize(bill, out);
        Bill back = BillSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(bill);
    }

    @Test
    void billWithBreakdownAndBundles_roundTrips_asVersion3() throws Exception {
        // Peak hours for VOICE with a connect fee, and a 4G bundle smaller than the seed's data: every v2 field used.
        Tariff tariff = Tariff.seedDefault().toBuilder()
                .window(new TimeWindow("peak", EnumSet.allOf(DayOfWeek.class), LocalTime.of(9, 0),
                        LocalTime.of(21, 0)))
                .rate(Service.call(CallType.VOICE), new ServiceRate(1, 1, 1, BigDecimal.TEN, TierBasis.RECORD,
                        List.of(Price.of("1"), new Price("peak", 0, new BigDecimal("1.5")))))
                .bundle(new Bundle("data-60m", Set.of(Service.data(RadioType.G4)), 60L << 20))
                .rounding(dev.dabba.billing.RoundingRule.perIncrement(dev.dabba.billing.RoundingRule.Direction.UP))
                .build();
        List<UsageRecord> records = SeedRecords.records();
        Bill bill = Bill.compute(SeedScenario.SUBSCRIBER, BillingCycle.of(records.get(0).start()), 6,
                BillStatus.PROVISIONAL, records, tariff, Instant.parse("2026-11-26T06:00:00Z"));
        assertThat(bill.bundles()).isNotEmpty();
        assertThat(bill.lines()).flatExtracting(l -> l.rated().segments()).extracting(RatedSegment::bundle)
                .contains("data-60m");
        DataOutputSerializer out = new DataOutputSerializer(256);

        BillSerializer.INSTANCE.serialize(bill, out);

        byte[] bytes = out.getCopyOfBuffer();
        assertThat(bytes[0]).as("format version").isEqualTo((byte) 3);
        assertThat(BillSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes))).isEqualTo(bill);
    }

    @Test
    void lineFlags_roundTrip() throws Exception {
        List<UsageRecord> records = SeedRecords.records();
        Bill bill = Bill.compute(SeedScenario.SUBSCRIBER, BillingCycle.of(records.get(0).start()), 22,
                BillStatus.PROVISIONAL, records, Tariff.seedDefault(), Instant.parse("2026-11-26T06:00:00Z"),
                new dev.dabba.billing.LineMarks() {
                    @Override
                    public String missingDependencies(dev.dabba.record.EventId record) {
                        return record.equals(records.get(2).id()) ? "MUMBAI_BKC:2-2" : null;
                    }

                    @Override
                    public boolean cloneSuspect(dev.dabba.record.EventId record) {
                        return record.equals(records.get(5).id());
                    }
                });
        DataOutputSerializer out = new DataOutputSerializer(256);

        BillSerializer.INSTANCE.serialize(bill, out);

        Bill back = BillSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(bill);
        assertThat(back.lines().get(2).missingDependencies()).isEqualTo("MUMBAI_BKC:2-2");
        assertThat(back.lines().get(5).cloneSuspect()).isTrue();
    }

    @Test
    void version1_isStillRead_asLinesWithoutABreakdown() throws Exception {
        List<UsageRecord> records = SeedRecords.records();
        Bill bill = Bill.compute(SeedScenario.SUBSCRIBER, BillingCycle.of(records.get(0).start()), 6,
                BillStatus.PROVISIONAL, records, Tariff.seedDefault(), Instant.parse("2026-11-26T06:00:00Z"));
        DataOutputSerializer out = new DataOutputSerializer(256);
        writeVersion1(bill, out);

        Bill read = BillSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(read.total()).isEqualTo(bill.total());
        assertThat(read.bundles()).isEmpty();
        assertThat(read.lines()).hasSize(6).allSatisfy(l -> assertThat(l.rated().segments()).isEmpty());
        assertThat(read.lines()).extracting(l -> l.rated().exactPaisa())
                .isEqualTo(bill.lines().stream().map(l -> l.rated().exactPaisa()).toList());
    }

    /** The version 1 layout, field by field, as the serializer wrote it before breakdowns existed. */
    private static void writeVersion1(Bill bill, DataOutputSerializer out) throws Exception {
        out.writeByte(1);                                       // format version
        out.writeUTF(bill.subscriber().value());                // subscriber
        out.writeUTF(bill.cycle().toString());                  // cycle YYYY-MM
        out.writeLong(bill.version());                          // bill version
        out.writeUTF(bill.status().name());                     // status
        out.writeUTF(bill.tariffId());                          // tariff id
        out.writeInt(bill.lines().size());                      // line count
        for (var line : bill.lines()) {
            var r = line.rated();
            out.writeInt(line.position());                      // position
            out.writeBoolean(line.concurrent());                // concurrency flag
            out.writeUTF(r.eventId().toString());               // event id
            out.writeLong(r.start().getEpochSecond());          // start: seconds
            out.writeInt(r.start().getNano());                  //        nanos
            out.writeInt(r.clock().entries().size());           // clock entries
            for (var e : r.clock().entries().entrySet()) {
                out.writeUTF(e.getKey());                       //   node
                out.writeLong(e.getValue());                    //   counter
            }
            out.writeLong(r.hlc().wallMillis());                // hlc wall
            out.writeInt(r.hlc().logical());                    // hlc logical
            out.writeUTF(r.service().label());                  // service
            out.writeLong(r.quantity().amount());               // quantity
            out.writeUTF(r.quantity().unit().symbol());         // unit
            out.writeBoolean(r.counterparty() != null);         // counterparty present
            if (r.counterparty() != null) {
                out.writeUTF(r.counterparty().value());         // counterparty
            }
            out.writeUTF(r.exactPaisa().toPlainString());       // exact paisa
            out.writeLong(r.amount().paisa());                  // rounded paisa
        }
        out.writeLong(bill.calls().paisa());                    // calls
        out.writeLong(bill.sms().paisa());                      // sms
        out.writeLong(bill.data().paisa());                     // data
        out.writeLong(bill.total().paisa());                    // total
        out.writeLong(bill.updatedAt().getEpochSecond());       // updated at: seconds
        out.writeInt(bill.updatedAt().getNano());               //             nanos
    }

    @Test
    void usageRecord_roundTripsThroughTheSerializer_andCopiesRaw() throws Exception {
        UsageRecord record = SeedRecords.records().get(2);
        DataOutputSerializer out = new DataOutputSerializer(64);
        UsageRecordSerializer.INSTANCE.serialize(record, out);
        DataOutputSerializer copied = new DataOutputSerializer(256); // write(DataInputView, n) does not grow the buffer
        UsageRecordSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(UsageRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
                .isEqualTo(record);
    }
}
