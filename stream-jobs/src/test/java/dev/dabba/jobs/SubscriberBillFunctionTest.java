package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.billing.Bill;
import dev.dabba.billing.Tariff;
import dev.dabba.record.EventId;
import dev.dabba.record.UsageRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class SubscriberBillFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, Bill> harness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, Bill> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SubscriberBillFunction(Tariff.seedDefault())), new SubscriberCycleKey(),
                org.apache.flink.api.common.typeinfo.Types.STRING);
        h.setup(SerializerTypeInfo.BILL.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
        h.open();
        return h;
    }

    private static Bill lastBill(KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, Bill> h) {
        List<Bill> bills = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                bills.add((Bill) r.getValue());
            }
        }
        return bills.get(bills.size() - 1);
    }

    @Test
    void seedRecords_inAnyArrivalOrder_giveTheSeedBill_inCausalOrder() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        List<EventId> causal = seed.stream().map(UsageRecord::id).toList();
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<UsageRecord> arrival = new ArrayList<>(seed);
            Collections.shuffle(arrival, random);
            try (KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, Bill> h = harness()) {
                long ts = 0;
                for (UsageRecord r : arrival) {
                    h.processElement(r, ts++);
                }
                Bill bill = lastBill(h);
                assertThat(bill.version()).isEqualTo(6);
                assertThat(bill.calls().paisa()).isEqualTo(840);
                assertThat(bill.data().paisa()).isEqualTo(1350);
                assertThat(bill.total().paisa()).isEqualTo(2190);
                assertThat(bill.lines()).extracting(l -> l.rated().eventId()).containsExactlyElementsOf(causal);
                assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            }
        }
    }
}
