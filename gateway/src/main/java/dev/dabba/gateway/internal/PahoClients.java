package dev.dabba.gateway.internal;

import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.record.NoDelaySocketFactory;
import dev.dabba.record.NoDelaySslSocketFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.security.SSLSocketFactoryFactory;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Builds Paho MQTT 5 clients and connection options from {@link MqttClientSettings}. */
public final class PahoClients {

    private PahoClients() {
    }

    /** A client for the first of the settings' brokers (the others are tried on connect). */
    public static MqttAsyncClient client(MqttClientSettings s) throws MqttException {
        return new MqttAsyncClient(s.serverUris().get(0), s.clientId(), new MemoryPersistence());
    }

    /**
     * Options with the settings' brokers, credentials, timeouts and TLS; no automatic reconnect.
     *
     * @throws MqttException when the TLS settings' trust or key store cannot be read
     */
    public static MqttConnectionOptions options(MqttClientSettings s) throws MqttException {
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
        // Nagle off: otherwise it holds back each PUBACK of the records the source task receives, which capped
        // one subscriber at about 1,130 QoS 1 messages/s (NoDelaySocketFactory)
        Properties ssl = s.sslProperties();
        if (NoDelaySslSocketFactory.servesAll(s.serverUris())) {
            o.setSocketFactory(new NoDelaySslSocketFactory(tlsSocketFactory(ssl)));
        } else if (ssl != null) {
            o.setSSLProperties(ssl); // TLS and plain brokers mixed: Paho builds each TLS socket itself, Nagle on
        } else if (NoDelaySocketFactory.servesAll(s.serverUris())) {
            o.setSocketFactory(new NoDelaySocketFactory());
        }
        return o;
    }

    /**
     * The socket factory Paho would build from the SSL properties itself (the JVM's defaults when there are none), so
     * that it can be wrapped. The settings never set cipher suites, the one property Paho applies outside it.
     */
    private static SSLSocketFactory tlsSocketFactory(Properties ssl) throws MqttException {
        SSLSocketFactoryFactory factories = new SSLSocketFactoryFactory();
        if (ssl != null) {
            factories.initialize(ssl, null);
        }
        try {
            return factories.createSocketFactory(null);
        } catch (MqttException e) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            throw new MqttException(MqttClientException.REASON_CODE_SSL_CONFIG_ERROR, new IllegalArgumentException(
                    "cannot load the TLS stores (" + MqttClientSettings.SSL_TRUSTSTORE_LOCATION + "="
                            + store(ssl, "com.ibm.ssl.trustStore") + ", " + MqttClientSettings.SSL_KEYSTORE_LOCATION
                            + "=" + store(ssl, "com.ibm.ssl.keyStore") + "): " + why.getMessage(), why));
        }
    }

    private static String store(Properties ssl, String key) {
        String location = ssl == null ? null : ssl.getProperty(key);
        return location == null ? "(JVM default)" : location;
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
