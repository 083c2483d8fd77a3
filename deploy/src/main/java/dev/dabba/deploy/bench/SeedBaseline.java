package dev.dabba.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dabba.clock.NodeId;
import dev.dabba.embedded.Database;
import dev.dabba.record.NoDelaySocketFactory;
import dev.dabba.record.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The naive pipeline, built the seed's way, on the same broker, Kafka and PostgreSQL as Dabba's:
 * <ol>
 *   <li><b>towers</b>: each record as the seed's JSON ({@link SeedJson}: full vector map over every tower), one MQTT
 *       message per record, QoS 1, no batching, no compression, no outbox; one client per tower with at most 20
 *       messages in flight (Paho's default window; Mosquitto's default {@code max_inflight_messages});</li>
 *   <li><b>bridge</b>: one MQTT subscriber that hands each message to a Kafka producer ({@code acks=all}, no
 *       compression) and returns, so the broker's PUBACK does not wait for Kafka: it validates nothing and keys
 *       nothing, so it does less work than Dabba's gateway;</li>
 *   <li><b>biller</b>: one plain Kafka consumer that parses each record, keeps every subscriber's events in memory,
 *       and after each poll re-sorts each touched subscriber's events by (max(vector), timestamp) as the seed's
 *       {@code generate_billing_report} does, sums the tower-computed float costs, and upserts that subscriber's bill
 *       row (totals and the first 10 events as JSON, as the seed's report) with one auto-committed statement.</li>
 * </ol>
 * A record is billed when the statement that wrote a bill containing it has committed.
 */
final class SeedBaseline implements AutoCloseable {

    private static final int WINDOW = 20;
    /**
     * Most messages published and not yet received by the bridge, which also asks the broker for at most this many
     * in flight. Brokers acknowledge a publish once queued and drop QoS 1 messages beyond a subscriber's queue
     * (HiveMQ CE and Mosquitto: 1,000 by default), so without this the bridge, when slower than the towers, loses
     * records; the seed has no such flow control, but a baseline that loses records measures nothing. (Mosquitto
     * 2.0.11 as Debian 12 ships it dropped messages for the bridge even with 20 outstanding: use HiveMQ.)
     */
    private static final int BRIDGE_BACKLOG = 500;

    private final String topicRoot;
    private final List<NodeId> region;
    private final Map<NodeId, Publisher> publishers = new LinkedHashMap<>();
    private final Bridge bridge;
    private final Biller biller;
    private final Thread billerThread;

    private SeedBaseline(String mqttUri, String runId, String bootstrap, String kafkaTopic, Database database,
            List<NodeId> region) throws Exception {
        this.topicRoot = "dabba-bench/" + runId + "/seed";
        this.region = List.copyOf(region);
        this.biller = new Biller(bootstrap, kafkaTopic, "seed-biller-" + runId, database);
        this.billerThread = new Thread(biller, "seed-biller");
        billerThread.setDaemon(true);
        billerThread.start();
        this.bridge = new Bridge(mqttUri, "dabba-bench-" + runId + "-seed-bridge", topicRoot + "/+", bootstrap,
                kafkaTopic);
        for (NodeId t : region) {
            publishers.put(t, new Publisher(mqttUri, "dabba-bench-" + runId + "-seed-" + t.value()));
        }
    }

    /** Connects the towers' clients and the bridge, and starts the biller on {@code kafkaTopic}. */
    static SeedBaseline start(String mqttUri, String runId, String bootstrap, String kafkaTopic, Database database,
            List<NodeId> region) throws Exception {
        return new SeedBaseline(mqttUri, runId, bootstrap, kafkaTopic, database, region);
    }

    /**
     * Publishes {@code records} the seed's way at {@code rate} per second (0: as fast as the broker takes them) and
     * waits until every one is on a stored bill or {@code timeout} passed.
     */
    PhaseResult replay(String phase, List<UsageRecord> records, double rate, Duration timeout) throws Exception {
        int n = records.size();
        String[] ids = new String[n];
        long[] stampedAt = new long[n];
        long ackedBefore = acked();
        long forwardedBefore = bridge.forwarded.get();
        long arrivedBefore = bridge.arrived.get();
        String loadBefore = Machine.loadAverage();
        long cpuBefore = Machine.processCpuNanos();
        long jitBefore = Machine.jitCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            UsageRecord r = records.get(i);
            if (rate > 0) {
                DabbaPipeline.pace(t0 + (long) (i * 1e9 / rate));
            }
            while (i - (bridge.arrived.get() - arrivedBefore) > BRIDGE_BACKLOG) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
            stampedAt[i] = System.nanoTime();
            ids[i] = r.id().toString();
            publishers.get(r.origin()).publish(topicRoot + "/" + r.origin().value(), SeedJson.encode(r, region));
        }
        long stampedDone = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        long published = 0;
        long inKafka = 0;
        int billed = 0;
        while (System.nanoTime() < deadline) {
            if (published == 0 && acked() - ackedBefore >= n) {
                published = System.nanoTime();
            }
            if (inKafka == 0 && bridge.forwarded.get() - forwardedBefore >= n) {
                inKafka = System.nanoTime();
            }
            while (billed < n && biller.billed.get(ids[billed]) != null) {
                billed++;
            }
            if (billed == n && inKafka != 0 && published != 0) {
                break;
            }
            if (biller.failure != null) {
                throw new IllegalStateException("the seed biller failed", biller.failure);
            }
            Thread.sleep(10);
        }
        long cpu = Machine.processCpuNanos() - cpuBefore;
        long jit = Machine.jitCpuNanos() - jitBefore;
        long[] latencies = new long[n];
        int k = 0;
        long last = t0;
        for (int i = 0; i < n; i++) {
            Long at = biller.billed.get(ids[i]);
            if (at != null) {
                latencies[k++] = at - stampedAt[i];
                last = Math.max(last, at);
            }
        }
        return new PhaseResult("seed baseline", phase, n, k, (stampedDone - t0) / 1e9,
                DabbaPipeline.seconds(published, t0), DabbaPipeline.seconds(inKafka, t0), (last - t0) / 1e9,
                PhaseResult.sorted(latencies, k), cpu / 1e9, jit / 1e9, loadBefore, Machine.loadAverage());
    }

    /** Messages the broker acknowledged to the towers' clients, and failures, for the log. */
    String publishStats() {
        long failed = publishers.values().stream().mapToLong(p -> p.failed.get()).sum();
        return "acknowledged " + acked() + ", failed publishes " + failed + ", bridge received " + bridge.arrived.get()
                + ", forwarded "
                + bridge.forwarded.get() + " (Kafka send failures " + bridge.failed.get() + "), bill rows written "
                + biller.rowsWritten;
    }

    private long acked() {
        return publishers.values().stream().mapToLong(p -> p.acked.get()).sum();
    }

    @Override
    public void close() {
        for (Publisher p : publishers.values()) {
            p.close();
        }
        bridge.close();
        biller.running = false;
        try {
            billerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MqttAsyncClient connect(String uri, String clientId, MqttCallback callback) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        if (callback != null) {
            client.setCallback(callback);
            options.setReceiveMaximum(BRIDGE_BACKLOG);
        }
        options.setCleanStart(true);
        if (NoDelaySocketFactory.servesAll(List.of(uri))) {
            // Nagle off, as for Dabba's own clients: with it, Paho's PUBACKs capped the bridge at about 1,130 QoS 1
            // messages/s, a limit of the Java client that the seed's design does not have (NoDelaySocketFactory)
            options.setSocketFactory(new NoDelaySocketFactory());
        }
        client.connect(options).waitForCompletion(30_000);
        return client;
    }

    private static void closeQuietly(MqttAsyncClient client) {
        try {
            client.disconnect().waitForCompletion(10_000);
            client.close();
        } catch (MqttException e) {
            // shutting down
        }
    }

    /** A tower's MQTT client: one message per record, QoS 1, at most {@value WINDOW} unacknowledged. */
    private static final class Publisher {
        final MqttAsyncClient client;
        final Semaphore window = new Semaphore(WINDOW);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                acked.incrementAndGet();
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failed.incrementAndGet();
                window.release();
            }
        };

        Publisher(String uri, String clientId) throws MqttException {
            this.client = connect(uri, clientId, null);
        }

        void publish(String topic, byte[] payload) throws Exception {
            window.acquire();
            MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            while (true) {
                try {
                    client.publish(topic, m, null, listener);
                    return;
                } catch (MqttException e) {
                    if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                        window.release();
                        throw e;
                    }
                    // Paho counts a message in flight a moment after reporting its PUBACK: try again.
                    Thread.onSpinWait();
                }
            }
        }

        void close() {
            closeQuietly(client);
        }
    }

    /** MQTT -> Kafka, one Kafka record per message, handed to the producer on Paho's callback thread. */
    private static final class Bridge implements MqttCallback {
        final KafkaProducer<byte[], byte[]> producer;
        final String kafkaTopic;
        final MqttAsyncClient client;
        final AtomicLong arrived = new AtomicLong();
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        Bridge(String uri, String clientId, String filter, String bootstrap, String kafkaTopic) throws MqttException {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            this.kafkaTopic = kafkaTopic;
            this.client = connect(uri, clientId, this);
            client.subscribe(filter, 1).waitForCompletion(30_000);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived.incrementAndGet();
            producer.send(new ProducerRecord<>(kafkaTopic, message.getPayload()), (metadata, e) -> {
                if (e == null) {
                    forwarded.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            });
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            System.err.println("dabba bench: the seed bridge was disconnected: " + response);
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            System.err.println("dabba bench: the seed bridge: " + e);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        void close() {
            closeQuietly(client);
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** One event as the seed's report sees it. */
    private record SeedEvent(String eventId, String type, long maxVector, double timestamp, double costPaisa,
            double mb, JsonNode json) {
    }

    /** The seed's billing: per subscriber, sort by (max(vector), timestamp), sum, write the bill row. */
    private static final class Biller implements Runnable {
        private static final Comparator<SeedEvent> SEED_ORDER = Comparator.comparingLong(SeedEvent::maxVector)
                .thenComparingDouble(SeedEvent::timestamp);
        final Map<String, Long> billed = new ConcurrentHashMap<>();
        final Map<String, List<SeedEvent>> events = new HashMap<>();
        final KafkaConsumer<byte[], byte[]> consumer;
        final Connection connection;
        final PreparedStatement upsert;
        volatile boolean running = true;
        volatile Throwable failure;
        volatile long rowsWritten;

        Biller(String bootstrap, String topic, String group, Database database) throws SQLException {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
            this.connection = database.dataSource().getConnection();
            try (Statement s = connection.createStatement()) {
                s.execute("create schema if not exists seed_baseline");
                s.execute("create table if not exists seed_baseline.bill (user_number text primary key, "
                        + "total_events int not null, call_cost_paisa double precision not null, "
                        + "data_cost_paisa double precision not null, total_cost_paisa double precision not null, "
                        + "total_cost_inr double precision not null, data_consumed_mb double precision not null, "
                        + "events jsonb not null, generated_at timestamptz not null default now())");
            }
            this.upsert = connection.prepareStatement("insert into seed_baseline.bill (user_number, total_events, "
                    + "call_cost_paisa, data_cost_paisa, total_cost_paisa, total_cost_inr, data_consumed_mb, events) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?::jsonb) on conflict (user_number) do update set "
                    + "total_events = excluded.total_events, call_cost_paisa = excluded.call_cost_paisa, "
                    + "data_cost_paisa = excluded.data_cost_paisa, total_cost_paisa = excluded.total_cost_paisa, "
                    + "total_cost_inr = excluded.total_cost_inr, data_consumed_mb = excluded.data_consumed_mb, "
                    + "events = excluded.events, generated_at = now()");
        }

        @Override
        public void run() {
            try {
                while (running) {
                    Map<String, List<SeedEvent>> touched = new LinkedHashMap<>();
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
                        JsonNode n = SeedJson.MAPPER.readTree(rec.value());
                        String type = n.get("event_type").asText();
                        String user = switch (type) {
                            case "CALL" -> n.get("caller").asText();
                            case "DATA" -> n.get("user_number").asText();
                            default -> n.get("sender").asText();
                        };
                        long max = 0;
                        for (Iterator<JsonNode> it = n.get("vector_clock").elements(); it.hasNext(); ) {
                            max = Math.max(max, it.next().asLong());
                        }
                        SeedEvent e = new SeedEvent(n.get("event_id").asText(), type, max,
                                n.get("timestamp").asDouble(), n.get("cost_paisa").asDouble(),
                                n.has("mb_consumed") ? n.get("mb_consumed").asDouble() : 0.0, n);
                        events.computeIfAbsent(user, u -> new ArrayList<>()).add(e);
                        touched.computeIfAbsent(user, u -> new ArrayList<>()).add(e);
                    }
                    for (Map.Entry<String, List<SeedEvent>> t : touched.entrySet()) {
                        writeBill(t.getKey(), events.get(t.getKey()));
                        long now = System.nanoTime();
                        for (SeedEvent e : t.getValue()) {
                            billed.putIfAbsent(e.eventId(), now);
                        }
                    }
                }
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                consumer.close();
                try {
                    connection.close();
                } catch (SQLException e) {
                    // shutting down
                }
            }
        }

        private void writeBill(String user, List<SeedEvent> list) throws Exception {
            list.sort(SEED_ORDER);
            double calls = 0;
            double data = 0;
            double mb = 0;
            for (SeedEvent e : list) {
                if (e.type().equals("CALL")) {
                    calls += e.costPaisa();
                } else if (e.type().equals("DATA")) {
                    data += e.costPaisa();
                    mb += e.mb();
                }
            }
            List<JsonNode> first = new ArrayList<>();
            for (int i = 0; i < Math.min(10, list.size()); i++) {
                first.add(list.get(i).json());
            }
            upsert.setString(1, user);
            upsert.setInt(2, list.size());
            upsert.setDouble(3, calls);
            upsert.setDouble(4, data);
            upsert.setDouble(5, calls + data);
            upsert.setDouble(6, (calls + data) / 100);
            upsert.setDouble(7, mb);
            upsert.setString(8, SeedJson.MAPPER.writeValueAsString(first));
            upsert.executeUpdate();
            rowsWritten++;
        }
    }
}
