package dev.dabba.agent.internal.handover;

import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.clock.NodeId;
import dev.dabba.record.Msisdn;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Holds back the records of a subscriber who is known to be arriving from another tower until that tower's clock
 * has been merged, so the subscriber's next record here happens after everything the previous tower stamped.
 *
 * <p>The radio network tells the target tower where a subscriber comes from (the handover request names the source
 * cell) before any usage there is reported, so the collector announces the arrival ({@code expect}); records of that
 * subscriber then wait, at most {@code arrivalWait}, for the merge. A merge that arrives before the announcement is
 * remembered for a while, so the announcement does not wait for it again. When the wait runs out the record is
 * stamped anyway (it is never dropped) and the timeout is counted: its clock then lacks the previous tower's
 * knowledge, and the stream job orders it by its hybrid timestamp against that tower's records.
 */
public final class ArrivalGate {

    private static final int MAX_REMEMBERED = 10_000;
    private static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(10);

    private record Expected(NodeId from, CompletableFuture<Void> merged) {
    }

    private record Key(Msisdn subscriber, NodeId from) {
    }

    private final Object lock = new Object();
    /** Announced arrivals; bounded: an announcement whose records and clock never come is forgotten eventually. */
    private final Map<Msisdn, Expected> expected = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Msisdn, Expected> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final Map<Key, Long> mergedEarly = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final LongSupplier nanoTime;
    private final Metrics.Counter timeouts;
    private final Metrics.Counter waits;

    public ArrivalGate(LongSupplier nanoTime, Metrics metrics) {
        this.nanoTime = nanoTime;
        this.timeouts = metrics.counter("dabba_agent_arrival_wait_timeouts_total",
                "Records stamped without the previous tower's clock because it did not arrive within "
                        + "handover.arrivalWait.");
        this.waits = metrics.counter("dabba_agent_arrival_waits_total",
                "Records that waited for an announced arrival's clock.");
        metrics.gauge("dabba_agent_arrivals_expected", "Subscribers announced as arriving whose clock has not come.",
                this::expectedCount);
    }

    /** {@code subscriber} is arriving from {@code from}: hold its records until {@code from}'s clock is merged. */
    public void expect(Msisdn subscriber, NodeId from) {
        synchronized (lock) {
            Long at = mergedEarly.remove(new Key(subscriber, from));
            if (at != null && nanoTime.getAsLong() - at < REMEMBER_NANOS) {
                return;
            }
            expected.put(subscriber, new Expected(from, new CompletableFuture<>()));
        }
    }

    /** A clock from {@code from} about {@code subscriber} was merged (and persisted). */
    public void merged(Msisdn subscriber, NodeId from) {
        CompletableFuture<Void> done = null;
        synchronized (lock) {
            Expected e = expected.get(subscriber);
            if (e != null && e.from().equals(from)) {
                expected.remove(subscriber);
                done = e.merged();
            } else {
                mergedEarly.put(new Key(subscriber, from), nanoTime.getAsLong());
            }
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Waits, at most {@code max}, until no arrival of {@code subscriber} is pending.
     *
     * @return false if the wait timed out (the arrival is then forgotten)
     */
    public boolean awaitClear(Msisdn subscriber, Duration max) {
        Expected e;
        synchronized (lock) {
            e = expected.get(subscriber);
        }
        if (e == null) {
            return true;
        }
        waits.increment();
        try {
            e.merged().get(max.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException ex) {
            synchronized (lock) {
                expected.remove(subscriber, e);
            }
            timeouts.increment();
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException ex) {
            return true;
        }
    }

    int expectedCount() {
        synchronized (lock) {
            return expected.size();
        }
    }
}
