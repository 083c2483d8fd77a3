package dev.dabba.jobs;

import java.util.List;

/**
 * The names of the billing job's own metrics, registered on each operator subtask's metric group (Flink's
 * {@code getRuntimeContext().getMetricGroup()}), so every series is per operator and subtask.
 *
 * <p>With Flink's Prometheus reporter a metric {@code NAME} of an operator is exported as
 * {@code flink_taskmanager_job_task_operator_NAME} with labels {@code job_name}, {@code operator_name},
 * {@code subtask_index} and so on ({@link #prometheusName}); the Grafana dashboard and the alert rules in
 * {@code deploy/} use those names, and {@code ObservabilityConfigTest} checks them against this list.
 */
public final class JobMetrics {

    private JobMetrics() {
    }

    /** decode: inputs sent to the dead letters (malformed, unknown or too old epoch, null value). Counter. */
    public static final String DECODE_DEAD_LETTERS = "dabbaDecodeDeadLetters";
    /** decode: records held waiting for their epoch's announcement. Gauge. */
    public static final String DECODE_HELD = "dabbaDecodeHeldRecords";

    /** causal-buffer: records waiting for their causal past, held by this subtask. Gauge. */
    public static final String CAUSAL_BUFFER_RECORDS = "dabbaCausalBufferRecords";
    /** causal-buffer: records released incomplete, flagged (bounded wait expired, or a dependency lost). Counter. */
    public static final String RELEASED_INCOMPLETE = "dabbaReleasedIncomplete";
    /** causal-buffer: flagged records released again, complete, after their dependencies arrived. Counter. */
    public static final String RELEASED_RESOLVED = "dabbaReleasedResolved";

    /** bill: bill versions emitted (to the store and the bill-updates topic). Counter. */
    public static final String BILL_UPDATES = "dabbaBillUpdates";
    /** bill: bills that became FINAL at cycle close. Counter. */
    public static final String BILLS_FINALIZED = "dabbaBillsFinalized";
    /** bill: new versions of bills already FINAL (a late record revised a closed cycle). Counter. */
    public static final String BILL_REVISIONS = "dabbaBillRevisions";
    /** bill: records too late for their cycle (after the revision retention), dead-lettered. Counter. */
    public static final String TOO_LATE_RECORDS = "dabbaTooLateRecords";
    /**
     * bill: bills made from all of their records in the keyed state, because the bill was not among the running
     * bills in memory; every other version cost what its new records changed. Counter.
     */
    public static final String BILL_REBUILDS = "dabbaBillRebuilds";
    /** bill: records on the running bills this subtask holds in memory (at most {@code billCacheRecords}). Gauge. */
    public static final String BILL_CACHE_RECORDS = "dabbaBillCacheRecords";
    /** bill: cloned-SIM alerts raised. Counter. */
    public static final String CLONE_ALERTS = "dabbaCloneAlerts";
    /**
     * bill: end-to-end lag of the latest record to reach its bill, in milliseconds: the bill stage's processing
     * time minus the record's hybrid timestamp (stamped by the agent). Gauge.
     */
    public static final String END_TO_END_LAG_MS = "dabbaEndToEndLagMs";
    /** bill: the distribution of the end-to-end lag over the last 1,000 records, in milliseconds. Histogram. */
    public static final String END_TO_END_LAG_HISTOGRAM = "dabbaEndToEndLagMsHistogram";

    /** Every metric name above. */
    public static final List<String> ALL = List.of(DECODE_DEAD_LETTERS, DECODE_HELD, CAUSAL_BUFFER_RECORDS,
            RELEASED_INCOMPLETE, RELEASED_RESOLVED, BILL_UPDATES, BILLS_FINALIZED, BILL_REVISIONS, TOO_LATE_RECORDS,
            BILL_REBUILDS, BILL_CACHE_RECORDS, CLONE_ALERTS, END_TO_END_LAG_MS, END_TO_END_LAG_HISTOGRAM);

    /** The name under which Flink's Prometheus reporter exports the operator metric {@code name}. */
    public static String prometheusName(String name) {
        return "flink_taskmanager_job_task_operator_" + name;
    }
}
