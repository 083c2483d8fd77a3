package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Tariff;
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
