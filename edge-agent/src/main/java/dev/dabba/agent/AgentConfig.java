package dev.dabba.agent;

import dev.dabba.clock.NodeId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything one tower or sensor agent needs to run, typed and validated; the YAML file {@code agent.yaml} maps onto
 * it one to one ({@link AgentConfigFile}, {@code docs/agent-config.md}). Every message names the setting by its path
 * in that file, e.g. {@code outbox.maxBytes}.
 *
 * @param node the node id this agent stamps records as
 * @param profile tower or sensor
 * @param stateDirectory where the outbox, the clock checkpoint and known epochs live; must survive reboots
 * @param mqtt the broker connection
 * @param outbox the durable outbox
 * @param batch how records are grouped into MQTT messages
 * @param handover the clock exchange with neighbouring nodes
 * @param sensor the sensor profile's settings (its MSISDN, gossip); required for {@link Profile#SENSOR}
 * @param input the local HTTP input for collectors
 * @param health the health and Prometheus metrics endpoint
 * @param maxClockOffset how far ahead of the local wall clock a peer's hybrid timestamp may be
 */
public record AgentConfig(
        NodeId node,
        Profile profile,
        Path stateDirectory,
        MqttSettings mqtt,
        OutboxSettings outbox,
        BatchSettings batch,
        HandoverSettings handover,
        SensorSettings sensor,
        HttpSettings input,
        HttpSettings health,
        Duration maxClockOffset) {

    /** Default {@link #maxClockOffset}. */
    public static final Duration DEFAULT_MAX_CLOCK_OFFSET = Duration.ofMinutes(1);

    public AgentConfig {
        Objects.requireNonNull(node, "node must not be null");
        Objects.requireNonNull(profile, "profile must not be null");
        Objects.requireNonNull(stateDirectory, "stateDirectory must not be null");
        Objects.requireNonNull(mqtt, "mqtt must not be null");
        Objects.requireNonNull(outbox, "outbox must not be null");
        Objects.requireNonNull(batch, "batch must not be null");
        Objects.requireNonNull(handover, "handover must not be null");
        Objects.requireNonNull(input, "input must not be null");
        Objects.requireNonNull(health, "health must not be null");
        positive(maxClockOffset, "maxClockOffset");
        if (profile == Profile.SENSOR && (sensor == null || sensor.msisdn() == null)) {
            throw new IllegalArgumentException("sensor.msisdn must be set for profile sensor: a sensor meters its own"
                    + " usage under its own MSISDN");
        }
        if (handover.neighbours().contains(node)) {
            throw new IllegalArgumentException("handover.neighbours must not list the node itself (" + node + ")");
        }
        if (input.enabled() && health.enabled() && input.port() != 0 && input.port() == health.port()
                && input.host().equals(health.host())) {
            throw new IllegalArgumentException("input.port and health.port must differ, both were " + input.port());
        }
    }

    /**
     * A tower config with every default: client id {@code dabba-agent-NODE}, no credentials, no TLS, the default
     * topic root, the local input and health endpoints disabled (embedding programs call the Java API).
     */
    public static AgentConfig of(NodeId node, String brokerUri, Path stateDirectory) {
        return new AgentConfig(node, Profile.TOWER, stateDirectory, MqttSettings.of(brokerUri),
                OutboxSettings.DEFAULTS, BatchSettings.DEFAULTS, HandoverSettings.DEFAULTS, null,
                HttpSettings.DISABLED, HttpSettings.DISABLED, DEFAULT_MAX_CLOCK_OFFSET);
    }

    /** The MQTT client id: the configured one, or {@code dabba-agent-NODE}. */
    public String clientId() {
        return mqtt.clientId() != null ? mqtt.clientId() : clientIdFor(node);
    }

    /** The client id an agent for {@code node} uses by default; the gateway checks it against the batch origin. */
    public static String clientIdFor(NodeId node) {
        return "dabba-agent-" + node.value();
    }

    public AgentConfig withProfile(Profile p, SensorSettings s) {
        return new AgentConfig(node, p, stateDirectory, mqtt, outbox, batch, handover, s, input, health,
                maxClockOffset);
    }

    public AgentConfig withNode(NodeId n) {
        return new AgentConfig(n, profile, stateDirectory, mqtt, outbox, batch, handover, sensor, input, health,
                maxClockOffset);
    }

    public AgentConfig withStateDirectory(Path dir) {
        return new AgentConfig(node, profile, dir, mqtt, outbox, batch, handover, sensor, input, health,
                maxClockOffset);
    }

    public AgentConfig withMqtt(MqttSettings m) {
        return new AgentConfig(node, profile, stateDirectory, m, outbox, batch, handover, sensor, input, health,
                maxClockOffset);
    }

    /** This config with the topic layout {@code topics}. */
    public AgentConfig withTopics(MqttTopics topics) {
        return withMqtt(mqtt.withTopics(topics));
    }

    public AgentConfig withOutbox(OutboxSettings o) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, o, batch, handover, sensor, input, health,
                maxClockOffset);
    }

    public AgentConfig withBatch(BatchSettings b) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, outbox, b, handover, sensor, input, health,
                maxClockOffset);
    }

    public AgentConfig withHandover(HandoverSettings h) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, outbox, batch, h, sensor, input, health,
                maxClockOffset);
    }

    public AgentConfig withInput(HttpSettings i) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, outbox, batch, handover, sensor, i, health,
                maxClockOffset);
    }

    public AgentConfig withHealth(HttpSettings h) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, outbox, batch, handover, sensor, input, h,
                maxClockOffset);
    }

    public AgentConfig withMaxClockOffset(Duration offset) {
        return new AgentConfig(node, profile, stateDirectory, mqtt, outbox, batch, handover, sensor, input, health,
                offset);
    }

    /**
     * The MQTT 5 connection.
     *
     * @param brokerUri {@code tcp://host:port} or {@code ssl://host:port}
     * @param clientId the client id, or null for {@code dabba-agent-NODE}
     * @param username MQTT username, or null
     * @param password MQTT password, or null
     * @param topics the topic layout (its root is {@code mqtt.topicRoot})
     * @param keepAlive MQTT keep-alive
     * @param connectTimeout how long one connection attempt may take
     * @param sessionExpiry how long the broker keeps the session (and handovers sent to it) while disconnected
     * @param inflightWindow most batches published but not yet acknowledged (capped by the broker's receive maximum)
     * @param publishTimeout how long to wait for a PUBACK before giving a batch up and sending it again
     * @param reconnect the backoff between connection attempts
     * @param tls TLS settings, or null for a plain {@code tcp://} connection
     */
    public record MqttSettings(
            String brokerUri,
            String clientId,
            String username,
            String password,
            MqttTopics topics,
            Duration keepAlive,
            Duration connectTimeout,
            Duration sessionExpiry,
            int inflightWindow,
            Duration publishTimeout,
            ReconnectSettings reconnect,
            TlsSettings tls) {

        public MqttSettings {
            Objects.requireNonNull(brokerUri, "mqtt.brokerUri must be set");
            if (!brokerUri.matches("(tcp|ssl)://[^\\s/:]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException("mqtt.brokerUri must look like tcp://host:port or ssl://host:port,"
                        + " was '" + brokerUri + "'");
            }
            if (clientId != null && (clientId.isBlank() || clientId.length() > 128)) {
                throw new IllegalArgumentException("mqtt.clientId must be 1-128 characters, was '" + clientId + "'");
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("mqtt.password is set but mqtt.username is not");
            }
            Objects.requireNonNull(topics, "mqtt.topicRoot must be set");
            positive(keepAlive, "mqtt.keepAlive");
            positive(connectTimeout, "mqtt.connectTimeout");
            positive(sessionExpiry, "mqtt.sessionExpiry");
            if (sessionExpiry.getSeconds() > 0xFFFFFFFEL) {
                throw new IllegalArgumentException("mqtt.sessionExpiry must be below 136 years, was " + sessionExpiry);
            }
            if (inflightWindow < 1 || inflightWindow > 1024) {
                throw new IllegalArgumentException("mqtt.inflightWindow must be 1-1024, was " + inflightWindow);
            }
            positive(publishTimeout, "mqtt.publishTimeout");
            Objects.requireNonNull(reconnect, "mqtt.reconnect must be set");
            if (brokerUri.startsWith("ssl://") && tls == null) {
                tls = TlsSettings.SYSTEM_TRUST;
            }
            if (tls != null && brokerUri.startsWith("tcp://")) {
                throw new IllegalArgumentException("mqtt.tls is set but mqtt.brokerUri '" + brokerUri
                        + "' is plain tcp://; use ssl://host:8883");
            }
        }

        /** Defaults for {@code brokerUri}. */
        public static MqttSettings of(String brokerUri) {
            return new MqttSettings(brokerUri, null, null, null, MqttTopics.DEFAULT, Duration.ofSeconds(30),
                    Duration.ofSeconds(10), Duration.ofHours(24), 8, Duration.ofSeconds(30),
                    ReconnectSettings.DEFAULTS, null);
        }

        public MqttSettings withTopics(MqttTopics t) {
            return new MqttSettings(brokerUri, clientId, username, password, t, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, reconnect, tls);
        }

        public MqttSettings withCredentials(String user, String pass) {
            return new MqttSettings(brokerUri, clientId, user, pass, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, reconnect, tls);
        }

        public MqttSettings withReconnect(ReconnectSettings r) {
            return new MqttSettings(brokerUri, clientId, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, r, tls);
        }

        public MqttSettings withTls(TlsSettings t) {
            return new MqttSettings(brokerUri, clientId, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, reconnect, t);
        }

        public MqttSettings withClientId(String id) {
            return new MqttSettings(brokerUri, id, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, reconnect, tls);
        }

        public MqttSettings withBrokerUri(String uri) {
            return new MqttSettings(uri, clientId, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, publishTimeout, reconnect, tls);
        }

        public MqttSettings withInflightWindow(int window) {
            return new MqttSettings(brokerUri, clientId, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, window, publishTimeout, reconnect, tls);
        }

        public MqttSettings withPublishTimeout(Duration timeout) {
            return new MqttSettings(brokerUri, clientId, username, password, topics, keepAlive, connectTimeout,
                    sessionExpiry, inflightWindow, timeout, reconnect, tls);
        }

        @Override
        public String toString() {
            return "MqttSettings[brokerUri=" + brokerUri + ", clientId=" + clientId + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + ", topics=" + topics.root() + ", tls="
                    + tls + "]";
        }
    }

    /**
     * Exponential backoff with jitter between connection attempts: attempt n waits a random time between
     * {@code (1 - jitter) * d} and {@code d}, where {@code d = min(maxDelay, initialDelay * 2^n)}.
     *
     * @param initialDelay the first delay
     * @param maxDelay the cap
     * @param jitter the random fraction taken off each delay, 0 (none) to 1 ("full jitter")
     */
    public record ReconnectSettings(Duration initialDelay, Duration maxDelay, double jitter) {

        public static final ReconnectSettings DEFAULTS = new ReconnectSettings(Duration.ofSeconds(1),
                Duration.ofMinutes(2), 0.5);

        public ReconnectSettings {
            positive(initialDelay, "mqtt.reconnect.initialDelay");
            positive(maxDelay, "mqtt.reconnect.maxDelay");
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("mqtt.reconnect.maxDelay (" + maxDelay
                        + ") must be at least mqtt.reconnect.initialDelay (" + initialDelay + ")");
            }
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("mqtt.reconnect.jitter must be between 0 and 1, was " + jitter);
            }
        }
    }

    /**
     * TLS for {@code ssl://} brokers; PEM files as Mosquitto and most CAs hand them out.
     *
     * @param caFile the CA certificate(s) that signed the broker's certificate, or null for the JVM's trust store
     * @param certFile this agent's certificate chain for mutual TLS, or null
     * @param keyFile this agent's private key (PKCS#8 PEM, unencrypted), or null; set with {@code certFile}
     * @param verifyHostname whether the broker's certificate must name the host in {@code mqtt.brokerUri}
     */
    public record TlsSettings(Path caFile, Path certFile, Path keyFile, boolean verifyHostname) {

        /** TLS trusting the JVM's CAs, no client certificate, host names verified. */
        public static final TlsSettings SYSTEM_TRUST = new TlsSettings(null, null, null, true);

        public TlsSettings {
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("mqtt.tls.certFile and mqtt.tls.keyFile must be set together "
                        + "for mutual TLS (certFile " + certFile + ", keyFile " + keyFile + ")");
            }
        }

        /** Whether the agent presents a client certificate. */
        public boolean mutual() {
            return certFile != null;
        }
    }

    /**
     * The durable outbox.
     *
     * @param maxBytes the most disk the outbox may use; at the limit new records meet {@code whenFull}
     * @param segmentBytes the size at which a segment file is closed and a new one begun; acknowledged segments are
     *     deleted whole, so space comes back in these steps
     * @param fsync when appends are forced to the device
     * @param fsyncInterval the period of {@link FsyncPolicy#INTERVAL}
     * @param whenFull refuse or block when full; records are never dropped
     * @param blockTimeout how long {@link FullPolicy#BLOCK} waits for space before refusing
     */
    public record OutboxSettings(long maxBytes, long segmentBytes, FsyncPolicy fsync, Duration fsyncInterval,
            FullPolicy whenFull, Duration blockTimeout) {

        /** Smallest segment accepted. */
        public static final long MIN_SEGMENT_BYTES = 64 * 1024;
        public static final OutboxSettings DEFAULTS = new OutboxSettings(256L << 20, 8L << 20, FsyncPolicy.BATCH,
                Duration.ofSeconds(1), FullPolicy.REFUSE, Duration.ofSeconds(5));

        public OutboxSettings {
            if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > (1L << 30)) {
                throw new IllegalArgumentException("outbox.segmentBytes must be 64KiB-1GiB, was " + segmentBytes);
            }
            if (maxBytes < 2 * segmentBytes) {
                throw new IllegalArgumentException("outbox.maxBytes must be at least two segments (2 x "
                        + "outbox.segmentBytes = " + 2 * segmentBytes + " bytes), was " + maxBytes);
            }
            Objects.requireNonNull(fsync, "outbox.fsync must be set");
            positive(fsyncInterval, "outbox.fsyncInterval");
            Objects.requireNonNull(whenFull, "outbox.whenFull must be set");
            positive(blockTimeout, "outbox.blockTimeout");
        }

        public OutboxSettings withMaxBytes(long max, long segment) {
            return new OutboxSettings(max, segment, fsync, fsyncInterval, whenFull, blockTimeout);
        }

        public OutboxSettings withFsync(FsyncPolicy policy) {
            return new OutboxSettings(maxBytes, segmentBytes, policy, fsyncInterval, whenFull, blockTimeout);
        }

        public OutboxSettings withWhenFull(FullPolicy policy, Duration timeout) {
            return new OutboxSettings(maxBytes, segmentBytes, fsync, fsyncInterval, policy, timeout);
        }
    }

    /**
     * How records are grouped into one MQTT message: a batch closes at {@code maxRecords}, at {@code maxBytes} of
     * stored records, or {@code linger} after its first record, whichever comes first.
     *
     * @param maxRecords most records per batch
     * @param maxBytes most bytes of records per batch, before compression
     * @param linger how long a record may wait for company
     * @param zstdLevel zstd compression level, 1-19
     */
    public record BatchSettings(int maxRecords, int maxBytes, Duration linger, int zstdLevel) {

        public static final BatchSettings DEFAULTS = new BatchSettings(2_000, 256 * 1024, Duration.ofMillis(50), 3);

        public BatchSettings {
            if (maxRecords < 1 || maxRecords > 100_000) {
                throw new IllegalArgumentException("batch.maxRecords must be 1-100000, was " + maxRecords);
            }
            if (maxBytes < 1024 || maxBytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("batch.maxBytes must be 1KiB-16MiB, was " + maxBytes);
            }
            Objects.requireNonNull(linger, "batch.linger must be set");
            if (linger.isNegative() || linger.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("batch.linger must be 0-1m, was " + linger);
            }
            if (zstdLevel < 1 || zstdLevel > 19) {
                throw new IllegalArgumentException("batch.zstdLevel must be 1-19, was " + zstdLevel);
            }
        }
    }

    /**
     * The clock exchange between neighbours.
     *
     * @param neighbours the nodes this one exchanges clocks with (sensors gossip with them; towers may hand over to
     *     any node, these are documentation and the simulator's mobility graph)
     * @param arrivalWait how long a record of a subscriber announced as arriving waits for the previous tower's
     *     clock before it is stamped anyway
     * @param ackTimeout how long a sent handover waits for its acknowledgement before it counts as lost
     * @param holdUnknownEpoch how long a received handover in an epoch not known here is held for the epoch
     * @param maxHeld most handovers held at once
     */
    public record HandoverSettings(List<NodeId> neighbours, Duration arrivalWait, Duration ackTimeout,
            Duration holdUnknownEpoch, int maxHeld) {

        public static final HandoverSettings DEFAULTS = new HandoverSettings(List.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 1_000);

        public HandoverSettings {
            neighbours = List.copyOf(Objects.requireNonNull(neighbours, "handover.neighbours must not be null"));
            if (neighbours.size() != neighbours.stream().distinct().count()) {
                throw new IllegalArgumentException("handover.neighbours lists a node twice: " + neighbours);
            }
            Objects.requireNonNull(arrivalWait, "handover.arrivalWait must be set");
            if (arrivalWait.isNegative()) {
                throw new IllegalArgumentException("handover.arrivalWait must not be negative, was " + arrivalWait);
            }
            positive(ackTimeout, "handover.ackTimeout");
            positive(holdUnknownEpoch, "handover.holdUnknownEpoch");
            if (maxHeld < 1) {
                throw new IllegalArgumentException("handover.maxHeld must be positive, was " + maxHeld);
            }
        }

        public HandoverSettings withNeighbours(List<NodeId> n) {
            return new HandoverSettings(n, arrivalWait, ackTimeout, holdUnknownEpoch, maxHeld);
        }

        public HandoverSettings withArrivalWait(Duration wait) {
            return new HandoverSettings(neighbours, wait, ackTimeout, holdUnknownEpoch, maxHeld);
        }

        public HandoverSettings withHoldUnknownEpoch(Duration hold) {
            return new HandoverSettings(neighbours, arrivalWait, ackTimeout, hold, maxHeld);
        }
    }

    /**
     * The sensor profile.
     *
     * @param msisdn the sensor's own subscriber number, which pays for its usage
     * @param gossipInterval how often the sensor sends its clock to each neighbour
     * @param radio the radio the sensor meters its data on by default
     */
    public record SensorSettings(Msisdn msisdn, Duration gossipInterval, RadioType radio) {

        public SensorSettings {
            Objects.requireNonNull(msisdn, "sensor.msisdn must be set");
            positive(gossipInterval, "sensor.gossipInterval");
            Objects.requireNonNull(radio, "sensor.radio must be set");
        }

        public static SensorSettings of(Msisdn msisdn) {
            return new SensorSettings(msisdn, Duration.ofSeconds(30), RadioType.G4);
        }
    }

    /**
     * A local HTTP listener (the collector input, or health and metrics).
     *
     * @param enabled whether to listen at all
     * @param host the address to bind, {@code 127.0.0.1} to stay local
     * @param port the TCP port; 0 picks a free one
     * @param maxRequestBytes the largest request body accepted
     */
    public record HttpSettings(boolean enabled, String host, int port, int maxRequestBytes) {

        public static final HttpSettings DISABLED = new HttpSettings(false, "127.0.0.1", 0, 4 << 20);

        public HttpSettings {
            Objects.requireNonNull(host, "host must be set");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
            if (maxRequestBytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1KiB, was " + maxRequestBytes);
            }
        }

        /** Listening on {@code host:port}. */
        public static HttpSettings on(String host, int port) {
            return new HttpSettings(true, host, port, 4 << 20);
        }
    }

    static void positive(Duration d, String field) {
        Objects.requireNonNull(d, field + " must be set");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + d);
        }
    }
}
