package dev.dabba.jobs;

import dev.dabba.billing.Tariff;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the billing job's behaviour depends on besides its sources and sinks; {@link #defaults()} are the
 * production values, each documented on its builder method and in {@code stream-jobs/README.md}.
 */
public final class JobSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Tariff tariff;
    private final TowerDirectory towers;
    private final Duration checkpointInterval;
    private final Duration maxCausalWait;
    private final Duration causalRecheck;
    private final Duration frontierInterval;
    private final Duration epochInterval;
    private final int epochHistory;
    private final Duration unknownEpochWait;
    private final int unknownEpochBuffer;
    private final Duration maxOutOfOrderness;
    private final Duration sourceIdleness;
    private final Duration grace;
    private final Duration revisionRetention;
    private final Duration incompleteRetention;
    private final int maxLostRanges;
    private final double cloneDistanceKm;
    private final Duration cloneSlack;
    private final boolean causalBuffering;
    private final Duration billEmitInterval;
    private final int billCacheRecords;
    private final Duration networkBufferTimeout;

    private JobSettings(Builder b) {
        this.tariff = Objects.requireNonNull(b.tariff, "tariff");
        this.towers = Objects.requireNonNull(b.towers, "towers");
        this.checkpointInterval = positive(b.checkpointInterval, "checkpointInterval");
        this.maxCausalWait = positive(b.maxCausalWait, "maxCausalWait");
        this.causalRecheck = positive(b.causalRecheck, "causalRecheck");
        this.frontierInterval = positive(b.frontierInterval, "frontierInterval");
        this.epochInterval = positive(b.epochInterval, "epochInterval");
        this.epochHistory = atLeast(b.epochHistory, 2, "epochHistory");
        this.unknownEpochWait = positive(b.unknownEpochWait, "unknownEpochWait");
        this.unknownEpochBuffer = atLeast(b.unknownEpochBuffer, 1, "unknownEpochBuffer");
        this.maxOutOfOrderness = nonNegative(b.maxOutOfOrderness, "maxOutOfOrderness");
        this.sourceIdleness = positive(b.sourceIdleness, "sourceIdleness");
        this.grace = nonNegative(b.grace, "grace");
        this.revisionRetention = positive(b.revisionRetention, "revisionRetention");
        this.incompleteRetention = positive(b.incompleteRetention, "incompleteRetention");
        this.maxLostRanges = atLeast(b.maxLostRanges, 1, "maxLostRanges");
        if (!(b.cloneDistanceKm > 0) || Double.isInfinite(b.cloneDistanceKm)) {
            throw new IllegalArgumentException("cloneDistanceKm must be a positive number, was " + b.cloneDistanceKm);
        }
        this.cloneDistanceKm = b.cloneDistanceKm;
        this.cloneSlack = nonNegative(b.cloneSlack, "cloneSlack");
        this.causalBuffering = b.causalBuffering;
        this.billEmitInterval = nonNegative(b.billEmitInterval, "billEmitInterval");
        this.billCacheRecords = atLeast(b.billCacheRecords, 0, "billCacheRecords");
        this.networkBufferTimeout = nonNegative(b.networkBufferTimeout, "networkBufferTimeout");
        if (causalRecheck.compareTo(maxCausalWait) > 0) {
            throw new IllegalArgumentException("causalRecheck (" + causalRecheck + ") must not exceed maxCausalWait ("
                    + maxCausalWait + ")");
        }
    }

    /** The production defaults with the seed tariff and the seed's four Mumbai towers. */
    public static JobSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tariff = tariff;
        b.towers = towers;
        b.checkpointInterval = checkpointInterval;
        b.maxCausalWait = maxCausalWait;
        b.causalRecheck = causalRecheck;
        b.frontierInterval = frontierInterval;
        b.epochInterval = epochInterval;
        b.epochHistory = epochHistory;
        b.unknownEpochWait = unknownEpochWait;
        b.unknownEpochBuffer = unknownEpochBuffer;
        b.maxOutOfOrderness = maxOutOfOrderness;
        b.sourceIdleness = sourceIdleness;
        b.grace = grace;
        b.revisionRetention = revisionRetention;
        b.incompleteRetention = incompleteRetention;
        b.maxLostRanges = maxLostRanges;
        b.cloneDistanceKm = cloneDistanceKm;
        b.cloneSlack = cloneSlack;
        b.causalBuffering = causalBuffering;
        b.billEmitInterval = billEmitInterval;
        b.billCacheRecords = billCacheRecords;
        b.networkBufferTimeout = networkBufferTimeout;
        return b;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    private static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        return d;
    }

    private static int atLeast(int v, int min, String name) {
        if (v < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + v);
        }
        return v;
    }

    public Tariff tariff() {
        return tariff;
    }

    public TowerDirectory towers() {
        return towers;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration maxCausalWait() {
        return maxCausalWait;
    }

    public Duration causalRecheck() {
        return causalRecheck;
    }

    public Duration frontierInterval() {
        return frontierInterval;
    }

    public Duration epochInterval() {
        return epochInterval;
    }

    public int epochHistory() {
        return epochHistory;
    }

    public Duration unknownEpochWait() {
        return unknownEpochWait;
    }

    public int unknownEpochBuffer() {
        return unknownEpochBuffer;
    }

    public Duration maxOutOfOrderness() {
        return maxOutOfOrderness;
    }

    public Duration sourceIdleness() {
        return sourceIdleness;
    }

    public Duration grace() {
        return grace;
    }

    public Duration revisionRetention() {
        return revisionRetention;
    }

    public Duration incompleteRetention() {
        return incompleteRetention;
    }

    public int maxLostRanges() {
        return maxLostRanges;
    }

    public double cloneDistanceKm() {
        return cloneDistanceKm;
    }

    public Duration cloneSlack() {
        return cloneSlack;
    }

    /** False only for the benchmark's baseline: records go to the bills as they come, without the causal buffer. */
    public boolean causalBuffering() {
        return causalBuffering;
    }

    /** Changes to a bill within this interval become one version (0: a version per change). */
    public Duration billEmitInterval() {
        return billEmitInterval;
    }

    /**
     * How many records the bill operator keeps in memory, per subtask, as running bills of the subscribers it billed
     * last (0: every version is recomputed from the keyed state).
     */
    public int billCacheRecords() {
        return billCacheRecords;
    }

    /**
     * The longest a record waits in a network buffer between two operators before the buffer is sent anyway (Flink's
     * buffer timeout; 0 sends after every record).
     */
    public Duration networkBufferTimeout() {
        return networkBufferTimeout;
    }

    /** Builds {@link JobSettings}; every value starts at its production default. */
    public static final class Builder {
        private Tariff tariff = Tariff.seedDefault();
        private TowerDirectory towers = TowerDirectory.seedTowers();
        private Duration checkpointInterval = Duration.ofSeconds(10);
        private Duration maxCausalWait = Duration.ofSeconds(30);
        private Duration causalRecheck = Duration.ofMillis(25);
        private Duration frontierInterval = Duration.ofMillis(20);
        private Duration epochInterval = Duration.ofSeconds(30);
        private int epochHistory = 1024;
        private Duration unknownEpochWait = Duration.ofMinutes(5);
        private int unknownEpochBuffer = 100_000;
        private Duration maxOutOfOrderness = Duration.ofMinutes(1);
        private Duration sourceIdleness = Duration.ofSeconds(30);
        private Duration grace = Duration.ofDays(1);
        private Duration revisionRetention = Duration.ofDays(40);
        private Duration incompleteRetention = Duration.ofDays(1);
        private int maxLostRanges = 1024;
        private double cloneDistanceKm = 10.0;
        private Duration cloneSlack = Duration.ofMinutes(2);
        private boolean causalBuffering = true;
        private Duration billEmitInterval = Duration.ofMillis(200);
        private int billCacheRecords = 100_000;
        private Duration networkBufferTimeout = Duration.ofMillis(10);

        private Builder() {
        }

        /** The plan bills are rated with (default: the seed plan). */
        public Builder tariff(Tariff v) {
            tariff = v;
            return this;
        }

        /** Tower coordinates for cloned-SIM alerts (default: the seed's four Mumbai towers). */
        public Builder towers(TowerDirectory v) {
            towers = v;
            return this;
        }

        /** How often state is checkpointed, and so how often epochs are committed (default 10 s). */
        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        /** How long a record waits for its causal dependencies before it is billed with a flag (default 30 s). */
        public Builder maxCausalWait(Duration v) {
            maxCausalWait = v;
            return this;
        }

        /**
         * How often waiting records are checked against the frontier at first (default 25 ms); less often while what
         * they wait for stays missing, up to every 32 times this.
         */
        public Builder causalRecheck(Duration v) {
            causalRecheck = v;
            return this;
        }

        /**
         * How long a node's frontier advances are coalesced (default 20 ms): growth after a quiet interval is
         * broadcast at once, growth within an interval at its end.
         */
        public Builder frontierInterval(Duration v) {
            frontierInterval = v;
            return this;
        }

        /** How often the epoch authority announces an epoch when the frontier moved (default 30 s). */
        public Builder epochInterval(Duration v) {
            epochInterval = v;
            return this;
        }

        /** How many recent epochs decoding keeps (default 1024). */
        public Builder epochHistory(int v) {
            epochHistory = v;
            return this;
        }

        /** How long a record of a not-yet-known epoch is held before it is dead-lettered (default 5 min). */
        public Builder unknownEpochWait(Duration v) {
            unknownEpochWait = v;
            return this;
        }

        /** How many records of unknown epochs one decoder holds at most (default 100,000). */
        public Builder unknownEpochBuffer(int v) {
            unknownEpochBuffer = v;
            return this;
        }

        /** How far behind the newest hybrid timestamp the event-time watermark trails (default 1 min). */
        public Builder maxOutOfOrderness(Duration v) {
            maxOutOfOrderness = v;
            return this;
        }

        /** After how long without records a decoder stops holding back the watermark (default 30 s). */
        public Builder sourceIdleness(Duration v) {
            sourceIdleness = v;
            return this;
        }

        /** How long after its cycle closes (event time) a bill becomes FINAL (default 1 day). */
        public Builder grace(Duration v) {
            grace = v;
            return this;
        }

        /** How long after its cycle closes a bill can still be revised by late records (default 40 days). */
        public Builder revisionRetention(Duration v) {
            revisionRetention = v;
            return this;
        }

        /** How long a record billed incomplete is watched for its dependencies to arrive (default 1 day). */
        public Builder incompleteRetention(Duration v) {
            incompleteRetention = v;
            return this;
        }

        /** How many given-up gaps a node's frontier remembers (default 1024). */
        public Builder maxLostRanges(int v) {
            maxLostRanges = v;
            return this;
        }

        /** The distance between towers above which concurrent usage is a cloned-SIM suspect (default 10 km). */
        public Builder cloneDistanceKm(double v) {
            cloneDistanceKm = v;
            return this;
        }

        /** Tolerance added around usage intervals when testing overlap, for tower clock skew (default 2 min). */
        public Builder cloneSlack(Duration v) {
            cloneSlack = v;
            return this;
        }

        /** Whether records wait for their causal dependencies (default true; false only for a baseline). */
        public Builder causalBuffering(boolean v) {
            causalBuffering = v;
            return this;
        }

        /**
         * A bill's first change after a quiet interval is emitted at once, and the changes within this
         * processing-time interval after it as one version at its end (default 200 ms; 0 emits a version per change):
         * under load, a subscriber's burst of records costs two store writes, and a lone record waits for no timer.
         */
        public Builder billEmitInterval(Duration v) {
            billEmitInterval = v;
            return this;
        }

        /**
         * How many records the bill operator keeps in memory per subtask as running bills (default 100,000: 30-45 MB
         * beside the records, measured at 300-450 bytes a record; 0 turns the cache off). A new record of a cached
         * bill is put into its causal order without sorting the whole bill again; a bill not in the cache is computed
         * from all of its records in the keyed state, and cached. The least recently billed go first when the cache
         * is full.
         */
        public Builder billCacheRecords(int v) {
            billCacheRecords = v;
            return this;
        }

        /**
         * The longest a record waits in a network buffer before it is sent (default 10 ms; Flink's own default is
         * 100 ms). A record crosses four exchanges on its way to a bill, so at low rates, where buffers do not fill,
         * Flink's default added up to 0.4 s; under load buffers fill and go out long before either timeout.
         */
        public Builder networkBufferTimeout(Duration v) {
            networkBufferTimeout = v;
            return this;
        }

        public JobSettings build() {
            return new JobSettings(this);
        }
    }
}
