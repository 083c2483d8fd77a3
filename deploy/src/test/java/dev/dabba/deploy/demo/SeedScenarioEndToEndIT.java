package dev.dabba.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Causality;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed scenario over the real path: Paho agents, an MQTT broker, the gateway, Kafka (KRaft), the Flink job on a
 * MiniCluster, PostgreSQL; the bill read back from the report store.
 */
class SeedScenarioEndToEndIT {

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");
    private static EmbeddedStack stack;
    private static List<UsageRecord> published;
    private static Bill bill;

    @BeforeAll
    static void runScenario() throws Exception {
        stack = EmbeddedStack.start(SeedScenario.TOWERS, Progress.silent());
        published = SeedScenario.run(stack.agents(), JOURNEY_START, Duration.ofSeconds(30), line -> { });
        YearMonth cycle = BillingCycle.of(JOURNEY_START);
        bill = BillWatch.awaitBill(new BillStore(stack.database().dataSource(), EmbeddedStack.SCHEMA),
                SeedScenario.SUBSCRIBER, cycle, published.stream().map(UsageRecord::id).toList(),
                Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void bill_hasTheSeedAmounts_exactly() {
        assertThat(bill.calls().paisa()).isEqualTo(840);
        assertThat(bill.data().paisa()).isEqualTo(1350);
        assertThat(bill.sms().paisa()).isZero();
        assertThat(bill.total().paisa()).isEqualTo(2190);
        assertThat(bill.total()).hasToString("Rs 21.90");
    }

    @Test
    void bill_listsTheSixEvents_inCausalOrder_withTowerAndClock() {
        assertThat(bill.lines()).extracting(l -> l.rated().tower().value() + " " + l.rated().service().label())
                .containsExactly(
                        "MUMBAI_BKC CALL VOICE", "MUMBAI_BKC DATA 4G",
                        "MUMBAI_ANDHERI CALL VIDEO", "MUMBAI_ANDHERI DATA 4G",
                        "MUMBAI_BANDRA CALL VOLTE", "MUMBAI_BANDRA DATA 5G");
        for (int i = 1; i < bill.lines().size(); i++) {
            BillLine previous = bill.lines().get(i - 1);
            BillLine line = bill.lines().get(i);
            assertThat(previous.rated().clock().compare(line.rated().clock()))
                    .as("line %d happens before line %d", i, i + 1)
                    .isEqualTo(Causality.BEFORE);
        }
        assertThat(bill.lines()).noneMatch(BillLine::concurrent);
        assertThat(bill.lines().get(2).rated().clock().entries())
                .as("the Andheri call carries BKC's clock from the handover")
                .containsEntry("MUMBAI_BKC", 2L)
                .containsEntry("MUMBAI_ANDHERI", 1L);
    }

    @Test
    void bill_storesTheRecordsThatWerePublished_andNothingWasDeadLettered() {
        assertThat(bill.lines()).extracting(l -> l.rated().eventId())
                .containsExactlyElementsOf(published.stream().map(UsageRecord::id).toList());
        assertThat(stack.gateway().acceptedRecords()).isEqualTo(published.size());
        assertThat(stack.gateway().rejectedMessages()).isZero();
    }
}
