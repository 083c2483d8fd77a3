package dev.dabba.gateway.internal;

import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.record.NoDelaySocketFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Builds Paho MQTT 5 clients and connection options from {@link MqttClientSettings}. */
public final class PahoClients {

    private PahoClients() {
    }

    /** A client for the first of the settings' brokers (the others are tried on connect). */
    public static MqttAsyncClient client(MqttClientSettings s) throws MqttException {
        return new MqttAsyncClient(s.serverUris().get(0), s.clientId(), new MemoryPersistence());
    }

    /** Options with the settings' brokers, credentials, timeouts and TLS; no automatic reconnect. */
    public static MqttConnectionOptions options(MqttClientSettings s) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setServerURIs(s.serverUris().toArray(new String[0]));
        if (s.username() != null) {
            o.setUserName(s.username());
        }
        if (s.password() != null) {
            o.setPassword(s.password().getBytes(StandardCharsets.UTF_8));
        }
        o.setKeepAliveInterval((int) s.keepAlive().toSeconds());
        o.setConnectionTimeout((int) s.connectionTimeout().toSeconds());
        o.setAutomaticReconnect(false);
        if (s.sslProperties() != null) {
            o.setSSLProperties(s.sslProperties());
        } else if (NoDelaySocketFactory.servesAll(s.serverUris())) {
            // Nagle off: otherwise it holds back each PUBACK of the records the source task receives, which capped
            // one subscriber at about 1,130 QoS 1 messages/s (NoDelaySocketFactory)
            o.setSocketFactory(new NoDelaySocketFactory());
        }
        return o;
    }

    /**
     * Checks a SUBACK: every reason code must grant QoS 0 to 2.
     *
     * @throws MqttException with the broker's reason code when a subscription was refused
     */
    public static void requireGranted(IMqttToken subAck, String filter) throws MqttException {
        int[] codes = subAck.getReasonCodes();
        if (codes == null) {
            return;
        }
        for (int code : codes) {
            if (code > 2) {
                throw new MqttException(code, new IllegalStateException("the broker refused the subscription to '"
                        + filter + "' with reason code 0x" + Integer.toHexString(code) + " " + Arrays.toString(codes)
                        + " (0x87 not authorized, 0x9e shared subscriptions not supported)"));
            }
        }
    }
}
