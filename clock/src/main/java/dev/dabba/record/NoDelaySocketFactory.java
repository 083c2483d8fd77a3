package dev.dabba.record;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets with {@code TCP_NODELAY} on, for MQTT clients connecting to {@code tcp://} and {@code ws://}
 * brokers.
 *
 * <p>Paho's Java client leaves Nagle's algorithm on. A client receiving QoS 1 messages then writes each PUBACK as a
 * few bytes that Nagle holds back until the broker acknowledges the previous segment, and the broker sends no more
 * than the client's receive maximum ahead: on this project's 2-core machine one subscriber of embedded HiveMQ
 * received about 1,130 QoS 1 messages a second with Nagle on and 11,500 with it off, and 16,900 at QoS 0
 * (docs/benchmarks.md, "End to end"). MQTT packets are written whole, so turning Nagle off costs no extra segments.
 *
 * <p>Paho calls {@link #createSocket()} and connects the socket itself (over WebSocket too: its WebSocket module opens
 * its socket as the TCP one does, and writes a packet as one frame); the other methods exist for the contract. For
 * TLS, {@link NoDelaySslSocketFactory} wraps the connection's own TLS socket factory.
 */
public final class NoDelaySocketFactory extends SocketFactory {

    /**
     * Whether every one of {@code uris} is a plain {@code tcp://} or {@code ws://} URI, which this factory serves
     * (Paho refuses a plain socket factory for the others, and a TLS one for these).
     */
    public static boolean servesAll(List<String> uris) {
        return !uris.isEmpty() && uris.stream().allMatch(u -> u.regionMatches(true, 0, "tcp://", 0, 6)
                || u.regionMatches(true, 0, "ws://", 0, 5));
    }

    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null, 0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), localAddress, localPort);
    }

    private Socket connected(InetSocketAddress to, InetAddress local, int localPort) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null || localPort != 0) {
                socket.bind(new InetSocketAddress(local, localPort));
            }
            socket.connect(to);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
