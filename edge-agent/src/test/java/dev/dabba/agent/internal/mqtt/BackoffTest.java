package dev.dabba.agent.internal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.agent.AgentConfig.ReconnectSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final ReconnectSettings SETTINGS = new ReconnectSettings(Duration.ofSeconds(1),
            Duration.ofSeconds(30), 0.5);

    @Test
    void nextDelay_doublesUpToTheCap_withoutJitterAtItsTop() {
        Backoff backoff = new Backoff(SETTINGS, () -> 0.0);
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void nextDelay_takesOffAtMostTheJitterFraction() {
        Backoff low = new Backoff(SETTINGS, () -> 0.999_999);
        assertThat(low.nextDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(low.nextDelay()).isEqualTo(Duration.ofMillis(1000));
        Backoff mid = new Backoff(SETTINGS, () -> 0.5);
        mid.nextDelay();
        mid.nextDelay();
        assertThat(mid.nextDelay()).isEqualTo(Duration.ofMillis(3000));
    }

    @Test
    void reset_startsAgainFromTheInitialDelay() {
        Backoff backoff = new Backoff(SETTINGS, () -> 0.0);
        backoff.nextDelay();
        backoff.nextDelay();
        backoff.nextDelay();
        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    }
}
