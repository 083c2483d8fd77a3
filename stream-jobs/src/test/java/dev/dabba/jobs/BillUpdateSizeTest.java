package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Tariff;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bill updates carry the lines a version changed, stay under Kafka's record limit however many that is, and keep their
 * totals.
 */
class BillUpdateSizeTest {

    private static final Msisdn SUBSCRIBER = Msisdn.of("+919800000001");
    private static final Instant T0 = Instant.parse("2026-11-03T04:30:00Z");

    private static Bill billOf(int records) {
        List<UsageRecord> rs = new ArrayList<>();
        NodeId tower = NodeId.of("MUMBAI_BKC");
        for (int i = 1; i <= records; i++) {
            Instant start = T0.plusSeconds(60L * i);
            rs.add(new UsageRecord(new EventId(tower, i), SUBSCRIBER, start,
                    new HybridTimestamp(start.toEpochMilli(), 0), VectorClock.of(Map.of(tower.value(), (long) i)),
                    new Usage.Data(RadioType.G4, 1_000, 1_048_576)));
        }
        return Bill.compute(SUBSCRIBER, BillingCycle.of(T0), 4L * records, BillStatus.PROVISIONAL, rs,
                Tariff.seedDefault(), T0.plusSeconds(86_400));
    }

    private static int[] all(Bill bill) {
        return java.util.stream.IntStream.rangeClosed(1, bill.lines().size()).toArray();
    }

    @Test
    void anOrdinaryUpdate_goesWithTheLinesItChanged() throws Exception {
        Bill bill = billOf(6);
        JsonNode json = new ObjectMapper().readTree(JsonSerializers.BillUpdates.value(new BillUpdate(bill,
                new int[] {6})));
        assertThat(json.get("changedLines")).singleElement()
                .satisfies(line -> assertThat(line.get("eventId").asText()).isEqualTo("MUMBAI_BKC#6"));
        assertThat(json.get("lineCount").asInt()).isEqualTo(6);
        assertThat(json.has("changedLinesOmitted")).isFalse();
        assertThat(new ObjectMapper().readTree(JsonSerializers.BillUpdates.value(new BillUpdate(bill, all(bill))))
                .get("changedLines")).hasSize(6);
    }

    @Test
    void anUpdateChangingThousandsOfLines_goesAsASummaryUnderTheLimit_withTheSameTotals() throws Exception {
        Bill bill = billOf(5_000);
        byte[] value = JsonSerializers.BillUpdates.value(new BillUpdate(bill, all(bill)));
        assertThat(value.length).isLessThanOrEqualTo(JsonSerializers.MAX_UPDATE_BYTES).isLessThan(1_048_576);
        JsonNode json = new ObjectMapper().readTree(value);
        assertThat(json.get("changedLinesOmitted").asBoolean()).isTrue();
        assertThat(json.get("lineCount").asInt()).isEqualTo(5_000);
        assertThat(json.get("changedLines")).isEmpty();
        assertThat(json.get("totalPaisa").asLong()).isEqualTo(bill.total().paisa()).isPositive();
        assertThat(json.get("version").asLong()).isEqualTo(20_000);
    }

    @Test
    void anUpdateAddingOneLineToABillOfThousands_goesWithThatLine() throws Exception {
        Bill bill = billOf(5_000);
        JsonNode json = new ObjectMapper().readTree(JsonSerializers.BillUpdates.value(new BillUpdate(bill,
                new int[] {5_000})));
        assertThat(json.get("changedLines")).singleElement()
                .satisfies(line -> assertThat(line.get("position").asInt()).isEqualTo(5_000));
        assertThat(json.has("changedLinesOmitted")).isFalse();
    }
}
