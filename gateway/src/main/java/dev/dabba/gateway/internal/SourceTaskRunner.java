package dev.dabba.gateway.internal;

import dev.dabba.gateway.GatewayMetrics;
import dev.dabba.gateway.connect.MqttSourceTask;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link MqttSourceTask} the way a Connect worker does, without the worker: {@code poll()} on its own
 * thread, each record as bytes (what {@code ByteArrayConverter} does) to an idempotent producer ({@code acks=all}), and
 * {@code commitRecord} from the producer's callback once Kafka acknowledged it.
 *
 * <p>A failed send or a task that throws stops the task at once (what it had not acknowledged is redelivered by the
 * broker) and starts a new one after a backoff, with a new producer and the same client id.
 */
public final class SourceTaskRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceTaskRunner.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String name;
    private final Map<String, String> taskProps;
    private final Map<String, Object> producerProps;
    private final Supplier<MqttSourceTask> taskFactory;
    private final PluginMetrics pluginMetrics;
    private final Thread thread;
    private final Object finishedLock = new Object();
    private GatewayMetrics.Snapshot finished = GatewayMetrics.Snapshot.EMPTY;
    private volatile Attempt current;
    private volatile boolean running = true;
    private volatile boolean halted;

    /** One started task with its producer. */
    private static final class Attempt {
        final MqttSourceTask task;
        final Producer<byte[], byte[]> producer;
        final AtomicReference<Exception> failure = new AtomicReference<>();
        boolean ended;

        Attempt(MqttSourceTask task, Producer<byte[], byte[]> producer) {
            this.task = task;
            this.producer = producer;
        }
    }

    /**
     * Starts the task once in the calling thread, so that a configuration or connection error surfaces to the
     * caller, then runs it on a thread of its own.
     *
     * @param kafkaProps Kafka client properties (bootstrap servers, security) for the producer
     */
    public SourceTaskRunner(String name, Map<String, String> taskProps, Map<String, Object> kafkaProps,
            Supplier<MqttSourceTask> taskFactory, PluginMetrics pluginMetrics) {
        this.name = Objects.requireNonNull(name, "name");
        this.taskProps = Map.copyOf(taskProps);
        this.producerProps = producerProps(name, kafkaProps);
        this.taskFactory = Objects.requireNonNull(taskFactory, "taskFactory");
        this.pluginMetrics = pluginMetrics;
        this.current = startAttempt();
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private static Map<String, Object> producerProps(String name, Map<String, Object> kafkaProps) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        p.putAll(kafkaProps);
        return p;
    }

    private Attempt startAttempt() {
        MqttSourceTask task = taskFactory.get();
        task.initialize(new Context(taskProps, pluginMetrics));
        task.start(taskProps);
        Producer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (RuntimeException e) {
            task.kill();
            throw e;
        }
        return new Attempt(task, producer);
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        Attempt a = current;
        while (running) {
            if (a == null) {
                try {
                    a = startAttempt();
                    current = a;
                    backoff = FIRST_BACKOFF;
                    LOG.info("{} restarted", name);
                } catch (RuntimeException e) {
                    LOG.warn("{} could not restart ({}); next attempt in {} ms", name, e.getMessage(),
                            backoff.toMillis());
                    backoff = sleep(backoff);
                    continue;
                }
            }
            try {
                while (running && a.failure.get() == null) {
                    List<SourceRecord> records = a.task.poll();
                    if (records != null) {
                        for (SourceRecord r : records) {
                            send(a, r);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                a.failure.compareAndSet(null, e);
            }
            Exception failure = a.failure.get();
            end(a, failure == null && !halted);
            a = null;
            if (failure != null && running) {
                LOG.error("{} failed, restarting in {} ms: {}", name, backoff.toMillis(), failure.toString());
                backoff = sleep(backoff);
            }
        }
    }

    private void send(Attempt a, SourceRecord r) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h.key(), bytes(h.value()));
        }
        ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(r.topic(), r.kafkaPartition(), r.timestamp(),
                bytes(r.key()), bytes(r.value()), headers);
        a.producer.send(pr, (metadata, exception) -> {
            if (exception == null) {
                a.task.commitRecord(r, metadata);
            } else {
                a.failure.compareAndSet(null, exception);
            }
        });
    }

    /** What Connect's {@code ByteArrayConverter} does: bytes pass through, nothing else is accepted. */
    private static byte[] bytes(Object value) {
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof java.nio.ByteBuffer) {
            java.nio.ByteBuffer b = ((java.nio.ByteBuffer) value).duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        throw new org.apache.kafka.connect.errors.DataException("the gateway writes bytes only, got a "
                + value.getClass().getName());
    }

    private synchronized void end(Attempt a, boolean graceful) {
        if (a.ended) {
            return;
        }
        a.ended = true;
        if (graceful) {
            a.task.stop();
            a.producer.close(Duration.ofSeconds(30));
        } else {
            a.task.kill();
            a.producer.close(Duration.ZERO);
        }
        synchronized (finishedLock) {
            finished = finished.plus(a.task.metrics().snapshot());
            if (current == a) {
                current = null;
            }
        }
    }

    private Duration sleep(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        Duration next = backoff.multipliedBy(2);
        return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
    }

    /** The counters of every task this runner ran, added up. */
    public GatewayMetrics.Snapshot metrics() {
        synchronized (finishedLock) {
            Attempt a = current;
            return a == null ? finished : finished.plus(a.task.metrics().snapshot());
        }
    }

    /**
     * Stops as a crash would: the MQTT connection dropped without DISCONNECT, pending Kafka sends abandoned, no
     * further acknowledgement. The broker keeps the session and redelivers what was not acknowledged.
     */
    public void halt() {
        halted = true;
        running = false;
        Attempt a = current;
        if (a != null) {
            end(a, false);
        }
        join();
    }

    /** Stops the task (acknowledging what Kafka already has, within the drain time) and closes the producer. */
    @Override
    public void close() {
        running = false;
        join();
        Attempt a = current;
        if (a != null) {
            end(a, !halted);
        }
    }

    private void join() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Context implements SourceTaskContext {
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
        public OffsetStorageReader offsetStorageReader() {
            return NoOffsets.INSTANCE;
        }

        @Override
        public TransactionContext transactionContext() {
            return null;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return metrics;
        }
    }

    /** The MQTT source keeps no offsets: the broker's session is its position. */
    private enum NoOffsets implements OffsetStorageReader {
        INSTANCE;

        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
            return null;
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
                java.util.Collection<Map<String, T>> partitions) {
            return Map.of();
        }
    }
}
