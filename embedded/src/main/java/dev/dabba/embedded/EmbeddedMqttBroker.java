package dev.dabba.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedHiveMQ;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MQTT broker (HiveMQ Community Edition, embedded) in this JVM, speaking MQTT 3.1.1 and 5 on 127.0.0.1.
 *
 * <p>Each instance writes its own {@code config.xml} (one TCP listener, optionally a WebSocket one at {@value
 * #WEBSOCKET_PATH}, anonymous usage statistics off) into a fresh temporary directory that also holds the broker's
 * data and an empty extensions folder; {@link #close()} stops the broker and deletes that directory unless the caller
 * supplied it. Messages live in memory unless
 * {@link Builder#filePersistence(boolean)} is set, in which case an instance started on the same directory resumes
 * the retained messages and persistent sessions of a closed one.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

    /** Messages HiveMQ queues per client or shared subscription before it discards new ones (its default: 1,000). */
    public static final long MAX_QUEUED_MESSAGES = 1_000_000;
    /** The path of the WebSocket listener, as brokers commonly serve MQTT over WebSocket. */
    public static final String WEBSOCKET_PATH = "/mqtt";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);
    private static final String COMPONENT = "embedded MQTT broker (HiveMQ CE)";
    private static final String HOST = "127.0.0.1";

    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final int webSocketPort;
    private final Path directory;
    private final boolean ownsDirectory;
    private final Duration startupTime;
    private final Duration stopTimeout;
    private boolean closed;

    private EmbeddedMqttBroker(EmbeddedHiveMQ hivemq, int port, int webSocketPort, Path directory,
                               boolean ownsDirectory, Duration startupTime, Duration stopTimeout) {
        this.hivemq = hivemq;
        this.port = port;
        this.webSocketPort = webSocketPort;
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.startupTime = startupTime;
        this.stopTimeout = stopTimeout;
    }

    /** Starts a broker on a free port with in-memory persistence and a fresh temporary directory. */
    public static EmbeddedMqttBroker start() {
        return builder().start();
    }

    /** Returns a builder for a broker with a fixed port, a kept directory or file persistence. */
    public static Builder builder() {
        return new Builder();
    }

    /** The broker address for MQTT clients, e.g. {@code tcp://127.0.0.1:41883}. */
    public String uri() {
        return "tcp://" + HOST + ":" + port;
    }

    /**
     * The broker address for MQTT over WebSocket, e.g. {@code ws://127.0.0.1:41884/mqtt}.
     *
     * @throws IllegalStateException unless the broker was built with {@link Builder#webSocket(boolean)}
     */
    public String webSocketUri() {
        if (webSocketPort == 0) {
            throw new IllegalStateException("this broker has no WebSocket listener (EmbeddedMqttBroker.builder()"
                    + ".webSocket(true))");
        }
        return "ws://" + HOST + ":" + webSocketPort + WEBSOCKET_PATH;
    }

    /** The listener's host, always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The listener's TCP port. */
    public int port() {
        return port;
    }

    /** The directory holding {@code conf/config.xml}, {@code data/} and {@code extensions/}. */
    public Path directory() {
        return directory;
    }

    /** How long writing the configuration and starting the broker took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Stops the broker, waits for it, and deletes its directory if this instance made it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            hivemq.stop().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            hivemq.close();
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException(COMPONENT, "broker on " + uri() + " failed to stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException(COMPONENT, "interrupted while stopping the broker on " + uri(), e);
        } finally {
            if (ownsDirectory) {
                Directories.deleteRecursively(directory);
            }
        }
        LOG.info("Embedded MQTT broker on {} stopped", uri());
    }

    @Override
    public String toString() {
        return "EmbeddedMqttBroker[" + uri() + "]";
    }

    /** Configures and starts an {@link EmbeddedMqttBroker}. */
    public static final class Builder {

        private int port;
        private boolean webSocket;
        private Path directory;
        private boolean filePersistence;
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The TCP listener port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port == 0 ? 0 : FreePorts.requireValidPort(port, "port");
            return this;
        }

        /** Also listen for MQTT over WebSocket on a free port ({@link EmbeddedMqttBroker#webSocketUri()}). */
        public Builder webSocket(boolean webSocket) {
            this.webSocket = webSocket;
            return this;
        }

        /** A directory that outlives the broker (not deleted on close); by default a fresh temporary one. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Keep retained messages and sessions on disk in the data folder instead of in memory; default false. */
        public Builder filePersistence(boolean filePersistence) {
            this.filePersistence = filePersistence;
            return this;
        }

        /** How long to wait for the broker to start and to stop; default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Writes the configuration and starts the broker; fails with an {@link InfrastructureException}. */
        public EmbeddedMqttBroker start() {
            int listenerPort = port != 0 ? port : FreePorts.pick();
            if (port != 0) {
                FreePorts.requireFree(port, COMPONENT, "MQTT listener");
            }
            int webSocketPort = webSocket ? FreePorts.pick() : 0;
            boolean owns = directory == null;
            Path root = owns ? Directories.createTemp(COMPONENT, "dabba-mqtt-") : directory;
            long startNanos = System.nanoTime();
            EmbeddedHiveMQ hivemq = null;
            try {
                Path conf = Files.createDirectories(root.resolve("conf"));
                Path data = Files.createDirectories(root.resolve("data"));
                Path extensions = Files.createDirectories(root.resolve("extensions"));
                Files.writeString(conf.resolve("config.xml"), configXml(listenerPort, webSocketPort),
                        StandardCharsets.UTF_8);
                hivemq = EmbeddedHiveMQ.builder()
                        .withConfigurationFolder(conf)
                        .withDataFolder(data)
                        .withExtensionsFolder(extensions)
                        .withoutLoggingBootstrap() // keep our logback configuration; HiveMQ would replace it
                        .build();
                hivemq.start().get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
                Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
                LOG.info("Embedded MQTT broker (HiveMQ CE) on tcp://{}:{}{} started in {} ms", HOST, listenerPort,
                        webSocketPort == 0 ? "" : " and ws://" + HOST + ":" + webSocketPort + WEBSOCKET_PATH,
                        took.toMillis());
                return new EmbeddedMqttBroker(hivemq, listenerPort, webSocketPort, root, owns, took,
                        startupTimeout);
            } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
                closeQuietly(hivemq);
                if (owns) {
                    Directories.deleteRecursively(root);
                }
                if (e instanceof InfrastructureException) {
                    throw (InfrastructureException) e;
                }
                boolean taken = !FreePorts.isFree(listenerPort);
                throw new InfrastructureException(COMPONENT, "broker on tcp://" + HOST + ":" + listenerPort
                        + " (directory " + root + ") failed to start" + (taken ? ": port in use" : ""),
                        e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                closeQuietly(hivemq);
                Thread.currentThread().interrupt();
                throw new InfrastructureException(COMPONENT, "interrupted while starting the broker", e);
            }
        }

        private String configXml(int listenerPort, int webSocketPort) {
            return "<?xml version=\"1.0\"?>\n"
                    + "<!-- written by dev.dabba.embedded.EmbeddedMqttBroker -->\n"
                    + "<hivemq>\n"
                    + "    <listeners>\n"
                    + "        <tcp-listener>\n"
                    + "            <port>" + listenerPort + "</port>\n"
                    + "            <bind-address>" + HOST + "</bind-address>\n"
                    + "        </tcp-listener>\n"
                    + (webSocketPort == 0 ? "" : "        <websocket-listener>\n"
                            + "            <port>" + webSocketPort + "</port>\n"
                            + "            <bind-address>" + HOST + "</bind-address>\n"
                            + "            <path>" + WEBSOCKET_PATH + "</path>\n"
                            + "        </websocket-listener>\n")
                    + "    </listeners>\n"
                    // HiveMQ's default queue for a (shared) subscription is 1,000 messages with strategy discard:
                    // a burst faster than the gateway drains is acknowledged to the publisher and then dropped
                    // (in one HostileInputIT run 2 of 2,710 messages vanished so). Queue up to a million instead.
                    + "    <mqtt>\n"
                    + "        <queued-messages>\n"
                    + "            <max-queue-size>" + MAX_QUEUED_MESSAGES + "</max-queue-size>\n"
                    + "            <strategy>discard</strategy>\n"
                    + "        </queued-messages>\n"
                    + "    </mqtt>\n"
                    + "    <persistence>\n"
                    + "        <mode>" + (filePersistence ? "file" : "in-memory") + "</mode>\n"
                    + "    </persistence>\n"
                    + "    <anonymous-usage-statistics>\n"
                    + "        <enabled>false</enabled>\n"
                    + "    </anonymous-usage-statistics>\n"
                    + "</hivemq>\n";
        }

        private static void closeQuietly(EmbeddedHiveMQ hivemq) {
            if (hivemq == null) {
                return;
            }
            try {
                hivemq.close();
            } catch (Exception e) {
                LOG.warn("Closing an MQTT broker that failed to start also failed", e);
            }
        }
    }
}
