package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.billing.Bill;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The bill operator's running bills change no version: fed the same releases (mostly in causal order, some late,
 * some twice, some first incomplete and later complete, with a snapshot and restore in between), the operator with
 * its cache (large, or so small that bills are evicted all the time) emits exactly the versions and bill updates the
 * operator without a cache emits, which recomputes every version from the keyed state, and raises the same clone
 * alerts.
 */
class BillCachePropertyTest {

    @Property(tries = 60)
    void everyVersion_isTheSame_withAndWithoutRunningBills(@ForAll long worldSeed, @ForAll long releaseSeed,
            @ForAll("cacheSizes") int cacheRecords) throws Exception {
        List<UsageRecord> records = Worlds.generate(new Random(worldSeed), 8, 25, Duration.ofHours(6));
        Random random = new Random(releaseSeed);
        List<ReleasedRecord> releases = releases(records, random);
        int restoreAt = random.nextInt(releases.size() + 1);

        Run cached = run(cacheRecords, releases, restoreAt);
        Run uncached = run(0, releases, restoreAt);

        assertThat(cached.bills).isNotEmpty().isEqualTo(uncached.bills);
        assertThat(cached.updates).isEqualTo(uncached.updates);
        // The cached operator checks a new record for clones against its running bill, the other against the state:
        // the same pairs, in another order.
        assertThat(cached.alerts).containsExactlyInAnyOrderElementsOf(uncached.alerts);
        Statistics.label("clone alerts").collect(!uncached.alerts.isEmpty());
        Statistics.label("clone alerts").coverage(c -> c.check(true).percentage(p -> p > 15));
        Statistics.label("cache").collect(cacheRecords < 20 ? "evicting" : "large");
        Statistics.label("released incomplete first").collect(releases.stream().anyMatch(r -> !r.isComplete()));
        Statistics.label("released incomplete first").coverage(c -> c.check(true).percentage(p -> p > 30));
    }

    @Example
    void aRecordReplacedByOtherContentUnderItsEventId_isBilledAsTheStateHoldsIt() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        UsageRecord first = seed.get(0);
        UsageRecord forged = new UsageRecord(first.id(), first.subscriber(), first.start(), first.hlc(),
                first.clock(), new Usage.Sms(Msisdn.of("+919876543299")));
        List<ReleasedRecord> releases = List.of(new ReleasedRecord(first, "MUMBAI_BKC:1-1"),
                ReleasedRecord.complete(seed.get(1)), ReleasedRecord.complete(forged));

        Run cached = run(100_000, releases, 0);

        assertThat(cached.bills).isEqualTo(run(0, releases, 0).bills);
        assertThat(cached.bills.get(cached.bills.size() - 1).lines().get(0).rated().service())
                .isEqualTo(dev.dabba.billing.Service.sms());
    }

    @Provide
    Arbitrary<Integer> cacheSizes() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 19), Arbitraries.just(100_000));
    }

    /**
     * The records as the causal buffer releases them: in the order of their hybrid timestamps, except that one in
     * six is released late and one in eight is released twice; one in five is first released incomplete (a random
     * dependency named missing) and again complete later.
     */
    private static List<ReleasedRecord> releases(List<UsageRecord> records, Random random) {
        List<UsageRecord> ordered = new ArrayList<>(records);
        ordered.sort(UsageRecord.TIE_BREAK);
        List<ReleasedRecord> out = new ArrayList<>();
        List<ReleasedRecord> late = new ArrayList<>();
        for (UsageRecord r : ordered) {
            if (random.nextInt(5) == 0) {
                out.add(new ReleasedRecord(r, "MUMBAI_BKC:" + (1 + random.nextInt(3)) + "-4"));
                late.add(ReleasedRecord.complete(r));
            } else if (random.nextInt(6) == 0) {
                late.add(ReleasedRecord.complete(r));
            } else {
                out.add(ReleasedRecord.complete(r));
            }
            if (random.nextInt(8) == 0) {
                late.add(ReleasedRecord.complete(r));
            }
            if (!late.isEmpty() && random.nextInt(4) == 0) {
                out.add(late.remove(random.nextInt(late.size())));
            }
        }
        Collections.shuffle(late, random);
        out.addAll(late);
        return out;
    }

    private record Run(List<Bill> bills, List<BillUpdate> updates, List<CloneAlert> alerts) {
    }

    private static Run run(int cacheRecords, List<ReleasedRecord> releases, int restoreAt) throws Exception {
        List<Bill> bills = new ArrayList<>();
        List<BillUpdate> updates = new ArrayList<>();
        List<CloneAlert> alerts = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(cacheRecords, null)) {
            for (ReleasedRecord r : releases.subList(0, restoreAt)) {
                h.processElement(r, 0);
            }
            bills.addAll(Harnesses.drain(h));
            updates.addAll(Harnesses.drain(h, SubscriberBillFunction.UPDATES));
            alerts.addAll(Harnesses.drain(h, SubscriberBillFunction.ALERTS));
            snapshot = h.snapshot(1, 0);
        }
        try (var h = harness(cacheRecords, snapshot)) {
            for (ReleasedRecord r : releases.subList(restoreAt, releases.size())) {
                h.processElement(r, 0);
            }
            bills.addAll(Harnesses.drain(h));
            updates.addAll(Harnesses.drain(h, SubscriberBillFunction.UPDATES));
            alerts.addAll(Harnesses.drain(h, SubscriberBillFunction.ALERTS));
        }
        return new Run(bills, updates, alerts);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill> harness(int cacheRecords,
            OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, ReleasedRecord, Bill>(new KeyedProcessOperator<>(
                SubscriberBillFunction.withDefaults(Duration.ZERO, cacheRecords)), new SubscriberCycleKey(),
                Types.STRING, 1, 1, 0);
        h.setup(SerializerTypeInfo.BILL.createSerializer(new SerializerConfigImpl()));
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }
}
