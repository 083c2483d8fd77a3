package dev.dabba.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.gateway.connect.MqttClientSettings;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.NoDelaySocketFactory;
import dev.dabba.record.NoDelaySslSocketFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

class PahoClientsTest {

    /** The JDK's own trust store: a real one, with the JDK's documented default password. */
    private static final Path CACERTS = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");

    private static MqttClientSettings settings(List<String> uris, Map<String, String> ssl) {
        return new MqttClientSettings(uris, "paho-clients-test", null, null, MqttTopics.DEFAULT,
                Duration.ofSeconds(30), Duration.ofSeconds(10), ssl);
    }

    private static Map<String, String> trustStore(Path file) {
        return Map.of("com.ibm.ssl.trustStore", file.toString(), "com.ibm.ssl.trustStorePassword", "changeit");
    }

    @Test
    void plainTcpAndWebSocketBrokers_getSocketsWithNagleOff() throws Exception {
        MqttConnectionOptions o = PahoClients.options(settings(List.of("tcp://a:1883", "ws://b:8000/mqtt"),
                Map.of()));

        assertThat(o.getSocketFactory()).isInstanceOf(NoDelaySocketFactory.class);
        assertThat(o.getSSLProperties()).isNull();
    }

    @Test
    void tlsBrokers_getTheTrustStoresSocketsWithNagleOff() throws Exception {
        assertThat(CACERTS).exists();
        MqttConnectionOptions o = PahoClients.options(settings(List.of("ssl://a:8883", "wss://b:443/mqtt"),
                trustStore(CACERTS)));

        assertThat(o.getSocketFactory()).isInstanceOf(NoDelaySslSocketFactory.class);
        try (Socket socket = o.getSocketFactory().createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void tlsBrokersWithoutSettings_getTheJvmDefaultsWithNagleOff() throws Exception {
        MqttConnectionOptions o = PahoClients.options(settings(List.of("ssl://a:8883"), Map.of()));

        assertThat(o.getSocketFactory()).isInstanceOf(NoDelaySslSocketFactory.class);
        try (Socket socket = o.getSocketFactory().createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void anUnreadableTrustStore_failsTheConnectionSetUp_notTheFirstHandshake() throws Exception {
        Path missing = Files.createTempDirectory("paho-clients").resolve("absent.p12");

        assertThatThrownBy(() -> PahoClients.options(settings(List.of("ssl://a:8883"), trustStore(missing))))
                .isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                        .isEqualTo(MqttClientException.REASON_CODE_SSL_CONFIG_ERROR))
                .cause().hasMessageContaining(MqttClientSettings.SSL_TRUSTSTORE_LOCATION + "=" + missing)
                .hasMessageContaining(MqttClientSettings.SSL_KEYSTORE_LOCATION + "=(JVM default)")
                .hasMessageContaining("No such file");
    }

    @Test
    void aWrongTrustStorePassword_namesTheStore() {
        Map<String, String> ssl = Map.of("com.ibm.ssl.trustStore", CACERTS.toString(),
                "com.ibm.ssl.trustStorePassword", "not-the-password");

        assertThatThrownBy(() -> PahoClients.options(settings(List.of("ssl://a:8883"), ssl)))
                .isInstanceOf(MqttException.class)
                .cause().hasMessageContaining(MqttClientSettings.SSL_TRUSTSTORE_LOCATION + "=" + CACERTS)
                .hasMessageContaining("password");
    }

    @Test
    void aMixOfTlsAndPlainBrokers_leavesTheSocketsToPaho_withTheSslSettings() throws Exception {
        MqttConnectionOptions o = PahoClients.options(settings(List.of("ssl://a:8883", "tcp://b:1883"),
                trustStore(CACERTS)));

        assertThat(o.getSocketFactory()).isNull();
        assertThat(o.getSSLProperties()).containsEntry("com.ibm.ssl.trustStore", CACERTS.toString());
    }
}
