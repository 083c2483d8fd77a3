package dev.dabba.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentException;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.FullPolicy;
import dev.dabba.agent.OutboxFullException;
import dev.dabba.agent.Profile;
import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.agent.simulator.TrafficSimulator;
import dev.dabba.clock.Causality;
import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.embedded.EmbeddedMqttBroker;
import dev.dabba.embedded.FreePorts;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Agents over real MQTT brokers: the embedded HiveMQ CE and, where it runs, the machine's Mosquitto. */
class EdgeAgentIT {

    enum Broker { EMBEDDED, MOSQUITTO }

    private static final Instant JOURNEY_START = Instant.parse("2026-11-26T04:30:00Z");
    private static final Msisdn USER = SeedScenario.SUBSCRIBER;
    private static EmbeddedMqttBroker embedded;

    @TempDir
    Path state;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final MqttTopics topics = Brokers.uniqueTopics();

    @BeforeAll
    static void startBroker() {
        embedded = EmbeddedMqttBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static String uri(Broker broker) {
        if (broker == Broker.MOSQUITTO) {
            Brokers.assumeMosquitto();
            return Brokers.MOSQUITTO;
        }
        return embedded.uri();
    }

    private AgentConfig config(NodeId node, String brokerUri) {
        return AgentConfig.of(node, brokerUri, state.resolve(node.value())).withTopics(topics);
    }

    private EdgeAgent start(AgentConfig config, Clock clock) {
        EdgeAgent agent = EdgeAgent.start(config, clock);
        open.add(agent);
        return agent;
    }

    /** Started and subscribed: from then on the broker keeps what is sent to it, even while it is away. */
    private EdgeAgent connected(AgentConfig config) {
        EdgeAgent agent = start(config, Clock.systemUTC());
        assertThat(agent.awaitConnected(Duration.ofSeconds(30))).as(config.node() + " connected").isTrue();
        return agent;
    }

    private RecordListener listen(String brokerUri) throws Exception {
        RecordListener l = new RecordListener(brokerUri, topics, false);
        open.add(l);
        return l;
    }

    @ParameterizedTest
    @EnumSource(Broker.class)
    void seedJourney_publishesTheSameRecordsAsTheOfflineStamping(Broker broker) throws Exception {
        String uri = uri(broker);
        RecordListener listener = listen(uri);
        Clock wall = Clock.fixed(JOURNEY_START, ZoneOffset.UTC);
        Map<NodeId, EdgeAgent> agents = new LinkedHashMap<>();
        for (NodeId tower : SeedScenario.TOWERS) {
            agents.put(tower, start(config(tower, uri), wall));
        }
        List<UsageRecord> published = SeedScenario.run(agents, JOURNEY_START, Duration.ofSeconds(30), l -> { });

        assertThat(published).isEqualTo(SeedScenario.records(JOURNEY_START, wall));
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == 6);
        assertThat(listener.records(new EpochRegistry())).containsExactlyInAnyOrderElementsOf(published);
        assertThat(agents.values()).allSatisfy(a -> assertThat(a.pendingCount()).isZero());
        assertThat(published.get(2).clock().entries()).containsEntry("MUMBAI_BKC", 2L)
                .containsEntry("MUMBAI_ANDHERI", 1L);
    }

    @ParameterizedTest
    @EnumSource(Broker.class)
    void aSecondHandoverToTheSamePeer_carriesOnlyWhatGrewSinceItsAck(Broker broker) {
        String uri = uri(broker);
        NodeId bkc = SeedScenario.BKC;
        NodeId andheri = SeedScenario.ANDHERI;
        EdgeAgent a = connected(config(bkc, uri));
        EdgeAgent b = connected(config(andheri, uri));
        EdgeAgent dadar = connected(config(SeedScenario.DADAR, uri));
        dadar.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        dadar.handOver(USER, bkc);
        a.awaitHandover(USER, Duration.ofSeconds(30));
        a.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        a.handOver(USER, andheri);
        b.awaitHandover(USER, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.metrics().get("dabba_agent_handover_acks_total{status=\"merged\"}") >= 1);
        for (int i = 0; i < 5; i++) {
            a.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        }
        a.handOver(USER, andheri);
        assertThat(b.awaitHandover(USER, Duration.ofSeconds(30)).clock().get(bkc)).isEqualTo(6);
        Map<String, Double> m = a.metrics();
        assertThat(m.get("dabba_agent_handovers_sent_total{kind=\"delta\"}")).isEqualTo(1);
        assertThat(m.get("dabba_agent_handover_last_delta_entries")).as("BKC only; DADAR was acknowledged")
                .isEqualTo(1);
        assertThat(b.clock().get(SeedScenario.DADAR)).as("the delta lost nothing").isEqualTo(1);
        assertThat(b.clock().get(bkc)).isEqualTo(6);
    }

