package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.billing.Tariff;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The billing job: Kafka records in, bills out.
 *
 * <pre>
 * source -> decode (bad bytes -> dead letters) -> dedupe by event id -> bill per subscriber and cycle
 *        (causal order, rating) -> report store
 * </pre>
 *
 * <p>Source and sinks are injected, so tests run the same graph on other ends; {@link #build} adds the graph to an
 * environment and {@link BillingJobMain} is the thin entry point for a cluster.
 */
public final class BillingJob {

    /** Default name of the job on a cluster. */
    public static final String NAME = "dabba-billing";

    private final Source<KafkaInput, ?, ?> source;
    private final Sink<Bill> billSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final Tariff tariff;
    private final Duration dedupeRetention;

    public BillingJob(Source<KafkaInput, ?, ?> source, Sink<Bill> billSink, Sink<DeadLetter> deadLetterSink,
            Tariff tariff, Duration dedupeRetention) {
        this.source = Objects.requireNonNull(source, "source");
        this.billSink = Objects.requireNonNull(billSink, "billSink");
        this.deadLetterSink = Objects.requireNonNull(deadLetterSink, "deadLetterSink");
        this.tariff = Objects.requireNonNull(tariff, "tariff");
        this.dedupeRetention = Objects.requireNonNull(dedupeRetention, "dedupeRetention");
    }

    /** Adds the job's graph to {@code env}, with checkpointing on; call {@code env.execute} after. */
    public void build(StreamExecutionEnvironment env, Duration checkpointInterval) {
        env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);

        SingleOutputStreamOperator<UsageRecord> decoded = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-records")
                .uid("kafka-records")
                .process(new DecodeFunction(), SerializerTypeInfo.USAGE_RECORD)
                .uid("decode")
                .name("decode");

        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DecodeFunction.DEAD_LETTERS);
        deadLetters.sinkTo(deadLetterSink).uid("dead-letter-sink").name("dead-letter-sink");

        decoded
                .keyBy(r -> r.id().toString())
                .process(new DedupeFunction(dedupeRetention), SerializerTypeInfo.USAGE_RECORD)
                .uid("dedupe")
                .name("dedupe by event id")
                .keyBy(new SubscriberCycleKey())
                .process(new SubscriberBillFunction(tariff), SerializerTypeInfo.BILL)
                .uid("bill")
                .name("causal order and bill")
                .sinkTo(billSink)
                .uid("bill-store-sink")
                .name("bill-store-sink");
    }

    /** A Kafka source reading {@code topic} from the committed offsets of {@code groupId}, earliest when none. */
    public static KafkaSource<KafkaInput> kafkaSource(String bootstrapServers, String topic, String groupId) {
        return KafkaSource.<KafkaInput>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaInputDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /** A Kafka sink for dead letters on the standard dead-letter topic. */
    public static KafkaSink<DeadLetter> deadLetterSink(String bootstrapServers) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(KafkaTopics.DEAD_LETTERS))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
