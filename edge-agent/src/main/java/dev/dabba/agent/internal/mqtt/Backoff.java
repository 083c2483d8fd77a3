package dev.dabba.agent.internal.mqtt;

import dev.dabba.agent.AgentConfig.ReconnectSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for reconnecting: the n-th consecutive failure waits a random duration in
 * {@code [(1 - jitter) * d, d]} with {@code d = min(maxDelay, initialDelay * 2^n)}, so a thousand towers that lost
 * the same broker do not reconnect in lockstep. Not thread-safe.
 */
public final class Backoff {

    private final ReconnectSettings settings;
    private final DoubleSupplier random;
    private int failures;

    /** @param random uniform numbers in [0, 1) (injectable for tests) */
    public Backoff(ReconnectSettings settings, DoubleSupplier random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The delay before the next attempt, counting one more failure. */
    public Duration nextDelay() {
        long initial = settings.initialDelay().toMillis();
        long max = settings.maxDelay().toMillis();
        int shift = Math.min(failures, 30);
        long ceiling = initial > (max >> shift) ? max : Math.min(max, initial << shift);
        failures++;
        double factor = 1.0 - settings.jitter() * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, Math.round(ceiling * factor)));
    }

    /** Consecutive failures so far. */
    public int failures() {
        return failures;
    }

    /** A connection succeeded: start again from the initial delay. */
    public void reset() {
        failures = 0;
    }
}
