package dev.dabba.record;

/** The Kafka topic names shared by the gateway, the stream job and the tools (see {@code docs/architecture.md}). */
public final class KafkaTopics {

    /** One usage record per Kafka record, keyed by the subscriber's MSISDN. */
    public static final String RECORDS = "dabba.records";
    /** Everything rejected anywhere in the pipeline, with headers saying why. */
    public static final String DEAD_LETTERS = "dabba.dead-letters";
    /** Bill versions as the stream job produces them, keyed by subscriber. */
    public static final String BILL_UPDATES = "dabba.bill-updates";
    /** Epoch announcements (compacted), written by the stream job's epoch authority in Kafka transactions. */
    public static final String EPOCHS = "dabba.epochs";
    /** Cloned-SIM alerts from the stream job: JSON, keyed by subscriber. */
    public static final String ALERTS = "dabba.alerts";

    /** Header carrying the record's event id ({@code NODE#SEQUENCE}). */
    public static final String HEADER_EVENT_ID = "dabba.event-id";
    /** Header carrying the node that stamped the record. */
    public static final String HEADER_ORIGIN = "dabba.origin";
    /** Dead-letter header: why the input was rejected. */
    public static final String HEADER_DLQ_REASON = "dabba.dlq.reason";
    /** Dead-letter header: where the input came from (an MQTT topic or a Kafka topic). */
    public static final String HEADER_DLQ_SOURCE = "dabba.dlq.source";
    /** Dead-letter header: the stage that rejected it (gateway, stream-job). */
    public static final String HEADER_DLQ_STAGE = "dabba.dlq.stage";
    /** Header of a record replayed from the dead letters: the dead letter's topic, partition and offset. */
    public static final String HEADER_REPLAYED_FROM = "dabba.replayed-from";

    private KafkaTopics() {
    }
}
