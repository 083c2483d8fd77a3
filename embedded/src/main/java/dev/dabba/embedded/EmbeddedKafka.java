package dev.dabba.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft combined mode (broker and controller in one node), in this JVM.
 *
 * <p>Each instance formats its own storage directory, listens on 127.0.0.1, and configures the internal topics
 * (consumer offsets, transaction state, share-group state) with replication factor 1 so that consumer groups and
 * transactions work. {@link #close()} shuts the broker down and, unless the caller supplied the data directory,
 * deletes it. An instance started with the same ports and data directory as a closed one resumes its data, which is
 * how tests restart Kafka.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String COMPONENT = "embedded Kafka";
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final int MAX_PORT_ATTEMPTS = 3;
    private static final String META_PROPERTIES = "meta.properties";

    private final KafkaRaftServer server;
    private final Path dataDirectory;
    private final boolean ownsDataDirectory;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final Duration startupTime;
    private final Duration operationTimeout;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(Started started, Builder builder) {
        this.server = started.server();
        this.dataDirectory = started.dataDirectory();
        this.ownsDataDirectory = started.ownsDataDirectory();
        this.brokerPort = started.brokerPort();
        this.controllerPort = started.controllerPort();
        this.clusterId = started.clusterId();
        this.startupTime = started.startupTime();
        this.operationTimeout = builder.startupTimeout;
    }

    /** Starts a broker on free ports with a fresh temporary data directory. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    /** Returns a builder for a broker with non-default ports, data directory or broker properties. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:41234}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** The port of the PLAINTEXT client listener. */
    public int brokerPort() {
        return brokerPort;
    }

    /** The port of the KRaft controller listener. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The cluster id written when the storage was formatted. */
    public String clusterId() {
        return clusterId;
    }

    /** The directory holding the metadata log and all partition logs. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** How long formatting and starting the broker took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Creates topics with default configuration, given the partition count of each; existing topics are an error. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        createTopics(partitionsByTopic.entrySet().stream()
                .map(e -> TopicSpec.of(e.getKey(), e.getValue()))
                .collect(Collectors.toList()));
    }

    /** Creates the given topics and waits until every partition has a leader; existing topics are an error. */
    public void createTopics(TopicSpec... topics) {
        createTopics(List.of(topics));
    }

    /** Creates the given topics and waits until every partition has a leader; existing topics are an error. */
    public synchronized void createTopics(Collection<TopicSpec> topics) {
        requireOpen();
        if (topics.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec spec : topics) {
            newTopics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.config()));
        }
        List<String> names = topics.stream().map(TopicSpec::name).collect(Collectors.toList());
        try {
            admin().createTopics(newTopics).all().get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(names);
        } catch (ExecutionException e) {
            String why = e.getCause() instanceof TopicExistsException ? "a topic already exists" : "creation failed";
            throw new InfrastructureException(COMPONENT, "could not create topics " + names + ": " + why, e.getCause());
        } catch (TimeoutException e) {
            throw new InfrastructureException(COMPONENT,
                    "topics " + names + " were not created within " + operationTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException(COMPONENT, "interrupted while creating topics " + names, e);
        }
    }

    /** Shuts broker and controller down, waits for them, and deletes the data directory if this instance made it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            throw new InfrastructureException(COMPONENT, "broker on " + bootstrapServers() + " failed to shut down", e);
        } finally {
            if (ownsDataDirectory) {
                Directories.deleteRecursively(dataDirectory);
            }
        }
        LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", cluster " + clusterId + "]";
    }

    private Admin admin() {
        if (admin == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
            admin = Admin.create(config);
        }
        return admin;
    }

    private void awaitLeaders(List<String> names) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + operationTimeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin().describeTopics(names).allTopicNames()
                        .get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // metadata not propagated yet (UnknownTopicOrPartition); try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " have no leader");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka on " + bootstrapServers() + " is closed");
        }
    }

    /** Configures and starts an {@link EmbeddedKafka}. */
    public static final class Builder {

        private int brokerPort;
        private int controllerPort;
        private Path dataDirectory;
        private Duration startupTimeout = Duration.ofSeconds(60);
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** The client listener port; 0 (the default) picks a free one. */
        public Builder brokerPort(int port) {
            this.brokerPort = port == 0 ? 0 : FreePorts.requireValidPort(port, "brokerPort");
            return this;
        }

        /** The KRaft controller listener port; 0 (the default) picks a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = port == 0 ? 0 : FreePorts.requireValidPort(port, "controllerPort");
            return this;
        }

        /**
         * A data directory that outlives the broker: formatted if empty, reused as is if already formatted, and not
         * deleted on close. By default a fresh temporary directory is used and deleted on close.
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "dataDirectory");
            return this;
        }

        /** How long to wait for the broker to start and for admin operations; default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Overrides one broker configuration property (e.g. {@code auto.create.topics.enable=false}). */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Formats the storage if needed and starts the broker; fails with an {@link InfrastructureException}. */
        public EmbeddedKafka start() {
            boolean autoPorts = brokerPort == 0 || controllerPort == 0;
            int attempts = autoPorts ? MAX_PORT_ATTEMPTS : 1;
            InfrastructureException last = null;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    return new EmbeddedKafka(startOnce(), this);
                } catch (PortTakenException e) {
                    last = e.failure;
                    LOG.debug("Kafka port taken on attempt {}, retrying with other ports", attempt, e.failure);
                }
            }
            throw last;
        }

        private Started startOnce() {
            int[] ports = FreePorts.pick(2);
            int broker = brokerPort != 0 ? brokerPort : ports[0];
            int controller = controllerPort != 0 ? controllerPort : (ports[1] == broker ? ports[0] : ports[1]);
            if (broker == controller) {
                throw new IllegalArgumentException("brokerPort and controllerPort must differ, both were " + broker);
            }
            if (brokerPort != 0) {
                FreePorts.requireFree(brokerPort, COMPONENT, "broker listener");
            }
            if (controllerPort != 0) {
                FreePorts.requireFree(controllerPort, COMPONENT, "controller listener");
            }
            boolean owns = dataDirectory == null;
            Path dir = owns ? Directories.createTemp(COMPONENT, "dabba-kafka-") : createIfMissing(dataDirectory);
            long startNanos = System.nanoTime();
            KafkaRaftServer server = null;
            try {
                String clusterId = formatIfNeeded(dir);
                KafkaConfig config = new KafkaConfig(brokerConfig(dir, broker, controller), false);
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
                LOG.info("Embedded Kafka {} (KRaft) on {}:{} started in {} ms", kafkaVersion(), HOST, broker,
                        took.toMillis());
                return new Started(server, dir, owns, broker, controller, clusterId, took);
            } catch (RuntimeException e) {
                stopQuietly(server);
                if (owns) {
                    Directories.deleteRecursively(dir);
                }
                if (e instanceof InfrastructureException) {
                    throw e;
                }
                InfrastructureException failure = new InfrastructureException(COMPONENT,
                        "broker on " + HOST + ":" + broker + " (controller " + HOST + ":" + controller
                                + ", data " + dir + ") failed to start" + (isBindFailure(e) ? ": port in use" : ""),
                        e);
                if (isBindFailure(e) && (brokerPort == 0 || controllerPort == 0)) {
                    throw new PortTakenException(failure);
                }
                throw failure;
            }
        }

        private Map<String, String> brokerConfig(Path dir, int broker, int controller) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("process.roles", "broker,controller");
            p.put("node.id", Integer.toString(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controller);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + broker + ",CONTROLLER://" + HOST + ":" + controller);
            p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + broker);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("log.dirs", dir.toString());
            // one node: every internal topic has one replica and needs one in-sync replica
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("num.partitions", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            // Flink's exactly-once KafkaSink may ask for transaction timeouts up to an hour
            p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(1).toMillis()));
            // small machine: fewer threads and a small compaction buffer (the default allocates 128 MiB)
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            p.put("background.threads", "4");
            p.put("log.cleaner.threads", "1");
            p.put("log.cleaner.dedupe.buffer.size", Long.toString(16L * 1024 * 1024));
            p.put("server.max.startup.time.ms", Long.toString(startupTimeout.toMillis()));
            p.putAll(brokerProperties);
            return p;
        }

        private String formatIfNeeded(Path dir) {
            Path meta = dir.resolve(META_PROPERTIES);
            if (Files.exists(meta)) {
                return readClusterId(meta);
            }
            String clusterId = Uuid.randomUuid().toString();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                new Formatter()
                        .setPrintStream(out)
                        .setNodeId(NODE_ID)
                        .setClusterId(clusterId)
                        .setControllerListenerName("CONTROLLER")
                        .addDirectory(dir.toString())
                        .setMetadataLogDirectory(dir.toString())
                        .run();
            } catch (Exception e) {
                throw new InfrastructureException(COMPONENT, "storage format of " + dir + " failed: "
                        + output.toString(StandardCharsets.UTF_8).trim(), e);
            }
            return clusterId;
        }

        private static String readClusterId(Path meta) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                properties.load(in);
            } catch (IOException e) {
                throw new InfrastructureException(COMPONENT, "could not read " + meta, e);
            }
            String id = properties.getProperty("cluster.id");
            if (id == null) {
                throw new InfrastructureException(COMPONENT, meta + " has no cluster.id: not a KRaft data directory",
                        null);
            }
            return id;
        }

        private static Path createIfMissing(Path dir) {
            try {
                return Files.createDirectories(dir);
            } catch (IOException e) {
                throw new InfrastructureException(COMPONENT, "could not create data directory " + dir, e);
            }
        }

        private static void stopQuietly(KafkaRaftServer server) {
            if (server == null) {
                return;
            }
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Shutting down a Kafka broker that failed to start also failed", e);
            }
        }

        private static boolean isBindFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof BindException
                        || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                    return true;
                }
            }
            return false;
        }

        private static String kafkaVersion() {
            return org.apache.kafka.common.utils.AppInfoParser.getVersion();
        }
    }

    private record Started(KafkaRaftServer server, Path dataDirectory, boolean ownsDataDirectory, int brokerPort,
                           int controllerPort, String clusterId, Duration startupTime) {
    }

    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient InfrastructureException failure;

        PortTakenException(InfrastructureException failure) {
            super(failure.getMessage(), failure);
            this.failure = failure;
        }
    }
}
