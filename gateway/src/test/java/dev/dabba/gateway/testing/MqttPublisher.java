package dev.dabba.gateway.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * A load generator and test publisher: an MQTT 5 client publishing QoS 1 with up to {@code window} messages in
 * flight (below the broker's Receive Maximum), waiting for every PUBACK.
 */
public final class MqttPublisher implements AutoCloseable {

    private final MqttAsyncClient client;
    private final Semaphore window;
    private final int windowSize;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private MqttPublisher(MqttAsyncClient client, int window) {
        this.client = client;
        this.windowSize = window;
        this.window = new Semaphore(window);
    }

    /** Connects anonymously with a clean session. */
    public static MqttPublisher connect(String uri, String clientId, int window) throws MqttException {
        return connect(uri, clientId, window, null, null);
    }

    /** Connects with credentials (null for anonymous) and a clean session. */
    public static MqttPublisher connect(String uri, String clientId, int window, String username, String password)
            throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        client.connect(o).waitForCompletion(30_000);
        return new MqttPublisher(client, window);
    }

    /** Publishes without waiting for the PUBACK (but never more than the window in flight). */
    public void publishAsync(String topic, byte[] payload) throws InterruptedException, MqttException {
        publishAsync(topic, payload, List.of());
    }

    /** Publishes with MQTT 5 user properties, without waiting for the PUBACK. */
    public void publishAsync(String topic, byte[] payload, List<UserProperty> userProperties)
            throws InterruptedException, MqttException {
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("an earlier publish failed", f);
        }
        window.acquire();
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        if (!userProperties.isEmpty()) {
            MqttProperties p = new MqttProperties();
            p.setUserProperties(userProperties);
            m.setProperties(p);
        }
        try {
            client.publish(topic, m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    window.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    failure.compareAndSet(null, exception);
                    window.release();
                }
            });
        } catch (MqttException | RuntimeException e) {
            window.release();
            throw e;
        }
    }

    /** Publishes and waits for the broker's PUBACK; returns its reason codes. */
    public int[] publish(String topic, byte[] payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        IMqttToken t = client.publish(topic, m);
        t.waitForCompletion(30_000);
        return t.getReasonCodes();
    }

    /** Waits until every publish was acknowledged by the broker; fails if one failed. */
    public void awaitAcknowledged(Duration timeout) throws InterruptedException {
        if (!window.tryAcquire(windowSize, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("publishes still unacknowledged after " + timeout);
        }
        window.release(windowSize);
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("a publish failed", f);
        }
    }

    /** The client, for subscriptions. */
    public MqttAsyncClient client() {
        return client;
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(10_000);
        }
        client.close(true);
    }
}
