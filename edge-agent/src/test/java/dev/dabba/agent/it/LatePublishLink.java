package dev.dabba.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A TCP link between an MQTT client and a broker on which the broker's PUBLISH packets arrive {@code delay} late
 * while everything else (CONNACK, SUBACK, PUBACK, ...) passes at once: what a client sees of a broker that sends
 * retained messages some time after the SUBACK (a busy broker, a retained store on disk, a slow link for large
 * packets). The client's own packets pass untouched. Packets of one kind keep their order.
 */
final class LatePublishLink implements AutoCloseable {

    private static final int PUBLISH = 3;

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final long delayMillis;
    private final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "late-publish-link");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private LatePublishLink(String brokerUri, Duration delay) throws IOException {
        URI uri = URI.create(brokerUri);
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.delayMillis = delay.toMillis();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "late-publish-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static LatePublishLink to(String brokerUri, Duration delay) throws IOException {
        return new LatePublishLink(brokerUri, delay);
    }

    String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(host, port);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                open.add(client);
                open.add(broker);
                pump("to-broker", client.getInputStream(), broker.getOutputStream(), false, client, broker);
                pump("to-client", broker.getInputStream(), client.getOutputStream(), true, client, broker);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(String name, InputStream in, OutputStream out, boolean delayPublishes, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    byte[] packet = readPacket(in);
                    if (delayPublishes && (packet[0] & 0xff) >> 4 == PUBLISH) {
                        late.schedule(() -> write(out, packet, a, b), delayMillis, TimeUnit.MILLISECONDS);
                    } else {
                        late.execute(() -> write(out, packet, a, b)); // one writer thread: no interleaved bytes
                    }
                }
            } catch (IOException e) {
                closeBoth(a, b);
            }
        }, "late-publish-link-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** One MQTT control packet: the fixed header's first byte, the remaining length (a varint), the rest. */
    private static byte[] readPacket(InputStream in) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(readByte(in));
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = readByte(in);
            packet.write(b);
            length |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] rest = in.readNBytes(length);
        if (rest.length < length) {
            throw new EOFException();
        }
        packet.write(rest);
        return packet.toByteArray();
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private void write(OutputStream out, byte[] packet, Socket a, Socket b) {
        try {
            out.write(packet);
            out.flush();
        } catch (IOException e) {
            closeBoth(a, b);
        }
    }

    private static void closeBoth(Socket a, Socket b) {
        try {
            a.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            b.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        late.shutdownNow();
    }
}
