package dev.dabba.agent;

import dev.dabba.agent.internal.calls.CallTracker;
import dev.dabba.agent.internal.handover.ArrivalGate;
import dev.dabba.agent.internal.handover.HandoverExchange;
import dev.dabba.agent.internal.health.HealthServer;
import dev.dabba.agent.internal.input.HttpInput;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.agent.internal.mqtt.MqttLink;
import dev.dabba.agent.internal.outbox.Outbox;
import dev.dabba.agent.internal.publish.Publisher;
import dev.dabba.agent.internal.publish.RecentRecords;
import dev.dabba.agent.internal.state.Checkpoint;
import dev.dabba.agent.internal.state.CheckpointStore;
import dev.dabba.agent.internal.state.EpochStore;
import dev.dabba.agent.internal.state.FloorClock;
import dev.dabba.clock.ClockSkewException;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.Handover;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent on one tower or sensor: stamps usage records with the node's clocks, stores them in a durable outbox
 * before answering, publishes them in batches over MQTT 5 with QoS 1, and exchanges clocks with neighbours.
 *
 * <p>A record the agent has answered for ({@link #record} returned, or HTTP 200) is in the outbox, written to the
 * operating system (and forced to the device if {@code outbox.fsync} is {@code record}); it is published until the
 * broker acknowledges it, across disconnections, broker restarts and agent restarts. Its event id is the node's own
 * clock entry, which never repeats: a restarted agent resumes its clock from its checkpoint and the newest record
 * in its outbox. The broker may see a record more than once, always with the same event id and content.
 *
 * <p>Starting never waits for the broker: records are accepted while it is away and flow once it is back.
 * Thread-safe.
 */
public final class EdgeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);
    /** Records kept in memory after stamping, so the publisher rarely decodes (a power of two). */
    private static final int RECENT_RECORDS = 4096;

    private final AgentConfig config;
    private final Clock wallClock;
    private final Metrics metrics = new Metrics();
    private final RecordCodec storeCodec = RecordCodec.withoutCompression();
    private final RecordCodec wireCodec;
    private final EpochRegistry epochs = new EpochRegistry();
    private final ReentrantLock lock = new ReentrantLock();
    private final Object checkpointLock = new Object();
    /** The last few handovers merged per subscriber, for {@link #awaitHandover}; the most recent subscribers only. */
    private final Map<Msisdn, BlockingQueue<Handover>> received = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Msisdn, BlockingQueue<Handover>> eldest) {
                    return size() > 1_024;
                }
            });
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.atomic.AtomicBoolean resendQueued =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicBoolean maintenanceQueued = new AtomicBoolean();
    private final CallPartEncoding callEncoding;
    private final Metrics.Counter stamped;
    private final Metrics.Counter refused;
    private final Metrics.Counter skews;
    private final Metrics.Counter epochsAdopted;
    private final Metrics.Counter epochsRejected;
    private final Metrics.Counter lineageSwitches;
    private final Metrics.Counter recordsRebased;
    private final Metrics.Counter inputRejected;
    private FileChannel lockChannel;
    private FileLock stateLock;
    private CheckpointStore checkpoints;
    private EpochStore epochStore;
    private Outbox outbox;
    private TowerClock towerClock;
    private Publisher publisher;
    private RecentRecords recent;
    private MqttLink link;
    private HandoverExchange exchange;
    private ArrivalGate gate;
    private CallTracker calls;
    private HttpInput input;
    private HealthServer health;
    private volatile long lastCheckpointedAck = -1;
    /** The latest epoch: records of another lineage are published with full clocks (see {@link #forTheJob}). */
    private volatile Epoch wireEpoch = Epoch.GENESIS;
    /** Guards {@link #epochHeard} and {@link #waitingWindow}: the publisher waits for the retained announcement. */
    private final Object publisherGate = new Object();
    /** Whether an epoch announcement arrived since the link last went down. */
    private boolean epochHeard;
    /** The in-flight window of the connection whose publisher waits for the announcement; 0 when none waits. */
    private int waitingWindow;
    private volatile boolean closed;

    private EdgeAgent(AgentConfig config, Clock wallClock, CallPartEncoding callEncoding) {
        this.config = config;
        this.wallClock = wallClock;
        this.callEncoding = callEncoding;
        this.wireCodec = RecordCodec.standard().withCompression(RecordCodec.DEFAULT_COMPRESS_THRESHOLD,
                config.batch().zstdLevel());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dabba-agent-" + config.node());
            t.setDaemon(true);
            return t;
        });
        this.stamped = metrics.counter("dabba_agent_records_stamped_total", "Records stamped and stored.");
        this.refused = metrics.counter("dabba_agent_records_refused_total",
                "Records refused because the outbox was full (the caller was told; nothing was stamped).");
        this.skews = metrics.counter("dabba_agent_clock_skew_total",
                "Received hybrid timestamps too far ahead of the local wall clock (merged, not absorbed).");
        this.epochsAdopted = metrics.counter("dabba_agent_epochs_adopted_total", "Epoch announcements adopted.");
        this.epochsRejected = metrics.counter("dabba_agent_epochs_rejected_total",
                "Epoch announcements rejected as malformed or contradicting a known epoch.");
        this.lineageSwitches = metrics.counter("dabba_agent_epoch_lineage_switches_total",
                "Moves to a newer epoch lineage (a billing job that lost the announced epochs opened a new one).");
        this.recordsRebased = metrics.counter("dabba_agent_records_rebased_total",
                "Records published with their full clock because their epoch belongs to a lineage left behind.");
        this.inputRejected = metrics.counter("dabba_agent_records_invalid_total",
                "Records refused as invalid for this agent's profile.");
    }

    /**
     * Starts an agent: recovers its state from {@code config.stateDirectory()}, starts connecting to the broker in
     * the background, and starts the local input and health endpoints if configured. Returns without waiting for
     * the broker.
     *
     * @throws AgentException if the state directory cannot be used (held by another agent, corrupt, another node's)
     */
    public static EdgeAgent start(AgentConfig config, Clock wallClock) {
        return start(config, wallClock, CallPartEncoding.PARTIAL_RECORDS);
    }

    /** {@link #start(AgentConfig, Clock)} with a chosen encoding of partial calls. */
    public static EdgeAgent start(AgentConfig config, Clock wallClock, CallPartEncoding callEncoding) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(wallClock, "wallClock");
        EdgeAgent agent = new EdgeAgent(config, wallClock, Objects.requireNonNull(callEncoding, "callEncoding"));
        try {
            agent.open();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            if (e instanceof AgentException ae) {
                throw ae;
            }
            throw new AgentException(config.node() + ": cannot start: " + e.getMessage(), e);
        }
    }

    private void open() throws IOException {
        Path state = Files.createDirectories(config.stateDirectory());
        lockChannel = FileChannel.open(state.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            stateLock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            stateLock = null;
        }
        if (stateLock == null) {
            throw new AgentException(config.node() + ": state directory " + state + " is in use by another agent");
        }
        epochStore = new EpochStore(state);
        for (Epoch e : epochStore.loadAll()) {
            try {
                epochs.acceptStored(e);
            } catch (IllegalArgumentException ex) {
                LOG.error("{}: stored epoch {} contradicts another stored epoch and is ignored: {}", config.node(),
                        e.number(), ex.getMessage());
            }
        }
        checkpoints = new CheckpointStore(state);
        Checkpoint cp;
        try {
            cp = checkpoints.read();
        } catch (IOException e) {
            throw new AgentException(config.node() + ": " + e.getMessage() + ". The agent cannot know which event "
                    + "ids it has used, so it will not start; see the recovery steps in deploy/agent/README.md", e);
        }
        if (cp != null && !cp.node().equals(config.node())) {
            throw new AgentException("state directory " + state + " belongs to node " + cp.node() + ", not "
                    + config.node() + "; give each node its own stateDirectory");
        }
        VectorClock clock = VectorClock.empty();
        HybridTimestamp floor = HybridTimestamp.ZERO;
        if (cp != null) {
            Epoch epoch = epochs.resolve(cp.epoch());
            if (epoch == null) {
                throw new AgentException(config.node() + ": the checkpoint's epoch " + cp.epoch() + " is not in "
                        + state.resolve("epochs") + "; the state directory is incomplete");
            }
            clock = VectorClock.ofDelta(epoch, cp.deltaIds(), cp.deltaCounters());
            floor = cp.hlc();
        }
        outbox = Outbox.open(state.resolve("outbox"), config.outbox(), cp == null ? 0 : cp.acknowledged(),
                clock.epoch().number(), metrics);
        byte[] last = outbox.lastPayload();
        if (last != null) {
            UsageRecord newest = storeCodec.decodeRecord(last, epochs);
            if (!newest.origin().equals(config.node())) {
                throw new AgentException("the outbox in " + state + " holds records of " + newest.origin() + ", not "
                        + config.node());
            }
            clock = clock.merge(newest.clock());
            if (newest.hlc().compareTo(floor) > 0) {
                floor = newest.hlc();
            }
        }
        Epoch stored = epochs.latest();
        if (stored.number() > clock.epoch().number()) {
            // An epoch is stored before it is adopted: the agent stopped in between. Finish the adoption.
            clock = clock.merge(stored.baseClock());
            outbox.epochAdopted(stored.number());
            LOG.info("{}: adopting the stored epoch {} it had not adopted before stopping", config.node(),
                    stored.number());
        }
        HybridLogicalClock hlc = new HybridLogicalClock(new FloorClock(wallClock, floor.wallMillis()),
                config.maxClockOffset());
        if (!floor.equals(HybridTimestamp.ZERO)) {
            hlc.update(floor);
            long behind = floor.wallMillis() - wallClock.millis();
            if (behind > config.maxClockOffset().toMillis()) {
                LOG.warn("{}: the wall clock is {} ms behind the last timestamp before the restart (no RTC, NTP not "
                        + "synced yet?); hybrid timestamps continue from the last one", config.node(), behind);
            }
        }
        towerClock = new TowerClock(config.node(), hlc, clock);
        LOG.info("{}: resuming at sequence {} in epoch {} with {} records to publish", config.node(),
                clock.get(config.node()), clock.epoch().number(), outbox.depth());
        registerGauges();
        writeCheckpoint(outbox.acknowledgedIndex());

        gate = new ArrivalGate(System::nanoTime, metrics);
        calls = new CallTracker(config.node());
        String ackTopic = HandoverExchange.ackTopic(config.mqtt().topics(), config.node());
        List<String> subscriptions = List.of(config.mqtt().topics().handover(config.node()), ackTopic,
                config.mqtt().topics().epochs());
        link = new MqttLink(config, subscriptions, new LinkListener(), metrics,
                () -> ThreadLocalRandom.current().nextDouble());
        exchange = new HandoverExchange(config.node(), config.mqtt().topics(), wireCodec, epochs, config.handover(),
                new ExchangeHost(), (topic, payload, props) -> link.publish(topic, payload, 1, false, props, null),
                System::nanoTime, metrics);
        recent = new RecentRecords(RECENT_RECORDS, (index, bytes) -> storeCodec.decodeRecord(bytes, epochs));
        wireEpoch = epochs.latest();
        Publisher.RecordSource forTheJob = new Publisher.RecordSource() {
            @Override
            public UsageRecord record(long index, byte[] payload) {
                return forTheJob(recent.record(index, payload));
            }

            @Override
            public boolean has(long index) {
                return recent.has(index);
            }
        };
        String recordsTopic = config.mqtt().topics().records(config.node());
        publisher = new Publisher(config.node(), outbox, forTheJob, wireCodec,
                new Publisher.Transport() {
                    @Override
                    public IMqttToken publish(String topic, byte[] payload, MqttActionListener callback)
                            throws Exception {
                        return link.publish(topic, payload, 1, false, null, callback);
                    }

                    @Override
                    public void reconnect(String reason) {
                        link.reconnect(reason);
                    }

                    @Override
                    public int held() {
                        // every publish the client holds, handovers and their acknowledgements too: they share the
                        // broker's receive maximum, and records filling it keep the handovers waiting (counting
                        // the records only, the quick benchmark's towers took 7-8 s to stamp a round, not 3-5)
                        return link.heldPublishes();
                    }

                    @Override
                    public boolean stillHolds(IMqttToken token) {
                        return link.holds(token);
                    }
                },
                recordsTopic, config.batch(), config.mqtt().publishTimeout(),
                System::nanoTime, this::queueMaintenance, state.resolve("quarantine"), metrics);
        publisher.start();
        link.start();
        scheduler.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
        if (config.outbox().fsync() == FsyncPolicy.INTERVAL) {
            long every = config.outbox().fsyncInterval().toMillis();
            scheduler.scheduleWithFixedDelay(this::syncQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        if (config.profile() == Profile.SENSOR) {
            long every = config.sensor().gossipInterval().toMillis();
            scheduler.scheduleWithFixedDelay(this::gossipQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        if (config.input().enabled()) {
            input = HttpInput.start(this, config.input(), metrics);
        }
        if (config.health().enabled()) {
            health = HealthServer.start(this, config.health());
        }
    }

    private void registerGauges() {
        metrics.gauge("dabba_agent_clock_entries", "Non-zero entries of the node's vector clock.",
                () -> clock().size());
        metrics.gauge("dabba_agent_clock_delta_entries",
                "Entries of the node's clock above its epoch base (what records carry on the wire).",
                () -> clock().deltaSize());
        metrics.gauge("dabba_agent_epoch", "The epoch the node's clock is in.", () -> clock().epoch().number());
        metrics.gauge("dabba_agent_sequence", "The node's own clock entry: the last event id's sequence.",
                () -> clock().get(config.node()));
        metrics.gauge("dabba_agent_info", "Constant 1, labelled with the node and profile.",
                "node=\"" + config.node() + "\",profile=\"" + config.profile().label() + "\"", () -> 1);
    }

    // ------------------------------------------------------------------------------------------------- records

    /** The node this agent stamps records as. */
    public NodeId node() {
        return config.node();
    }

    /** The configuration. */
    public AgentConfig config() {
        return config;
    }

    /** The node's current vector clock. */
    public VectorClock clock() {
        lock.lock();
        try {
            return towerClock.clock();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stamps one usage record and stores it; returns once it is stored as {@code outbox.fsync} promises.
     *
     * @throws OutboxFullException if the outbox is full (after waiting, with {@code outbox.whenFull: block})
     * @throws IllegalArgumentException if the usage does not fit this agent's profile
     */
    public UsageRecord record(Msisdn subscriber, Instant start, Usage usage) {
        return recordAll(List.of(new UsageEvent(subscriber, start, usage))).get(0);
    }

    /**
     * Stamps and stores several records with one write (and at most one force): all or none. Records of a subscriber
     * announced as arriving ({@link #expectArrival}) first wait for the previous tower's clock.
     *
     * @throws OutboxFullException if they do not fit; none was stamped
     */
    public List<UsageRecord> recordAll(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        Set<Msisdn> subscribers = new LinkedHashSet<>();
        for (UsageEvent e : events) {
            checkProfile(e);
            subscribers.add(e.subscriber());
        }
        for (Msisdn s : subscribers) {
            gate.awaitClear(s, config.handover().arrivalWait());
        }
        long deadline = System.nanoTime() + config.outbox().blockTimeout().toNanos();
        while (true) {
            List<UsageRecord> records = new ArrayList<>(events.size());
            long end;
            lock.lock();
            try {
                ensureOpen();
                VectorClock before = towerClock.clock();
                List<byte[]> payloads = new ArrayList<>(events.size());
                try {
                    for (UsageEvent e : events) {
                        UsageRecord r = towerClock.stamp(e.subscriber(), e.start(), e.usage());
                        records.add(r);
                        payloads.add(storeCodec.encodeRecord(r));
                    }
                } catch (RuntimeException invalid) {
                    // e.g. a start the record model refuses: none of the batch was stored, so none was stamped
                    towerClock.rollBack(before);
                    inputRejected.increment();
                    throw invalid;
                }
                try {
                    long first = outbox.append(payloads);
                    recent.put(first, records);
                    end = first + payloads.size();
                } catch (Outbox.OutboxFull full) {
                    towerClock.rollBack(before);
                    if (config.outbox().whenFull() == FullPolicy.BLOCK && System.nanoTime() < deadline) {
                        end = -1;
                    } else {
                        refused.add(events.size());
                        throw new OutboxFullException(config.node() + ": outbox full (" + full.usedBytes() + " of "
                                + full.maxBytes() + " bytes wait for the broker's acknowledgement); " + events.size()
                                + " record(s) refused, not stamped: retry later", full.usedBytes(), full.maxBytes());
                    }
                } catch (IOException io) {
                    towerClock.rollBack(before);
                    throw new AgentException(config.node() + ": storing " + events.size() + " record(s) failed: "
                            + io.getMessage(), io);
                }
            } finally {
                lock.unlock();
            }
            if (end < 0) {
                try {
                    outbox.awaitSpace(Math.max(1, deadline - System.nanoTime()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AgentException(config.node() + ": interrupted waiting for outbox space", ie);
                }
                continue;
            }
            publisher.wake();
            if (config.outbox().fsync() == FsyncPolicy.RECORD) {
                try {
                    outbox.syncTo(end);
                } catch (IOException io) {
                    throw new AgentException(config.node() + ": forcing the outbox failed: " + io.getMessage(), io);
                }
            }
            stamped.add(records.size());
            return records;
        }
    }

    private void checkProfile(UsageEvent e) {
        if (config.profile() != Profile.SENSOR) {
            return;
        }
        if (!e.subscriber().equals(config.sensor().msisdn())) {
            inputRejected.increment();
            throw new IllegalArgumentException("subscriber: a sensor records its own usage only (" + config.sensor()
                    .msisdn() + "), was " + e.subscriber());
        }
        if (e.usage() instanceof Usage.Call) {
            inputRejected.increment();
            throw new IllegalArgumentException("type: a sensor meters data and SMS, not calls");
        }
    }

    /** A sensor meters its own data usage on its configured radio. */
    public UsageRecord meter(Instant start, long uplinkBytes, long downlinkBytes) {
        if (config.profile() != Profile.SENSOR) {
            throw new IllegalStateException(config.node() + " is a " + config.profile().label() + ", not a sensor");
        }
        RadioType radio = config.sensor().radio();
        return record(config.sensor().msisdn(), start, new Usage.Data(radio, uplinkBytes, downlinkBytes));
    }

    // ----------------------------------------------------------------------------------------------------- calls

    /** A call by {@code caller} starts at this tower; returns the call id. */
    public String startCall(Msisdn caller, Msisdn callee, CallType type, Instant start) {
        checkProfile(new UsageEvent(caller, start, new Usage.Call(callee, type, 0)));
        return calls.start(caller, callee, type, start);
    }

    /** The call of {@code caller} ends here at {@code end}: its last part is stamped and stored. */
    public UsageRecord endCall(Msisdn caller, Instant end) {
        gate.awaitClear(caller, config.handover().arrivalWait());
        CallPart part = calls.end(caller, end);
        return record(caller, part.partStart(), callEncoding.usageOf(part));
    }

    /** Whether {@code caller} is in a call at this tower. */
    public boolean inCall(Msisdn caller) {
        return calls.inCall(caller);
    }

    // ------------------------------------------------------------------------------------------------- handovers

    /**
     * Hands {@code subscriber} over to tower {@code target} now: see {@link #handOver(Msisdn, NodeId, Instant)}.
     */
    public Handover handOver(Msisdn subscriber, NodeId target) {
        return handOver(subscriber, target, wallClock.instant());
    }

    /**
     * Hands {@code subscriber} over to tower {@code target} at {@code at}: if the subscriber is in a call, the part
     * carried here is stamped first (a partial record) and the call continues at the target; then this node's clock
     * goes to the target (only what grew since the target's last acknowledgement), which merges it before stamping
     * the subscriber's next record there. Returns the full handover; the message itself may carry a delta.
     */
    public Handover handOver(Msisdn subscriber, NodeId target, Instant at) {
        if (target.equals(config.node())) {
            throw new IllegalArgumentException("handover target must be another node, was " + target);
        }
        gate.awaitClear(subscriber, config.handover().arrivalWait());
        List<UserProperty> properties = List.of();
        var split = calls.handOver(subscriber, at);
        if (split.isPresent()) {
            CallPart part = split.get().closed();
            record(subscriber, part.partStart(), callEncoding.usageOf(part));
            properties = split.get().properties();
        }
        Handover handover;
        lock.lock();
        try {
            handover = towerClock.handover(subscriber, target);
        } finally {
            lock.unlock();
        }
        Handover sent = exchange.send(handover, properties);
        LOG.debug("{} handed {} over to {}: clock {} (sent {})", config.node(), subscriber, target, handover.clock(),
                sent.clock());
        return handover;
    }

    /**
     * The radio network says {@code subscriber} arrived from {@code from}: the subscriber's next records here wait
     * (at most {@code handover.arrivalWait}) until {@code from}'s clock is merged.
     */
    public void expectArrival(Msisdn subscriber, NodeId from) {
        gate.expect(subscriber, from);
    }

    /**
     * Waits until a handover of {@code subscriber} to this node has been merged, and returns it.
     *
     * @throws AgentException if none arrives within {@code timeout}
     */
    public Handover awaitHandover(Msisdn subscriber, Duration timeout) {
        try {
            Handover h = queueFor(subscriber).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (h == null) {
                throw new AgentException(config.node() + ": no handover of " + subscriber + " arrived within "
                        + timeout);
            }
            return h;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(config.node() + ": interrupted waiting for a handover of " + subscriber, e);
        }
    }

    private BlockingQueue<Handover> queueFor(Msisdn subscriber) {
        return received.computeIfAbsent(subscriber, k -> new LinkedBlockingQueue<>(8));
    }

    /** A sensor sends its clock to every neighbour that has not acknowledged it yet. Returns how many went out. */
    public int gossip() {
        if (config.profile() != Profile.SENSOR) {
            throw new IllegalStateException(config.node() + " is a " + config.profile().label() + "; towers exchange "
                    + "clocks on handover");
        }
        int sent = 0;
        for (NodeId peer : config.handover().neighbours()) {
            Handover h;
            lock.lock();
            try {
                h = towerClock.handover(config.sensor().msisdn(), peer);
            } finally {
                lock.unlock();
            }
            if (exchange.gossip(h)) {
                sent++;
            }
        }
        return sent;
    }

    private void gossipQuietly() {
        try {
            gossip();
        } catch (RuntimeException e) {
            LOG.warn("{}: gossip failed: {}", config.node(), e.toString());
        }
    }

    private final class ExchangeHost implements HandoverExchange.Host {
        @Override
        public void merge(Handover h, Map<String, String> properties) throws IOException {
            lock.lock();
            try {
                ensureOpen();
                try {
                    towerClock.receive(h);
                } catch (ClockSkewException e) {
                    skews.increment();
                    LOG.warn("{} merged the clock from {} but not its skewed hybrid timestamp: {}", config.node(),
                            h.from(), e.getMessage());
                }
            } finally {
                lock.unlock();
            }
            writeCheckpoint(publisher.acknowledgedIndex());
            try {
                calls.adopt(h.subscriber(), properties).ifPresent(id -> LOG.debug("{} carries on call {} of {}",
                        config.node(), id, h.subscriber()));
            } catch (IllegalArgumentException e) {
                LOG.error("{}: {}", config.node(), e.getMessage());
            }
            gate.merged(h.subscriber(), h.from());
            BlockingQueue<Handover> q = queueFor(h.subscriber());
            if (!q.offer(h)) {
                q.poll();
                q.offer(h);
            }
        }

        @Override
        public VectorClock clock() {
            return EdgeAgent.this.clock();
        }
    }

    // ---------------------------------------------------------------------------------------------------- epochs

    private void onEpoch(MqttMessage message, Runnable complete) {
        Epoch epoch;
        boolean newLineage;
        try {
            epoch = wireCodec.decodeEpoch(message.getPayload());
            newLineage = epochs.isNewerLineage(epoch);
            if (!newLineage) {
                epochs.accept(epoch);
            }
        } catch (WireFormatException | IllegalArgumentException e) {
            epochsRejected.increment();
            LOG.error("{}: rejected an epoch announcement: {}", config.node(), e.getMessage());
            complete.run();
            epochHeard();
            return;
        }
        try {
            if (newLineage) {
                moveToLineage(epoch);
            } else {
                adopt(epoch);
            }
        } catch (IOException e) {
            LOG.error("{}: could not store epoch {}; it stays unacknowledged: {}", config.node(), epoch.number(),
                    e.toString());
            return;
        }
        complete.run();
        epochHeard();
        exchange.epochKnown();
    }

    /**
     * Moves to a newer epoch lineage: the billing job lost the epochs this node's records and clock are stored
     * against (its epochs topic was rebuilt empty) and opened a new lineage, so it can decode nothing encoded against
     * the old one. The epoch is stored, then registered as the new lineage's first known one, then adopted (its base
     * merged through full entries, a receive event as always); every record not yet acknowledged, in-flight batches
     * included, is sent again with its full clock (the genesis encoding every job decodes), and from now on records
     * are stamped in the new lineage. The old lineage's epochs stay until no stored record needs them.
     */
    private void moveToLineage(Epoch epoch) throws IOException {
        Epoch before = clock().epoch();
        epochStore.store(epoch);
        epochs.acceptLineage(epoch);
        mergeStored(epoch);
        publisher.resendUnacknowledged();
        lineageSwitches.increment();
        LOG.warn("{} moved from epoch {} (lineage {}) to epoch {} of the newer lineage {}: the billing job lost the "
                + "earlier epochs; {} unacknowledged records go again with full clocks", config.node(),
                before.number(), before.lineage(), epoch.number(), epoch.lineage(), outbox.depth());
    }

    /**
     * A record as the billing job can decode it: as stored when its epoch is of the latest epoch's lineage, else with
     * its full clock rebased onto genesis, which every job knows. Rebasing changes the encoding, not the clock.
     */
    private UsageRecord forTheJob(UsageRecord r) {
        if (r == null || r.clock().epoch().sharesLineageWith(wireEpoch)) {
            return r;
        }
        recordsRebased.increment();
        return new UsageRecord(r.id(), r.subscriber(), r.start(), r.hlc(), r.clock().rebase(Epoch.GENESIS),
                r.usage());
    }

    /**
     * Adopts an epoch announcement (already validated by the registry) as a receive event: stored first, so that
     * records and the clock in it can be read after a restart, then merged, then checkpointed.
     */
    private void adopt(Epoch epoch) throws IOException {
        if (epoch.number() <= clock().epoch().number()) {
            return;
        }
        epochStore.store(epoch);
        mergeStored(epoch);
        LOG.info("{} adopted epoch {}: clock {} ({} entries above the base)", config.node(), epoch.number(),
                clock(), clock().deltaSize());
    }

    /** Merges a stored epoch's base into the clock (a receive event), makes it current and checkpoints. */
    private void mergeStored(Epoch epoch) throws IOException {
        wireEpoch = epoch;
        lock.lock();
        try {
            towerClock.adopt(epoch);
        } finally {
            lock.unlock();
        }
        outbox.epochAdopted(epoch.number());
        writeCheckpoint(publisher.acknowledgedIndex());
        epochsAdopted.increment();
    }

    // ---------------------------------------------------------------------------------------------- housekeeping

    private void writeCheckpoint(long acknowledged) throws IOException {
        synchronized (checkpointLock) {
            VectorClock c;
            HybridTimestamp last;
            lock.lock();
            try {
                c = towerClock.clock();
                last = towerClock.lastHybridTimestamp();
            } finally {
                lock.unlock();
            }
            String[] ids = new String[c.deltaSize()];
            long[] counters = new long[c.deltaSize()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.deltaIdAt(i);
                counters[i] = c.deltaCounterAt(i);
            }
            checkpoints.write(new Checkpoint(config.node(), c.epoch().number(), ids, counters, last, acknowledged));
            lastCheckpointedAck = acknowledged;
        }
    }

    private void queueMaintenance() {
        if (maintenanceQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::maintain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                maintenanceQueued.set(false);
            }
        }
    }

    /** Checkpoints the acknowledged index, then deletes acknowledged segments and epochs no record needs. */
    private void maintain() {
        maintenanceQueued.set(false);
        if (closed) {
            return;
        }
        try {
            writeCheckpoint(publisher.acknowledgedIndex());
            if (outbox.deleteAcknowledgedSegments() > 0) {
                Epoch current = clock().epoch();
                long keep = Math.min(outbox.oldestEpoch(), current.number());
                epochStore.prune(current.lineage(), keep); // a lineage left behind stays (dead-letter replay)
                epochs.forgetBefore(keep);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("{}: outbox maintenance failed: {}", config.node(), e.toString());
        }
    }

    private void tick() {
        try {
            exchange.expire();
            if (isConnected()) {
                exchange.resendUnsent();
            }
            if (publisher.acknowledgedIndex() != lastCheckpointedAck) {
                maintain();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: housekeeping failed: {}", config.node(), e.toString());
        }
    }

    private void syncQuietly() {
        try {
            outbox.sync();
        } catch (IOException e) {
            LOG.error("{}: forcing the outbox failed: {}", config.node(), e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------------- status

    /**
     * Waits until the broker has acknowledged every record stored so far.
     *
     * @throws AgentException if that takes longer than {@code timeout}
     */
    public void flush(Duration timeout) {
        long target = outbox.nextIndex();
        try {
            if (!publisher.awaitAcknowledged(target, timeout)) {
                throw new AgentException(config.node() + ": " + (target - publisher.acknowledgedIndex())
                        + " records still unacknowledged after " + timeout + " (" + (link.isConnected()
                        ? "connected" : "not connected: " + link.lastError()) + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(config.node() + ": interrupted while flushing", e);
        }
    }

    /** {@link #flush(Duration)} with twice {@code mqtt.publishTimeout}. */
    public void flush() {
        flush(config.mqtt().publishTimeout().multipliedBy(2));
    }

    /** Records stored and not yet acknowledged by the broker. */
    public long pendingCount() {
        return outbox.depth();
    }

    /** Whether the MQTT link is up. */
    public boolean isConnected() {
        return link != null && link.isConnected();
    }

    /** Waits for the first connection to the broker; false if it did not happen in time. */
    public boolean awaitConnected(Duration timeout) {
        try {
            return link.awaitFirstConnection(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A snapshot of the agent's state. */
    public AgentStatus status() {
        VectorClock c = clock();
        return new AgentStatus(config.node().value(), config.profile().label(), isConnected(),
                link == null ? "" : link.lastError(), outbox.depth(), outbox.bytes(), config.outbox().maxBytes(),
                outbox.isFull(), c.get(config.node()), c.epoch().number(), c.size(), c.deltaSize(),
                stamped.value(), (long) metrics.value("dabba_agent_records_published_total"),
                (long) metrics.value("dabba_agent_mqtt_reconnects_total"),
                (int) metrics.value("dabba_agent_handovers_held"));
    }

    /** Every metric in the Prometheus text format. */
    public String prometheusMetrics() {
        return metrics.prometheusText();
    }

    /** Every metric's current value, by series name ({@code name} or {@code name{labels}}). */
    public Map<String, Double> metrics() {
        return metrics.snapshot();
    }

    /** The local input's address, if it is enabled. */
    public java.net.InetSocketAddress inputAddress() {
        return input == null ? null : input.address();
    }

    /** The health endpoint's address, if it is enabled. */
    public java.net.InetSocketAddress healthAddress() {
        return health == null ? null : health.address();
    }

    private void ensureOpen() {
        if (closed) {
            throw new AgentException(config.node() + ": the agent is closed");
        }
    }

    /** Stops accepting, announces {@code offline}, checkpoints and releases the state directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (input != null) {
            input.close();
        }
        if (health != null) {
            health.close();
        }
        // Never interrupt threads that may be in file I/O: an interrupt closes the channel they use.
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: housekeeping did not stop within 10 s", config.node());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (link != null) {
            link.close();
        }
        if (outbox != null && towerClock != null) {
            try {
                writeCheckpoint(publisher == null ? outbox.acknowledgedIndex() : publisher.acknowledgedIndex());
            } catch (IOException e) {
                LOG.warn("{}: final checkpoint failed: {}", config.node(), e.toString());
            }
        }
        if (outbox != null) {
            outbox.close();
        }
        try {
            if (stateLock != null) {
                stateLock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debug("{}: releasing the state lock failed: {}", config.node(), e.toString());
        }
        LOG.info("{} stopped", config.node());
    }

    /**
     * How long a (re)connected agent waits for the retained epoch announcement before it sends its backlog. The broker
     * sends the retained message right after the subscription, so it normally arrives within milliseconds and ends
     * the wait; the bound only matters where nothing was ever announced.
     */
    static final Duration EPOCH_WAIT_ON_CONNECT = Duration.ofSeconds(2);

    /** An epoch announcement arrived: a publisher waiting for it may send now. */
    private void epochHeard() {
        int window;
        synchronized (publisherGate) {
            epochHeard = true;
            window = waitingWindow;
            waitingWindow = 0;
        }
        if (window > 0) {
            publisher.connected(window);
        }
    }

    /** The wait for the announcement is over: the publisher sends whatever it holds. */
    private void stopWaitingForEpoch() {
        int window;
        synchronized (publisherGate) {
            window = waitingWindow;
            waitingWindow = 0;
        }
        if (window > 0) {
            LOG.debug("{}: no epoch announcement within {}; publishing", config.node(), EPOCH_WAIT_ON_CONNECT);
            publisher.connected(window);
        }
    }

    private final class LinkListener implements MqttLink.Listener {
        /**
         * Resumes publishing once the retained epoch announcement has been taken (or {@link #EPOCH_WAIT_ON_CONNECT}
         * passed): if the billing job lost the lineage the backlog is stored against, the announcement of the new one
         * makes the backlog go with full clocks instead of being sent against epochs no job can decode.
         */
        @Override
        public void connected(boolean sessionPresent, int window) {
            boolean now;
            synchronized (publisherGate) {
                now = epochHeard;
                waitingWindow = now ? 0 : window;
            }
            if (now) {
                publisher.connected(window);
            } else {
                try {
                    scheduler.schedule(EdgeAgent.this::stopWaitingForEpoch, EPOCH_WAIT_ON_CONNECT.toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    stopWaitingForEpoch();
                }
            }
            exchange.resendUnsent();
        }

        @Override
        public void disconnected(String reason) {
            synchronized (publisherGate) {
                epochHeard = false;
                waitingWindow = 0;
            }
            publisher.disconnected();
        }

        /**
         * A handover clock that found every in-flight slot taken (the batches fill the window under load) goes out
         * as soon as a slot frees, not at the next housekeeping tick: the target tower holds the subscriber's
         * records until it arrives.
         */
        @Override
        public void publishCompleted() {
            if (exchange.hasUnsent() && resendQueued.compareAndSet(false, true)) {
                try {
                    scheduler.execute(() -> {
                        resendQueued.set(false);
                        if (isConnected()) {
                            exchange.resendUnsent();
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    resendQueued.set(false);
                }
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message, Runnable complete) {
            if (topic.equals(config.mqtt().topics().epochs())) {
                onEpoch(message, complete);
            } else if (topic.equals(config.mqtt().topics().handover(config.node()))) {
                exchange.onMessage(message, complete);
            } else if (topic.equals(exchange.ackTopic())) {
                exchange.onAck(message);
                complete.run();
            } else {
                LOG.warn("{} ignored a message on unexpected topic {}", config.node(), topic);
                complete.run();
            }
        }
    }
}
