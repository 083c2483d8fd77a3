package dev.dabba.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/** Picks free TCP ports on the loopback interface and checks that configured ones are free. */
public final class FreePorts {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private FreePorts() {
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago (another process may still take it). */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("could not find a free TCP port on " + LOOPBACK.getHostAddress(), e);
        }
    }

    /** Returns {@code count} distinct ports that were free on 127.0.0.1 a moment ago. */
    public static int[] pick(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive, was " + count);
        }
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(pick());
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Returns {@code count} distinct ports, free on 127.0.0.1 a moment ago, from 20000-32767: below Linux's default
     * ephemeral range (32768-60999), so that the outgoing connections and anonymous listeners of other processes
     * (a TaskManager's, a Kafka client's) do not take them between the pick and the bind. For processes started
     * later on a fixed port, as the local cluster's are; {@link #pick(int)} comes from the ephemeral range itself.
     */
    public static int[] pickForServices(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive, was " + count);
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        Set<Integer> ports = new LinkedHashSet<>();
        for (int attempt = 0; ports.size() < count; attempt++) {
            if (attempt > 10_000) {
                throw new IllegalStateException("could not find " + count + " free ports in 20000-32767");
            }
            int port = 20_000 + random.nextInt(12_768);
            if (isFree(port)) {
                ports.add(port);
            }
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Tells whether nothing listens on {@code port} of 127.0.0.1, by trying to bind it. */
    public static boolean isFree(int port) {
        requireValidPort(port, "port");
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a message naming {@code what} when {@code port} of 127.0.0.1 is already in use. */
    public static void requireFree(int port, String component, String what) {
        if (!isFree(port)) {
            throw new InfrastructureException(component,
                    what + " port " + port + " on " + LOOPBACK.getHostAddress() + " is already in use", null);
        }
    }

    static int requireValidPort(int port, String name) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be in 1..65535, was " + port);
        }
        return port;
    }
}
