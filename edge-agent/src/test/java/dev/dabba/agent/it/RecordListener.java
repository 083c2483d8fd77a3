package dev.dabba.agent.it;

import dev.dabba.clock.EpochRegistry;
import dev.dabba.record.EventId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.SplitBatch;
import dev.dabba.record.UsageRecord;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * What the gateway would see: every record batch on {@code ROOT/records/+}, split into records by event id, each
 * with every distinct encoding it arrived in (a duplicate must always be the same record).
 */
final class RecordListener implements AutoCloseable {

    private final MqttAsyncClient client;
    private final Map<EventId, Set<String>> encodings = new ConcurrentHashMap<>();
    private final Map<EventId, Integer> deliveries = new ConcurrentHashMap<>();
    private final List<byte[]> batches = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A listener with a persistent session (it survives broker restarts with file persistence). */
    RecordListener(String brokerUri, MqttTopics topics, boolean persistentSession) throws MqttException {
        client = new MqttAsyncClient(brokerUri, "it-listener-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                batches.add(message.getPayload());
                SplitBatch split = RecordCodec.standard().splitBatch(message.getPayload());
                for (SplitBatch.RawRecord r : split.records()) {
                    encodings.computeIfAbsent(r.id(), k -> ConcurrentHashMap.newKeySet())
                            .add(Base64.getEncoder().encodeToString(r.encoded()));
                    deliveries.merge(r.id(), 1, Integer::sum);
                }
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
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(!persistentSession);
        if (persistentSession) {
            options.setSessionExpiryInterval(3600L);
            options.setAutomaticReconnect(true);
            options.setAutomaticReconnectDelay(1, 2);
        }
        client.connect(options).waitForCompletion(10_000);
        client.subscribe(topics.recordsFilter(), 1).waitForCompletion(10_000);
    }

    Set<EventId> ids() {
        return new HashSet<>(encodings.keySet());
    }

    /** Event ids that arrived in more than one distinct encoding: must be none. */
    Set<EventId> conflicting() {
        Set<EventId> out = new HashSet<>();
        encodings.forEach((id, e) -> {
            if (e.size() > 1) {
                out.add(id);
            }
        });
        return out;
    }

    long duplicates() {
        return deliveries.values().stream().mapToLong(n -> n - 1).sum();
    }

    /** Every record received, decoded with {@code epochs}, in arrival order of batches. */
    List<UsageRecord> records(EpochRegistry epochs) {
        List<UsageRecord> out = new ArrayList<>();
        synchronized (batches) {
            for (byte[] b : batches) {
                out.addAll(RecordCodec.standard().decodeBatch(b, epochs).records());
            }
        }
        return out;
    }

    boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(5_000);
        }
        client.close(true);
    }
}
