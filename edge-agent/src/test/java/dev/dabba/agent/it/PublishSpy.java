package dev.dabba.agent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy that parses the client-to-broker byte stream into MQTT packets and records, for every PUBLISH, the
 * length of its topic name (0 means the topic is given by alias only).
 */
final class PublishSpy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Integer> topicLengths = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean silent;
    private volatile boolean swallowPublishes;

    PublishSpy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "publish-spy");
        t.setDaemon(true);
        t.start();
    }

    String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    List<Integer> publishes() {
        return List.copyOf(topicLengths);
    }

    long aliasOnly() {
        return topicLengths.stream().filter(l -> l == 0).count();
    }

    /** While on, connections are accepted and held open but never passed to the broker nor answered. */
    void silent(boolean on) {
        silent = on;
    }

    /** While on, PUBLISH packets from the client are dropped on the floor: the broker never sees nor acknowledges them. */
    void swallowPublishes(boolean on) {
        swallowPublishes = on;
    }

    /** Connections accepted so far. */
    int connections() {
        return accepted.get();
    }

    void reset() {
        topicLengths.clear();
    }

    /** Cuts every connection made through the proxy so far, as a network fault would; new ones are still let in. */
    void dropConnections() throws IOException {
        for (Socket s : sockets) {
            s.close();
            sockets.remove(s); // only what was closed: a connection accepted meanwhile stays listed
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                sockets.add(client);
                accepted.incrementAndGet();
                if (silent) {
                    continue; // held open, never answered, like a broker that hangs
                }
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), target);
                broker.setTcpNoDelay(true);
                sockets.add(broker);
                pipe(broker.getInputStream(), client.getOutputStream(), false);
                pipe(client.getInputStream(), broker.getOutputStream(), true);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(InputStream in, OutputStream out, boolean parse) {
        Thread t = new Thread(() -> {
            try {
                if (parse) {
                    parsePackets(in, out);
                } else {
                    in.transferTo(out);
                }
            } catch (IOException e) {
                // connection closed
            }
        }, "publish-spy-pipe");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Fixed header, remaining length (varint), body; PUBLISH (type 3) bodies start with the topic length. Each packet
     * is passed on in one write, and both sockets have Nagle's algorithm off: byte-sized writes of the header would
     * wait for the peer's delayed ACKs, tens of milliseconds a packet.
     */
    private void parsePackets(InputStream in, OutputStream out) throws IOException {
        java.io.ByteArrayOutputStream packet = new java.io.ByteArrayOutputStream();
        while (true) {
            packet.reset();
            int first = in.read();
            if (first < 0) {
                return;
            }
            packet.write(first);
            int length = 0;
            int shift = 0;
            int b;
            do {
                b = in.read();
                if (b < 0) {
                    return;
                }
                packet.write(b);
                length |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            byte[] body = in.readNBytes(length);
            packet.write(body);
            boolean publish = (first >> 4) == 3;
            if (publish && body.length >= 2) {
                topicLengths.add(((body[0] & 0xff) << 8) | (body[1] & 0xff));
            }
            if (publish && swallowPublishes) {
                continue; // never reaches the broker, so never acknowledged
            }
            packet.writeTo(out);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
    }
}
