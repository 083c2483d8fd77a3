package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DedupeFunctionTest {

    @Test
    void duplicates_ofAnEventId_areDropped_andFirstCopyPasses() throws Exception {
        List<UsageRecord> seed = SeedRecords.records();
        try (KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, UsageRecord> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DedupeFunction(Duration.ofDays(1))),
                        r -> r.id().toString(), Types.STRING)) {
            h.setup(UsageRecordSerializer.INSTANCE);
            h.open();
            long ts = 0;
            for (UsageRecord r : seed) {
                h.processElement(r, ts++);
                h.processElement(r, ts++);
            }
            h.processElement(seed.get(0), ts);
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(seed);
            assertThat(h.numKeyedStateEntries()).isEqualTo(seed.size());
        }
    }

    @Test
    void retention_mustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DedupeFunction(Duration.ZERO))
                .hasMessageContaining("retention");
    }

}
