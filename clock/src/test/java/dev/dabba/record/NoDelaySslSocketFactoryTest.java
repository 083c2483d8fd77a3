package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

class NoDelaySslSocketFactoryTest {

    private final SSLSocketFactory delegate;
    private final NoDelaySslSocketFactory factory;

    NoDelaySslSocketFactoryTest() throws Exception {
        delegate = SSLContext.getDefault().getSocketFactory();
        factory = new NoDelaySslSocketFactory(delegate);
    }

    @Test
    void theSocketPahoAsksFor_isTheDelegatesTlsSocket_withNagleOff() throws Exception {
        try (Socket socket = factory.createSocket()) {
            assertThat(socket).isInstanceOf(SSLSocket.class);
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void theConnectingVariants_andLayeringOverAPlainSocket_haveNagleOff() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 4, loopback);
                Socket byAddress = factory.createSocket(loopback, server.getLocalPort());
                Socket plain = new Socket(loopback, server.getLocalPort());
                Socket layered = factory.createSocket(plain, "localhost", server.getLocalPort(), true)) {
            assertThat(byAddress).isInstanceOf(SSLSocket.class);
            assertThat(byAddress.getTcpNoDelay()).isTrue();
            assertThat(layered).isInstanceOf(SSLSocket.class);
            assertThat(plain.getTcpNoDelay()).as("the layered socket's option is the plain socket's").isTrue();
        }
    }

    @Test
    void cipherSuites_areTheDelegates() {
        assertThat(factory.getDefaultCipherSuites()).containsExactly(delegate.getDefaultCipherSuites());
        assertThat(factory.getSupportedCipherSuites()).containsExactly(delegate.getSupportedCipherSuites());
    }

    @Test
    void servesOnlyTlsAndSecureWebSocketBrokers() {
        assertThat(NoDelaySslSocketFactory.servesAll(List.of("ssl://a:8883", "SSL://b:8883"))).isTrue();
        assertThat(NoDelaySslSocketFactory.servesAll(List.of("ssl://a:8883", "wss://b:443/mqtt"))).isTrue();
        assertThat(NoDelaySslSocketFactory.servesAll(List.of("ssl://a:8883", "tcp://b:1883"))).isFalse();
        assertThat(NoDelaySslSocketFactory.servesAll(List.of("ws://a:8000/mqtt"))).isFalse();
        assertThat(NoDelaySslSocketFactory.servesAll(List.of())).isFalse();
    }
}