    @Test
    void aRetainedEpochAnnouncement_isAdopted_survivesRestart_andRecordsAreEncodedInIt() throws Exception {
        String uri = embedded.uri();
        NodeId bkc = SeedScenario.BKC;
        AgentConfig cfg = config(bkc, uri);
        EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        }
        Epoch one = Epoch.of(1, NodeTable.of(List.of(bkc, SeedScenario.ANDHERI)), new long[] {2, 40});
        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(one));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.status().epoch() == 1);
        assertThat(agent.clock().get(SeedScenario.ANDHERI)).as("learned from the base").isEqualTo(40);
        UsageRecord inEpoch = agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        assertThat(inEpoch.id()).isEqualTo(new EventId(bkc, 4));
        assertThat(inEpoch.clock().epoch().number()).isEqualTo(1);
        assertThat(inEpoch.clock().deltaSize()).isEqualTo(1);
        agent.close();

        EdgeAgent again = start(cfg, Clock.systemUTC());
        assertThat(again.status().epoch()).as("the epoch was stored").isEqualTo(1);
        assertThat(again.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001"))).id())
                .isEqualTo(new EventId(bkc, 5));
        assertThat(again.metrics().get("dabba_agent_epoch")).isEqualTo(1);
    }

    /** A billing job that lost every announced epoch opened lineage {@code L2}; its first epoch says nothing. */
    private static final long L2 = 1_780_000_000_000L;
    private static final Epoch L2_OPENING = Epoch.of(L2, L2, NodeTable.EMPTY, new long[0]);

    /** What that job knows: genesis and its own lineage. */
    private static EpochRegistry newJobsEpochs() {
        EpochRegistry r = new EpochRegistry();
        r.accept(L2_OPENING);
        return r;
    }

    @Test
    void aNewerLineage_isAdoptedLive_keepingWhatTheClockKnew_andTheOldLineageIsRefusedAfter() throws Exception {
        String uri = embedded.uri();
        NodeId bkc = SeedScenario.BKC;
        AgentConfig cfg = config(bkc, uri);
        EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC());
        Epoch one = Epoch.of(1, NodeTable.of(List.of(bkc, SeedScenario.ANDHERI)), new long[] {2, 40});
        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(one));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.status().epoch() == 1);
        agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        agent.flush(Duration.ofSeconds(30));

        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(L2_OPENING));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.status().epoch() == L2);
        assertThat(agent.metrics().get("dabba_agent_epoch_lineage_switches_total")).isEqualTo(1);
        assertThat(agent.clock().get(SeedScenario.ANDHERI)).as("kept from the lost lineage's base").isEqualTo(40);
        assertThat(agent.clock().get(bkc)).isEqualTo(3);

        RecordListener listener = listen(uri);
        UsageRecord inL2 = agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
        agent.flush(Duration.ofSeconds(30));
        assertThat(inL2.id()).isEqualTo(new EventId(bkc, 4));
        assertThat(inL2.clock().epoch()).isEqualTo(L2_OPENING);
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().contains(inL2.id()));
        assertThat(listener.records(newJobsEpochs())).as("decoded by a job that knows only the new lineage")
                .contains(inL2);

        Epoch oldLineageLater = Epoch.of(2, one.members(), new long[] {3, 41});
        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(oldLineageLater));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> agent.metrics().get("dabba_agent_epochs_rejected_total") == 1);
        assertThat(agent.status().epoch()).isEqualTo(L2);
        agent.close();

        EdgeAgent again = start(cfg, Clock.systemUTC());
        assertThat(again.status().epoch()).as("both lineages were stored; the newer one is current").isEqualTo(L2);
        assertThat(again.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001"))).id())
                .isEqualTo(new EventId(bkc, 5));
    }

    @Test
    void aBacklogStoredAgainstALostLineage_waitsForTheRetainedAnnouncement_andGoesOnlyWithFullClocks()
            throws Exception {
        String uri = embedded.uri();
        NodeId bkc = SeedScenario.BKC;
        AgentConfig cfg = config(bkc, uri);
        List<UsageRecord> stamped = stampOfflineInEpochOne(cfg, 200);
        // Meanwhile the billing job lost its epochs and opened a new lineage; the relay announced it (retained).
        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(L2_OPENING));
        RecordListener listener = listen(uri);

        EdgeAgent agent = start(cfg, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == stamped.size());

        assertThat(agent.metrics().get("dabba_agent_epoch_lineage_switches_total")).isEqualTo(1);
        assertThat(listener.records(newJobsEpochs())).as("no batch went against the lost lineage")
                .containsExactlyInAnyOrderElementsOf(stamped);
        assertThat(listener.conflicting()).isEmpty();
    }

    /**
     * The same backlog on a link where the broker's PUBLISH packets arrive a second after its SUBACK (a busy broker,
     * a slow link): the agent is connected and subscribed well before it hears of the new lineage. Without the
     * publisher's wait for the retained announcement the backlog would go against the lost lineage at once.
     */
    @Test
    void aBacklogStoredAgainstALostLineage_waitsForAnAnnouncementThatComesLateAfterTheSubscription()
            throws Exception {
        String uri = embedded.uri();
        NodeId bkc = SeedScenario.BKC;
        List<UsageRecord> stamped = stampOfflineInEpochOne(config(bkc, uri), 200);
        publishRetained(uri, topics.epochs(), RecordCodec.standard().encodeEpoch(L2_OPENING));
        RecordListener listener = listen(uri);
        LatePublishLink late = LatePublishLink.to(uri, Duration.ofSeconds(1));
        open.add(late);

        EdgeAgent agent = start(config(bkc, late.uri()), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == stamped.size());

        assertThat(listener.records(newJobsEpochs())).as("no batch went against the lost lineage")
                .containsExactlyInAnyOrderElementsOf(stamped);
        assertThat(agent.metrics().get("dabba_agent_epoch_lineage_switches_total")).isEqualTo(1);
        assertThat(listener.conflicting()).isEmpty();
    }

    @Test
    void recordsStoredAgainstALostLineage_goWithFullClocks_afterARestartWithTheNewerLineageStored() throws Exception {
        String uri = embedded.uri();
        NodeId bkc = SeedScenario.BKC;
        AgentConfig cfg = config(bkc, uri);
        List<UsageRecord> stamped = stampOfflineInEpochOne(cfg, 5);
        // The agent stored the newer lineage's epoch and stopped before re-sending (moving to a lineage stores first).
        new dev.dabba.agent.internal.state.EpochStore(state.resolve(bkc.value())).store(L2_OPENING);

        RecordListener listener = listen(uri);
        EdgeAgent agent = start(cfg, Clock.systemUTC());
        assertThat(agent.status().epoch()).as("the stored epoch's adoption is finished at start").isEqualTo(L2);
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == 5);
        List<UsageRecord> received = listener.records(newJobsEpochs());
        assertThat(received).extracting(UsageRecord::id).containsExactlyElementsOf(stamped.stream().map(UsageRecord::id)
                .toList());
        assertThat(received).as("the same clocks, written in full").containsExactlyElementsOf(stamped);
        assertThat(received).allSatisfy(r -> assertThat(r.clock().epoch()).isEqualTo(Epoch.GENESIS));
        assertThat(agent.metrics().get("dabba_agent_records_rebased_total")).isGreaterThanOrEqualTo(5);
        UsageRecord after = agent.record(USER, JOURNEY_START.plusSeconds(9), new Usage.Sms(Msisdn.of("+919800000001")));
        assertThat(after.clock().epoch()).isEqualTo(L2_OPENING);
        assertThat(stamped.get(4).clock().compare(after.clock())).isEqualTo(Causality.BEFORE);
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().contains(after.id()));
        assertThat(listener.records(newJobsEpochs())).contains(after);
    }

    @Test
    void aRestartedAgent_neverReusesASequenceNumber_evenAfterItsOutboxWasEmptied() {
        String uri = embedded.uri();
        AgentConfig cfg = config(SeedScenario.BKC, uri).withOutbox(
                AgentConfig.OutboxSettings.DEFAULTS.withMaxBytes(1L << 20, 64 * 1024));
        long last;
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            for (int i = 0; i < 2_000; i++) {
                agent.record(USER, JOURNEY_START, new Usage.Data(dev.dabba.record.RadioType.G4, 10, 1000));
            }
            agent.flush(Duration.ofSeconds(30));
            last = agent.status().sequence();
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.status().outboxBytes() < 64 * 1024);
        }
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            assertThat(agent.pendingCount()).isZero();
            assertThat(agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001"))).id().sequence())
                    .isEqualTo(last + 1);
        }
    }

    @Test
    void aRecordTheModelRefuses_consumesNoEventId_evenInTheMiddleOfABatch() {
        EdgeAgent agent = start(config(SeedScenario.BKC, "tcp://127.0.0.1:" + FreePorts.pick()), Clock.systemUTC());
        Usage sms = new Usage.Sms(Msisdn.of("+919800000001"));
        assertThatThrownBy(() -> agent.recordAll(List.of(
                new dev.dabba.agent.UsageEvent(USER, JOURNEY_START, sms),
                new dev.dabba.agent.UsageEvent(USER, Instant.parse("1969-12-31T23:59:59Z"), sms))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start");
        assertThat(agent.status().sequence()).isZero();
        assertThat(agent.pendingCount()).isZero();
        assertThat(agent.record(USER, JOURNEY_START, sms).id()).isEqualTo(new EventId(SeedScenario.BKC, 1));
    }

    @Test
    void aSecondAgentOnTheSameStateDirectory_isRefused() {
        AgentConfig cfg = config(SeedScenario.BKC, embedded.uri());
        start(cfg, Clock.systemUTC());
        assertThatThrownBy(() -> EdgeAgent.start(cfg, Clock.systemUTC())).isInstanceOf(AgentException.class)
                .hasMessageContaining("in use by another agent");
    }

    @Test
    void aStateDirectoryOfAnotherNode_isRefused() {
        AgentConfig cfg = config(SeedScenario.BKC, embedded.uri());
        EdgeAgent.start(cfg, Clock.systemUTC()).close();
        assertThatThrownBy(() -> EdgeAgent.start(cfg.withNode(SeedScenario.DADAR), Clock.systemUTC()))
                .isInstanceOf(AgentException.class).hasMessageContaining("belongs to node MUMBAI_BKC");
    }

    @Test
    void aFullOutbox_refusesRecordsWithAClearError_andAnAlarm_thenAcceptsAgainOnceTheBrokerDrainsIt()
            throws Exception {
        int port = FreePorts.pick();
        String nowhere = "tcp://127.0.0.1:" + port;
        AgentConfig cfg = config(SeedScenario.BKC, nowhere)
                .withOutbox(AgentConfig.OutboxSettings.DEFAULTS.withMaxBytes(128 * 1024, 64 * 1024))
                .withBatch(new AgentConfig.BatchSettings(500, 32 * 1024, Duration.ofMillis(10), 3));
        EdgeAgent agent = start(cfg, Clock.systemUTC());
        int accepted = 0;
        OutboxFullException refused = null;
        while (refused == null) {
            try {
                agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
                accepted++;
            } catch (OutboxFullException e) {
                refused = e;
            }
        }
        assertThat(refused.getMessage()).contains("MUMBAI_BKC").contains("outbox full").contains("not stamped")
                .contains("retry later");
        assertThat(refused.maxBytes()).isEqualTo(128 * 1024);
        assertThat(agent.status().outboxFull()).isTrue();
        assertThat(agent.status().healthy()).isFalse();
        assertThat(agent.metrics()).containsEntry("dabba_agent_outbox_full", 1.0)
                .containsEntry("dabba_agent_records_refused_total", 1.0);
        assertThat(agent.status().sequence()).as("a refused record consumes no event id").isEqualTo(accepted);
        int stored = accepted;

        try (EmbeddedMqttBroker late = EmbeddedMqttBroker.builder().port(port).start()) {
            RecordListener listener = new RecordListener(late.uri(), topics, false);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> agent.pendingCount() == 0);
                await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == stored);
                UsageRecord next = agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
                assertThat(next.id().sequence()).isEqualTo(stored + 1);
                assertThat(agent.status().outboxFull()).isFalse();
            } finally {
                listener.close();
            }
        }
    }

    @Test
    void blockPolicy_waitsForSpace_thenRefuses() {
        String nowhere = "tcp://127.0.0.1:" + FreePorts.pick();
        AgentConfig cfg = config(SeedScenario.BKC, nowhere)
                .withOutbox(AgentConfig.OutboxSettings.DEFAULTS.withMaxBytes(128 * 1024, 64 * 1024)
                        .withWhenFull(FullPolicy.BLOCK, Duration.ofMillis(300)));
        EdgeAgent agent = start(cfg, Clock.systemUTC());
        assertThatThrownBy(() -> {
            while (true) {
                agent.record(USER, JOURNEY_START, new Usage.Sms(Msisdn.of("+919800000001")));
            }
        }).isInstanceOf(OutboxFullException.class);
    }

    @ParameterizedTest
    @EnumSource(Broker.class)
    void aCallAcrossAHandover_isRecordedAsTwoParts_theSecondAfterTheFirst(Broker broker) throws Exception {
        String uri = uri(broker);
        RecordListener listener = listen(uri);
        EdgeAgent bkc = connected(config(SeedScenario.BKC, uri));
        EdgeAgent andheri = connected(config(SeedScenario.ANDHERI, uri));
        Msisdn callee = Msisdn.of("+919876543211");
        bkc.startCall(USER, callee, CallType.VOLTE, JOURNEY_START);
        andheri.expectArrival(USER, SeedScenario.BKC);
        bkc.handOver(USER, SeedScenario.ANDHERI, JOURNEY_START.plusSeconds(100));
        UsageRecord last = andheri.endCall(USER, JOURNEY_START.plusSeconds(250));
        Usage.Call lastPart = (Usage.Call) last.usage();
        assertThat(lastPart.durationSeconds()).isEqualTo(150);
        assertThat(lastPart.part().sequence()).isEqualTo(2);
        assertThat(lastPart.part().last()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == 2);
        UsageRecord first = listener.records(new EpochRegistry()).stream()
                .filter(r -> r.origin().equals(SeedScenario.BKC)).findFirst().orElseThrow();
        assertThat(first.usage()).isEqualTo(new Usage.Call(callee, CallType.VOLTE, 100,
                new Usage.CallPart(lastPart.part().callReference(), 1, false)));
        assertThat(first.clock().compare(last.clock())).isEqualTo(Causality.BEFORE);
    }

    @Test
    void sensors_gossipTheirClocks_andMeterTheirOwnUsage() {
        String uri = embedded.uri();
        NodeId s1 = NodeId.of("TRAFFIC_SENSOR_1");
        NodeId s2 = NodeId.of("TRAFFIC_SENSOR_2");
        Msisdn m1 = Msisdn.of("+919000000001");
        AgentConfig c1 = config(s1, uri).withProfile(Profile.SENSOR, AgentConfig.SensorSettings.of(m1))
                .withHandover(AgentConfig.HandoverSettings.DEFAULTS.withNeighbours(List.of(s2)));
        AgentConfig c2 = config(s2, uri).withProfile(Profile.SENSOR,
                AgentConfig.SensorSettings.of(Msisdn.of("+919000000002")))
                .withHandover(AgentConfig.HandoverSettings.DEFAULTS.withNeighbours(List.of(s1)));
        EdgeAgent one = connected(c1);
        EdgeAgent two = connected(c2);
        one.meter(JOURNEY_START, 100, 2000);
        one.meter(JOURNEY_START, 100, 2000);
        assertThat(one.gossip()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> two.clock().get(s1) == 2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> one.metrics().get("dabba_agent_handover_acks_total{status=\"merged\"}") == 1);
        assertThat(one.gossip()).as("nothing new since the acknowledgement").isZero();
        UsageRecord after = two.meter(JOURNEY_START, 1, 1);
        assertThat(after.clock().get(s1)).isEqualTo(2);
        assertThatThrownBy(() -> one.record(Msisdn.of("+919876543210"), JOURNEY_START,
                new Usage.Sms(Msisdn.of("+919876543211")))).hasMessageContaining("own usage");
        assertThatThrownBy(() -> one.record(m1, JOURNEY_START, new Usage.Call(Msisdn.of("+919876543211"),
                CallType.VOICE, 1))).hasMessageContaining("not calls");
    }

    @Test
    void randomTraffic_overFourTowers_reachesTheBroker_withEveryCallPartAndNoDuplicateIds() throws Exception {
        String uri = embedded.uri();
        RecordListener listener = listen(uri);
        List<EdgeAgent> towers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            towers.add(connected(config(NodeId.of("SIM_T0" + i), uri).withHandover(
                    AgentConfig.HandoverSettings.DEFAULTS.withArrivalWait(Duration.ofSeconds(30)))));
        }
        TrafficSimulator.Report report = new TrafficSimulator(towers, 50, 7, JOURNEY_START).run(2_000, 0);
        for (EdgeAgent t : towers) {
            t.flush(Duration.ofSeconds(60));
        }
        long stamped = towers.stream().mapToLong(t -> t.status().sequence()).sum();
        assertThat(stamped).isEqualTo(report.records());
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.ids().size() == stamped);
        assertThat(listener.conflicting()).isEmpty();
        assertThat(report.handovers()).isPositive();
        assertThat(report.callParts()).isGreaterThan(report.calls());
        assertThat(towers).allSatisfy(t -> assertThat(t.metrics().get("dabba_agent_arrival_wait_timeouts_total"))
                .isZero());
    }

    /**
     * Has the agent adopt a retained epoch 1 (lineage 0), then stamps {@code count} records with the broker out of
     * reach: they stay in the outbox, stored against epoch 1.
     */
    private List<UsageRecord> stampOfflineInEpochOne(AgentConfig cfg, int count) throws Exception {
        NodeId node = cfg.node();
        Epoch one = Epoch.of(1, NodeTable.of(List.of(node, SeedScenario.ANDHERI)), new long[] {0, 40});
        try (EdgeAgent agent = EdgeAgent.start(cfg, Clock.systemUTC())) {
            publishRetained(cfg.mqtt().brokerUri(), topics.epochs(), RecordCodec.standard().encodeEpoch(one));
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.status().epoch() == 1);
        }
        List<UsageRecord> stamped = new ArrayList<>();
        AgentConfig offline = AgentConfig.of(node, "tcp://127.0.0.1:" + FreePorts.pick(), state.resolve(node.value()))
                .withTopics(topics);
        try (EdgeAgent agent = EdgeAgent.start(offline, Clock.systemUTC())) {
            for (int i = 0; i < count; i++) {
                stamped.add(agent.record(USER, JOURNEY_START.plusSeconds(i), new Usage.Sms(Msisdn.of("+919800000001"))));
            }
            assertThat(agent.pendingCount()).isEqualTo(count);
        }
        assertThat(stamped).allSatisfy(r -> assertThat(r.clock().epoch().number()).isEqualTo(1));
        return stamped;
    }

    private static void publishRetained(String uri, String topic, byte[] payload) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "it-epochs-" + UUID.randomUUID(), new MemoryPersistence());
        c.connect().waitForCompletion(10_000);
        c.publish(topic, payload, 1, true).waitForCompletion(10_000);
        c.disconnect().waitForCompletion(10_000);
        c.close();
    }
}
