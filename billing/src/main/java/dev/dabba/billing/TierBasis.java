package dev.dabba.billing;

/** What a rate's tier thresholds count: the usage within one record, or the subscriber's usage in the cycle. */
public enum TierBasis {
    /** Thresholds are offsets into each record: "the first 60 s of every call at one price, then another". */
    RECORD,
    /**
     * Thresholds count the service's usage in the cycle so far, in causal order: "the first 10 GiB of the month at
     * one price, then another".
     */
    CYCLE
}
