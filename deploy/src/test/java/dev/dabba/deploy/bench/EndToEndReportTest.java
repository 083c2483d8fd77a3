package dev.dabba.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndToEndReportTest {

    /** A round of 30,000 records, {@code billed} of them on a bill after {@code seconds}. */
    private static PhaseResult round(String name, int billed, double seconds) {
        return new PhaseResult("dabba", name, 30_000, billed, 1, 1, 1, seconds, new long[0], 1, 0, "", "");
    }

    @Test
    void theMedianRound_isTheMiddleOneByRecordsPerSecond_andAnIncompleteRoundCountsAsTheSlowest() {
        PhaseResult slow = round("throughput 1", 30_000, 30); // 1,000 records/s
        PhaseResult fast = round("throughput 2", 30_000, 10); // 3,000
        PhaseResult middle = round("throughput 3", 30_000, 15); // 2,000
        PhaseResult incomplete = round("throughput 4", 29_999, 5);

        assertThat(EndToEndReport.median(List.of(slow, fast, middle))).isSameAs(middle);
        assertThat(EndToEndReport.median(List.of(fast, incomplete, middle))).isSameAs(middle);
        assertThat(EndToEndReport.median(List.of(fast, slow))).as("the lower middle of two").isSameAs(slow);
        assertThat(EndToEndReport.median(List.of(incomplete))).isSameAs(incomplete);
    }

    @Test
    void jmhScores_areWrittenInMillions_andAnythingElseAsGiven() {
        assertThat(EndToEndReport.millions("14481432.263")).isEqualTo("14.48 million");
        assertThat(EndToEndReport.millions("670111.515")).isEqualTo("0.67 million");
        assertThat(EndToEndReport.millions("≈ 10⁷")).isEqualTo("≈ 10⁷");
    }
}
