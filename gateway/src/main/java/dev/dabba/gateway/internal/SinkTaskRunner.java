package dev.dabba.gateway.internal;

import dev.dabba.gateway.BatchTranslator;
import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.gateway.connect.EpochSinkTask;
import dev.dabba.record.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link EpochSinkTask} the way a Connect worker does, without the worker: a consumer in its own group,
 * {@code open}/{@code close} on rebalances, {@code put} with the records as bytes, retries of a batch after a
 * {@link RetriableException}, offsets committed after {@code preCommit}, rewinds the task asks for, and an errant
 * record reporter that writes Dabba dead letters ({@code dabba.dlq.*} headers).
 */
public final class SinkTaskRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkTaskRunner.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final String name;
    private final String topic;
    private final String deadLetterTopic;
    private final EpochSinkTask task;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Object> producerProps;
    private final Map<TopicPartition, Long> seeks = new ConcurrentHashMap<>();
    private final Thread thread;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private volatile boolean running = true;

    /**
     * Starts the task in the calling thread (so errors surface to the caller) and consumes on a thread of its own.
     *
     * @param kafkaProps Kafka client properties (bootstrap servers, security)
     */
    public SinkTaskRunner(String name, String topic, String groupId, String deadLetterTopic,
            Map<String, String> taskProps, Map<String, Object> kafkaProps, EpochSinkTask task,
            PluginMetrics pluginMetrics) {
        this.name = Objects.requireNonNull(name, "name");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        this.task = Objects.requireNonNull(task, "task");
        Map<String, Object> c = new HashMap<>(kafkaProps);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Epochs are written in Kafka transactions by the job's authority; an aborted one (a failover) must never
        // reach agents, because the same epoch number is then announced again with other contents.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producerProps = new HashMap<>(kafkaProps);
        this.producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, name + "-dlq");
        try {
            task.initialize(new Context(taskProps, pluginMetrics));
            task.start(taskProps);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    task.close(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    task.open(partitions);
                    applySeeks();
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                applySeeks();
                if (records.isEmpty()) {
                    continue;
                }
                List<SinkRecord> batch = new ArrayList<>(records.count());
                Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    batch.add(new SinkRecord(r.topic(), r.partition(), Schema.OPTIONAL_BYTES_SCHEMA, r.key(),
                            Schema.OPTIONAL_BYTES_SCHEMA, r.value(), r.offset(), r.timestamp(), r.timestampType()));
                    next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (!putWithRetries(batch)) {
                    break;
                }
                if (deadLetters != null) {
                    deadLetters.flush();
                }
                Map<TopicPartition, OffsetAndMetadata> commit = task.preCommit(next);
                if (!commit.isEmpty() && seeks.isEmpty()) {
                    consumer.commitSync(commit);
                }
                applySeeks();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("{} failed; epoch announcements are not relayed until the gateway restarts", name, e);
        }
    }

    private boolean putWithRetries(List<SinkRecord> batch) {
        while (running) {
            try {
                task.put(batch);
                return true;
            } catch (RetriableException e) {
                LOG.warn("{} will retry: {}", name, e.getMessage());
                try {
                    Thread.sleep(RETRY_BACKOFF.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private void applySeeks() {
        if (seeks.isEmpty()) {
            return;
        }
        Set<TopicPartition> assigned = consumer.assignment();
        for (Map.Entry<TopicPartition, Long> e : Map.copyOf(seeks).entrySet()) {
            if (assigned.contains(e.getKey())) {
                consumer.seek(e.getKey(), e.getValue());
            }
            seeks.remove(e.getKey());
        }
    }

    private Future<Void> deadLetter(SinkRecord r, Throwable error) {
        if (deadLetters == null) {
            deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaTopics.HEADER_DLQ_REASON, utf8(error.getMessage()));
        headers.add(KafkaTopics.HEADER_DLQ_SOURCE, utf8("kafka:" + r.topic() + "/" + r.kafkaPartition() + "@"
                + r.kafkaOffset()));
        headers.add(KafkaTopics.HEADER_DLQ_STAGE, utf8(BatchTranslator.STAGE));
        CompletableFuture<Void> written = new CompletableFuture<>();
        deadLetters.send(new ProducerRecord<>(deadLetterTopic, null, r.timestamp(), (byte[]) r.key(),
                (byte[]) r.value(), headers), (metadata, e) -> {
                    if (e == null) {
                        written.complete(null);
                    } else {
                        written.completeExceptionally(e);
                    }
                });
        return written;
    }

    private static byte[] utf8(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }

    /** The task's counters. */
    public GatewayMetrics.Snapshot metrics() {
        return task.metrics().snapshot();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            task.stop();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(10));
            }
        }
    }

    private final class Context implements SinkTaskContext {
        private final Map<String, String> configs;
        private final PluginMetrics metrics;

        Context(Map<String, String> configs, PluginMetrics metrics) {
            this.configs = configs;
            this.metrics = metrics;
        }

        @Override
        public Map<String, String> configs() {
            return configs;
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
            seeks.putAll(offsets);
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
            seeks.put(tp, offset);
        }

        @Override
        public void timeout(long timeoutMs) {
        }

        @Override
        public Set<TopicPartition> assignment() {
            return consumer.assignment();
        }

        @Override
        public void pause(TopicPartition... partitions) {
            consumer.pause(List.of(partitions));
        }

        @Override
        public void resume(TopicPartition... partitions) {
            consumer.resume(List.of(partitions));
        }

        @Override
        public void requestCommit() {
        }

        @Override
        public ErrantRecordReporter errantRecordReporter() {
            return SinkTaskRunner.this::deadLetter;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return metrics;
        }
    }
}
