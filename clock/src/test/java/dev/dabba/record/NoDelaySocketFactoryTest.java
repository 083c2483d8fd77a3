package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {

    private final NoDelaySocketFactory factory = new NoDelaySocketFactory();

    @Test
    void theSocketPahoAsksFor_hasNagleOff_andKeepsItOnceConnected() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket socket = factory.createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
            assertThat(socket.isConnected()).isTrue();
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void theConnectingVariants_connect_withNagleOff() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 4, loopback);
                Socket byName = factory.createSocket(loopback.getHostAddress(), server.getLocalPort());
                Socket byAddress = factory.createSocket(loopback, server.getLocalPort());
                Socket bound = factory.createSocket(loopback, server.getLocalPort(), loopback, 0)) {
            for (Socket s : List.of(byName, byAddress, bound)) {
                assertThat(s.isConnected()).isTrue();
                assertThat(s.getTcpNoDelay()).isTrue();
                assertThat(s.getPort()).isEqualTo(server.getLocalPort());
            }
            assertThat(bound.getLocalAddress()).isEqualTo(loopback);
        }
    }

    @Test
    void servesOnlyPlainTcpAndWebSocketBrokers() {
        assertThat(NoDelaySocketFactory.servesAll(List.of("tcp://127.0.0.1:1883"))).isTrue();
        assertThat(NoDelaySocketFactory.servesAll(List.of("TCP://a:1883", "tcp://b:1883"))).isTrue();
        assertThat(NoDelaySocketFactory.servesAll(List.of("tcp://a:1883", "ssl://b:8883"))).isFalse();
        assertThat(NoDelaySocketFactory.servesAll(List.of("ws://a:8000/mqtt", "WS://b:80/mqtt"))).isTrue();
        assertThat(NoDelaySocketFactory.servesAll(List.of("tcp://a:1883", "ws://b:8000/mqtt"))).isTrue();
        assertThat(NoDelaySocketFactory.servesAll(List.of("wss://a:443/mqtt"))).isFalse();
        assertThat(NoDelaySocketFactory.servesAll(List.of())).isFalse();
    }
}
