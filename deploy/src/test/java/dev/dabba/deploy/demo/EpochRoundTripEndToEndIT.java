package dev.dabba.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.clock.Causality;
import dev.dabba.clock.NodeId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The epoch loop over the real path: the job's epoch authority announces an epoch from its causal frontier, the
 * gateway relays it to the towers as a retained MQTT message, the towers adopt it, stamp records whose clocks are
 * deltas above its base, and the job decodes those records with the epoch and bills them in causal order.
 */
class EpochRoundTripEndToEndIT {

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");
    private static final Msisdn COMMUTER = Msisdn.of("+919800000001");

    @Test
    void towersAdoptTheJobsEpoch_andRecordsEncodedAboveItAreBilledInCausalOrder() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(SeedScenario.TOWERS, Progress.silent())) {
            BillStore store = new BillStore(stack.database().dataSource(), EmbeddedStack.SCHEMA);
            List<UsageRecord> seed = SeedScenario.run(stack.agents(), JOURNEY_START, Duration.ofSeconds(30), l -> { });
            BillWatch.awaitBill(store, SeedScenario.SUBSCRIBER, BillingCycle.of(JOURNEY_START),
                    seed.stream().map(UsageRecord::id).toList(), Duration.ofMinutes(2));

            Map<NodeId, EdgeAgent> agents = stack.agents();
            EdgeAgent bkc = agents.get(SeedScenario.BKC);
            EdgeAgent andheri = agents.get(SeedScenario.ANDHERI);
            // The job opened its lineage with an empty epoch; the authority announces the next once its frontier has
            // moved, and every tower hears it through the gateway.
            await().atMost(Duration.ofMinutes(2)).until(() -> bkc.clock().epoch().base("MUMBAI_ANDHERI") > 0
                    && andheri.clock().epoch().base("MUMBAI_BKC") > 0);

            Instant later = JOURNEY_START.plus(Duration.ofHours(2));
            UsageRecord atBkc = bkc.record(COMMUTER, later, new Usage.Sms(Msisdn.of("+919876543219")));
            bkc.flush();
            andheri.expectArrival(COMMUTER, SeedScenario.BKC);
            bkc.handOver(COMMUTER, SeedScenario.ANDHERI);
            andheri.awaitHandover(COMMUTER, Duration.ofSeconds(30));
            UsageRecord atAndheri = andheri.record(COMMUTER, later.plusSeconds(60),
                    new Usage.Sms(Msisdn.of("+919876543219")));
            andheri.flush();

            assertThat(atBkc.clock().epoch().number()).as("stamped above an announced epoch").isPositive();
            assertThat(atAndheri.clock().epoch().number()).isPositive();
            assertThat(atBkc.clock().deltaSize()).as("the clock costs only what moved since the epoch")
                    .isLessThan(atBkc.clock().size());
            assertThat(atBkc.clock().compare(atAndheri.clock())).isEqualTo(Causality.BEFORE);

            Bill bill = BillWatch.awaitBill(store, COMMUTER, BillingCycle.of(later),
                    List.of(atBkc.id(), atAndheri.id()), Duration.ofMinutes(2));
            assertThat(bill.lines()).extracting(l -> l.rated().eventId()).containsExactly(atBkc.id(), atAndheri.id());
            assertThat(bill.sms().paisa()).isEqualTo(200);
            assertThat(bill.total().paisa()).isEqualTo(200);
        }
    }
}
