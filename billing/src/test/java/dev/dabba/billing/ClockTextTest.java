package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.billing.internal.ClockText;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.VectorClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClockTextTest {

    @Test
    void vectorClock_roundTripsThroughItsText() {
        VectorClock clock = VectorClock.of(Map.of("MUMBAI_BKC", 2L, "MUMBAI_ANDHERI", 1L, "tower-7.a", 99L));

        assertThat(ClockText.parseVectorClock(clock.toString())).isEqualTo(clock);
        assertThat(ClockText.parseVectorClock("{}")).isEqualTo(VectorClock.empty());
    }

    @Test
    void vectorClock_rejectsMalformedText_quotingIt() {
        assertThatThrownBy(() -> ClockText.parseVectorClock("MUMBAI_BKC:1")).hasMessageContaining("'MUMBAI_BKC:1'");
        assertThatThrownBy(() -> ClockText.parseVectorClock("{A:x}")).hasMessageContaining("counter");
        assertThatThrownBy(() -> ClockText.parseVectorClock("{A:1, A:2}")).hasMessageContaining("twice");
    }

    @Test
    void hybridTimestamp_roundTripsThroughItsText() {
        HybridTimestamp hlc = new HybridTimestamp(1_741_581_000_123L, 7);

        assertThat(ClockText.parseHybridTimestamp(hlc.toString())).isEqualTo(hlc);
        assertThatThrownBy(() -> ClockText.parseHybridTimestamp("17415")).hasMessageContaining("WALLMILLIS.LOGICAL");
    }
}
