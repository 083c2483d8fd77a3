package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.clock.Epoch;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.UsageRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The billing job: Kafka records in; bills, bill updates, epochs, alerts and dead letters out.
 *
 * <pre>
 * kafka-records --+-> decode (epochs: broadcast state) --> event time (HLC) --> frontier and dedupe (key: node)
 * kafka-epochs ---+        \-> dead letters                                      |        \-> frontier advances
 *                                                                                |             |        |
 *            causal buffer (key: subscriber; frontier broadcast) <--------------+-------------+        |
 *              --> bill (key: subscriber|cycle) --> report store, bill updates   epoch authority (one) <-+
 *                    \-> cloned-SIM alerts, too-late records (dead letters)       --> epochs (exactly once)
 * </pre>
 *
 * <p>Sources and sinks are injected ({@link Builder}), so tests run the same graph on other ends;
 * {@link #build} adds the graph to an environment; {@link BillingJobMain} is the thin entry point for a cluster and
 * {@link #kafka} wires the production Kafka ends.
 */
public final class BillingJob {

    /** Default name of the job on a cluster. */
    public static final String NAME = "dabba-billing";

    private final Source<KafkaInput, ?, ?> records;
    private final Source<byte[], ?, ?> epochs;
    private final Sink<Bill> billStore;
    private final Sink<BillUpdate> billUpdates;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<Epoch> epochSink;
    private final Sink<CloneAlert> alerts;
    private final Epoch bootstrapEpoch;
    private final JobSettings settings;

    private BillingJob(Builder b) {
        this.records = Objects.requireNonNull(b.records, "records source");
        this.epochs = Objects.requireNonNull(b.epochs, "epochs source");
        this.billStore = Objects.requireNonNull(b.billStore, "bill store sink");
        this.billUpdates = b.billUpdates == null ? new DiscardingSink<>() : b.billUpdates;
        this.deadLetters = Objects.requireNonNull(b.deadLetters, "dead-letter sink");
        this.epochSink = Objects.requireNonNull(b.epochSink, "epochs sink");
        this.alerts = b.alerts == null ? new DiscardingSink<>() : b.alerts;
        this.bootstrapEpoch = Objects.requireNonNull(b.bootstrapEpoch, "bootstrap epoch");
        this.settings = Objects.requireNonNull(b.settings, "settings");
    }

    /** A job reading {@code records} and {@code epochs}; set the sinks on the builder. */
    public static Builder builder(Source<KafkaInput, ?, ?> records, Source<byte[], ?, ?> epochs) {
        return new Builder(records, epochs);
    }

    /**
     * The production wiring on one Kafka cluster: records and epochs topics in; epochs (exactly once), bill updates,
     * alerts and dead letters out; bills into {@code billStore}. Starts from {@code bootstrapEpoch} when without
     * state ({@link EpochBootstrap#latest}).
     */
    public static BillingJob kafka(String bootstrapServers, String groupId, Sink<Bill> billStore,
            Epoch bootstrapEpoch, JobSettings settings) {
        return kafka(bootstrapServers, Map.of(), groupId, billStore, bootstrapEpoch, settings);
    }

    /**
     * As {@link #kafka(String, String, Sink, Epoch, JobSettings)}, with {@code clientProperties} (such as
     * {@code security.protocol}, {@code sasl.*}, {@code ssl.*}) given to every Kafka source and sink of the job.
     */
    public static BillingJob kafka(String bootstrapServers, Map<String, String> clientProperties, String groupId,
            Sink<Bill> billStore, Epoch bootstrapEpoch, JobSettings settings) {
        Map<String, String> c = Map.copyOf(clientProperties);
        return builder(kafkaSource(bootstrapServers, c, KafkaTopics.RECORDS, groupId),
                epochSource(bootstrapServers, c, KafkaTopics.EPOCHS, groupId + "-epochs"))
                .billStore(billStore)
                .billUpdates(kafkaSink(bootstrapServers, c, new JsonSerializers.BillUpdates(KafkaTopics.BILL_UPDATES)))
                .alerts(kafkaSink(bootstrapServers, c, new JsonSerializers.Alerts(KafkaTopics.ALERTS)))
                .deadLetters(kafkaSink(bootstrapServers, c, new DeadLetterSerializer(KafkaTopics.DEAD_LETTERS)))
                .epochSink(epochSink(bootstrapServers, c, KafkaTopics.EPOCHS, groupId))
                .bootstrapEpoch(bootstrapEpoch)
                .settings(settings)
                .build();
    }

    private static Properties properties(Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        return p;
    }

    /** The settings the graph is built with. */
    public JobSettings settings() {
        return settings;
    }

    /**
     * Adds the job's graph to {@code env}, with exactly-once checkpointing every {@link JobSettings#checkpointInterval},
     * the network buffer timeout of {@link JobSettings#networkBufferTimeout} and generic (Kryo) serialization switched
     * off; call {@code env.execute} after.
     */
    public void build(StreamExecutionEnvironment env) {
        env.enableCheckpointing(settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setBufferTimeout(settings.networkBufferTimeout().toMillis());
        Configuration noKryo = new Configuration();
        noKryo.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(noKryo);

        DataStream<byte[]> announcements = env
                .fromSource(epochs, WatermarkStrategy.noWatermarks(), "kafka-epochs",
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .uid("kafka-epochs");

        SingleOutputStreamOperator<UsageRecord> decoded = env
                .fromSource(records, WatermarkStrategy.noWatermarks(), "kafka-records", SerializerTypeInfo.KAFKA_INPUT)
                .uid("kafka-records")
                .connect(announcements.broadcast(DecodeFunction.EPOCHS))
                .process(new DecodeFunction(settings.epochHistory(), settings.unknownEpochWait(),
                        settings.unknownEpochBuffer()), SerializerTypeInfo.USAGE_RECORD)
                .uid("decode")
                .name("decode (epochs broadcast)");
        DataStream<DeadLetter> undecodable = decoded.getSideOutput(DecodeFunction.DEAD_LETTERS);

        SingleOutputStreamOperator<UsageRecord> timed = decoded
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<UsageRecord>forBoundedOutOfOrderness(settings.maxOutOfOrderness())
                        .withTimestampAssigner((r, previous) -> r.hlc().wallMillis())
                        .withIdleness(settings.sourceIdleness()))
                .uid("event-time")
                .name("event time from HLC");

        SingleOutputStreamOperator<UsageRecord> unique = timed
                .keyBy(r -> r.origin().value())
                .process(new NodeFrontierFunction(settings.frontierInterval(), settings.maxCausalWait(),
                        settings.maxLostRanges()), SerializerTypeInfo.USAGE_RECORD)
                .uid("frontier")
                .name("dedupe and causal frontier (key: node)");
        DataStream<FrontierAdvance> advances = unique.getSideOutput(NodeFrontierFunction.ADVANCES);

        advances
                .keyBy(a -> EpochAuthorityFunction.KEY)
                .process(new EpochAuthorityFunction(settings.epochInterval(), bootstrapEpoch), SerializerTypeInfo.EPOCH)
                .uid("epoch-authority")
                .name("epoch authority")
                .setParallelism(1)
                .sinkTo(epochSink)
                .uid("epochs-sink")
                .name("epochs-sink")
                .setParallelism(1);

        DataStream<ReleasedRecord> released;
        if (settings.causalBuffering()) {
            released = unique
                    .keyBy(r -> r.subscriber().value())
                    .connect(advances.broadcast(CausalBufferFunction.FRONTIER, CausalBufferFunction.LOST_NODES))
                    .process(new CausalBufferFunction(settings.maxCausalWait(), settings.causalRecheck(),
                            settings.incompleteRetention()), SerializerTypeInfo.RELEASED_RECORD)
                    .uid("causal-buffer")
                    .name("causal buffer (key: subscriber)");
        } else {
            released = unique
                    .map(ReleasedRecord::complete, SerializerTypeInfo.RELEASED_RECORD)
                    .uid("no-causal-buffer")
                    .name("no causal buffer (baseline)");
        }

        SingleOutputStreamOperator<Bill> bills = released
                .keyBy(new SubscriberCycleKey())
                .process(new SubscriberBillFunction(settings.tariff(), new CloneDetector(settings.towers(),
                        settings.cloneDistanceKm(), settings.cloneSlack()), settings.grace(),
                        settings.revisionRetention(), settings.billEmitInterval(), settings.billCacheRecords()),
                        SerializerTypeInfo.BILL)
                .uid("bill")
                .name("bill (key: subscriber|cycle)");
        bills.sinkTo(billStore).uid("bill-store-sink").name("bill-store-sink");
        bills.getSideOutput(SubscriberBillFunction.UPDATES).sinkTo(billUpdates).uid("bill-updates-sink")
                .name("bill-updates-sink");
        bills.getSideOutput(SubscriberBillFunction.ALERTS).sinkTo(alerts).uid("alerts-sink").name("alerts-sink");
        undecodable.union(bills.getSideOutput(SubscriberBillFunction.TOO_LATE))
                .sinkTo(deadLetters).uid("dead-letter-sink").name("dead-letter-sink");
    }

    /** A Kafka source reading {@code topic} from the committed offsets of {@code groupId}, earliest when none. */
    public static KafkaSource<KafkaInput> kafkaSource(String bootstrapServers, String topic, String groupId) {
        return kafkaSource(bootstrapServers, Map.of(), topic, groupId);
    }

    static KafkaSource<KafkaInput> kafkaSource(String bootstrapServers, Map<String, String> clientProperties,
            String topic, String groupId) {
        return KafkaSource.<KafkaInput>builder()
                .setProperties(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaInputDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /** The epochs topic from the beginning (read committed: only epochs whose checkpoint completed). */
    public static KafkaSource<byte[]> epochSource(String bootstrapServers, String topic, String groupId) {
        return epochSource(bootstrapServers, Map.of(), topic, groupId);
    }

    static KafkaSource<byte[]> epochSource(String bootstrapServers, Map<String, String> clientProperties,
            String topic, String groupId) {
        return KafkaSource.<byte[]>builder()
                .setProperties(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new EpochAnnouncementDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /** A Kafka sink for dead letters on the standard dead-letter topic. */
    public static KafkaSink<DeadLetter> deadLetterSink(String bootstrapServers) {
        return kafkaSink(bootstrapServers, new DeadLetterSerializer(KafkaTopics.DEAD_LETTERS));
    }

    /**
     * The exactly-once sink of epoch announcements: its transactions commit with the checkpoint that holds the
     * authority's state, so no reader (read committed) sees an epoch number that a restore will announce again.
     */
    public static KafkaSink<Epoch> epochSink(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return epochSink(bootstrapServers, Map.of(), topic, transactionalIdPrefix);
    }

    static KafkaSink<Epoch> epochSink(String bootstrapServers, Map<String, String> clientProperties, String topic,
            String transactionalIdPrefix) {
        return KafkaSink.<Epoch>builder()
                .setKafkaProducerConfig(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new JsonSerializers.Epochs(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-epochs")
                .setProperty("transaction.timeout.ms", Long.toString(Duration.ofMinutes(15).toMillis()))
                .build();
    }

    /**
     * An at-least-once Kafka sink: bill updates and alerts are idempotent for their readers (versions, alert ids),
     * and waiting for a checkpoint to commit them would add its interval to their latency.
     */
    static <T> KafkaSink<T> kafkaSink(String bootstrapServers, KafkaRecordSerializationSchema<T> serializer) {
        return kafkaSink(bootstrapServers, Map.of(), serializer);
    }

    static <T> KafkaSink<T> kafkaSink(String bootstrapServers, Map<String, String> clientProperties,
            KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setProperty("linger.ms", "5")
                .build();
    }

    /** Builds a {@link BillingJob}; the store, dead-letter and epochs sinks are required. */
    public static final class Builder {
        private final Source<KafkaInput, ?, ?> records;
        private final Source<byte[], ?, ?> epochs;
        private Sink<Bill> billStore;
        private Sink<BillUpdate> billUpdates;
        private Sink<DeadLetter> deadLetters;
        private Sink<Epoch> epochSink;
        private Sink<CloneAlert> alerts;
        private Epoch bootstrapEpoch = Epoch.GENESIS;
        private JobSettings settings = JobSettings.defaults();

        private Builder(Source<KafkaInput, ?, ?> records, Source<byte[], ?, ?> epochs) {
            this.records = records;
            this.epochs = epochs;
        }

        /** Where bills go (the report store). */
        public Builder billStore(Sink<Bill> v) {
            billStore = v;
            return this;
        }

        /** Where bill versions are published (optional). */
        public Builder billUpdates(Sink<BillUpdate> v) {
            billUpdates = v;
            return this;
        }

        /** Where undecodable and too-late input goes. */
        public Builder deadLetters(Sink<DeadLetter> v) {
            deadLetters = v;
            return this;
        }

        /** Where epoch announcements go; exactly once in production ({@link #epochSink(String, String, String)}). */
        public Builder epochSink(Sink<Epoch> v) {
            epochSink = v;
            return this;
        }

        /** Where cloned-SIM alerts go (optional). */
        public Builder alerts(Sink<CloneAlert> v) {
            alerts = v;
            return this;
        }

        /** The last epoch announced before this job (by a previous run), used when starting without state. */
        public Builder bootstrapEpoch(Epoch v) {
            bootstrapEpoch = v;
            return this;
        }

        public Builder settings(JobSettings v) {
            settings = v;
            return this;
        }

        public BillingJob build() {
            return new BillingJob(this);
        }
    }
}
