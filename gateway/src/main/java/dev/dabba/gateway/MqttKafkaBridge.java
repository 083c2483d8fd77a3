package dev.dabba.gateway;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded gateway runner: subscribes to record batches over MQTT 5 and produces them to Kafka, acknowledging
 * each MQTT message only after Kafka has acknowledged every record made from it.
 *
 * <p>Messages are handled one at a time on Paho's callback thread, so PUBACKs go out in arrival order as MQTT
 * requires. A message whose records Kafka does not acknowledge is left unacknowledged; the broker redelivers it
 * after the session resumes, so delivery is at-least-once and the records' event ids make duplicates harmless
 * downstream.
 */
public final class MqttKafkaBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttKafkaBridge.class);

    private final GatewayConfig config;
    private final BatchTranslator translator;
    private final Producer<byte[], byte[]> producer;
    private final MqttAsyncClient client;
    private final Clock clock;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private MqttKafkaBridge(GatewayConfig config, BatchTranslator translator, Producer<byte[], byte[]> producer,
            Clock clock) throws MqttException {
        this.config = config;
        this.translator = translator;
        this.producer = producer;
        this.clock = clock;
        this.client = new MqttAsyncClient(config.mqttUri(), config.mqttClientId(), new MemoryPersistence());
    }

    /** Starts a bridge with an idempotent Kafka producer ({@code acks=all}). */
    public static MqttKafkaBridge start(GatewayConfig config, BatchTranslator translator, Clock clock) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.mqttClientId());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer());
        try {
            MqttKafkaBridge bridge = new MqttKafkaBridge(config, translator, producer, clock);
            bridge.connect();
            return bridge;
        } catch (MqttException | RuntimeException e) {
            producer.close();
            throw new GatewayException("gateway cannot connect to MQTT broker " + config.mqttUri() + ": " + e, e);
        }
    }

    private void connect() throws MqttException {
        client.setManualAcks(true);
        client.setCallback(new Callback());
        MqttConnectionOptions options = new MqttConnectionOptions();
        // A persistent session: while the gateway is away, the broker queues QoS 1 batches for it.
        options.setCleanStart(false);
        options.setSessionExpiryInterval(3_600L);
        options.setAutomaticReconnect(true);
        options.setReceiveMaximum(100);
        client.connect(options).waitForCompletion(config.kafkaAckTimeout().toMillis());
        client.subscribe(config.subscription(), 1).waitForCompletion(config.kafkaAckTimeout().toMillis());
        LOG.info("gateway subscribed to {} on {}, producing to {}", config.subscription(), config.mqttUri(),
                config.kafkaBootstrapServers());
    }

    /** Usage records written to Kafka so far. */
    public long acceptedRecords() {
        return accepted.get();
    }

    /** MQTT messages dead-lettered so far. */
    public long rejectedMessages() {
        return rejected.get();
    }

    void handle(String topic, MqttMessage message) throws Exception {
        BatchTranslator.Translation t = translator.translate(topic, message.getPayload(), null, clock.instant());
        List<Future<RecordMetadata>> acks = new ArrayList<>(t.records().size());
        for (ProducerRecord<byte[], byte[]> record : t.records()) {
            acks.add(producer.send(record));
        }
        long deadline = System.nanoTime() + config.kafkaAckTimeout().toNanos();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            // Not acknowledged to MQTT: the broker keeps the message and redelivers it.
            LOG.error("Kafka did not acknowledge the records of message {} on {}; leaving it unacknowledged: {}",
                    message.getId(), topic, e.toString());
            return;
        }
        if (t instanceof BatchTranslator.Rejected r) {
            rejected.incrementAndGet();
            LOG.warn("dead-lettered a message on {}: {}", topic, r.reason());
        } else {
            accepted.addAndGet(t.records().size());
        }
        if (message.getQos() > 0) {
            client.messageArrivedComplete(message.getId(), message.getQos());
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.warn("gateway MQTT close failed: {}", e.toString());
        } finally {
            producer.close();
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            handle(topic, message);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("gateway disconnected from {}: {}", config.mqttUri(), response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("gateway MQTT error: {}", exception.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (reconnect) {
                LOG.info("gateway reconnected to {}", serverUri);
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
