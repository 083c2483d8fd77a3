package dev.dabba.bench.gateway;

import dev.dabba.gateway.BatchTranslator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
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

/**
 * The baseline: the gateway's previous embedded bridge ({@code MqttKafkaBridge} before the gateway issue), kept
 * for the benchmark. One message at a time on Paho's callback thread: translate, send every record, wait for Kafka
 * to acknowledge all of them, then PUBACK, then the next message.
 */
final class SerialBridgeBaseline implements AutoCloseable {

    private final MqttAsyncClient client;
    private final KafkaProducer<byte[], byte[]> producer;
    private final BatchTranslator translator;
    private final AtomicLong accepted = new AtomicLong();

    SerialBridgeBaseline(String mqttUri, String clientId, String subscription, Map<String, Object> producerProps,
            BatchTranslator translator) throws MqttException {
        this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        this.translator = translator;
        this.client = new MqttAsyncClient(mqttUri, clientId, new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                handle(topic, message);
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(3_600L);
        options.setReceiveMaximum(100);
        client.connect(options).waitForCompletion(30_000);
        client.subscribe(subscription, 1).waitForCompletion(30_000);
    }

    private void handle(String topic, MqttMessage message) throws Exception {
        BatchTranslator.Translation t = translator.translate(topic, message.getPayload(), null,
                Clock.systemUTC().instant());
        List<Future<RecordMetadata>> acks = new ArrayList<>(t.records().size());
        for (ProducerRecord<byte[], byte[]> r : t.records()) {
            acks.add(producer.send(r));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        if (t instanceof BatchTranslator.Accepted) {
            accepted.addAndGet(t.records().size());
        }
        client.messageArrivedComplete(message.getId(), message.getQos());
    }

    long acceptedRecords() {
        return accepted.get();
    }

    @Override
    public void close() throws MqttException {
        client.disconnect().waitForCompletion(10_000);
        client.close(true);
        producer.close();
    }
}
