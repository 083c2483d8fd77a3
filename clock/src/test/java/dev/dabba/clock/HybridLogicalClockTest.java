package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    private final AtomicLong wall = new AtomicLong(1_000_000L);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(wall.get());
        }
    };
    private final HybridLogicalClock hlc = new HybridLogicalClock(clock, Duration.ofSeconds(30));

    @Test
    void now_staysMonotone_whenWallClockStepsBack() {
        HybridTimestamp first = hlc.now();
        wall.addAndGet(-5_000);
        HybridTimestamp second = hlc.now();
        assertThat(second).isGreaterThan(first);
        assertThat(second.wallMillis()).isEqualTo(first.wallMillis());
    }

    @Test
    void update_movesPastRemote_withinMaxOffset() {
        HybridTimestamp remote = new HybridTimestamp(wall.get() + 1_000, 7);
        HybridTimestamp received = hlc.update(remote);
        assertThat(received).isGreaterThan(remote);
        assertThat(hlc.now()).isGreaterThan(received);
    }

    @Test
    void update_rejectsRemote_beyondMaxOffset() {
        HybridTimestamp remote = new HybridTimestamp(wall.get() + 60_000, 0);
        assertThatThrownBy(() -> hlc.update(remote))
                .isInstanceOf(ClockSkewException.class)
                .hasMessageContaining("maximum offset");
        assertThat(hlc.last()).isEqualTo(HybridTimestamp.ZERO);
    }

    @Test
    void now_advancesWallPart_whenLogicalCounterWouldOverflow() {
        HybridTimestamp remote = new HybridTimestamp(wall.get(), Integer.MAX_VALUE - 1);
        HybridTimestamp received = hlc.update(remote);
        assertThat(received.logical()).isEqualTo(Integer.MAX_VALUE);
        HybridTimestamp next = hlc.now();
        assertThat(next).isGreaterThan(received);
        assertThat(next).isEqualTo(new HybridTimestamp(wall.get() + 1, 0));
    }
}
