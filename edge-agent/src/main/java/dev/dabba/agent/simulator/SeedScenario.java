package dev.dabba.agent.simulator;

import dev.dabba.agent.AgentException;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.TowerClock;
import dev.dabba.clock.HybridLogicalClock;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The seed talk's scenario: subscriber +91-9876543210 moves BKC, Andheri, Bandra, making a call and a data session
 * at each tower, with the subscriber's clock handed from tower to tower before the next record is stamped.
 *
 * <p>Under the seed tariff the bill is calls Rs 8.40, data Rs 13.50, total Rs 21.90.
 */
public final class SeedScenario {

    public static final Msisdn SUBSCRIBER = Msisdn.of("+91-9876543210");
    public static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    public static final NodeId ANDHERI = NodeId.of("MUMBAI_ANDHERI");
    public static final NodeId BANDRA = NodeId.of("MUMBAI_BANDRA");
    public static final NodeId DADAR = NodeId.of("MUMBAI_DADAR");
    /** The four towers of the scenario; Dadar is up but the subscriber never reaches it. */
    public static final List<NodeId> TOWERS = List.of(BKC, ANDHERI, BANDRA, DADAR);

    private static final long MIB = 1024L * 1024L;
    private static final Duration DATA_AFTER_CALL = Duration.ofMinutes(4);
    private static final Duration BETWEEN_STOPS = Duration.ofMinutes(20);

    /** One stop of the journey: a call and a data session at one tower. */
    private record Stop(NodeId tower, Usage call, Usage data) {
    }

    private static final List<Stop> JOURNEY = List.of(
            new Stop(BKC, new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOICE, 180),
                    new Usage.Data(RadioType.G4, 0, 50 * MIB)),
            new Stop(ANDHERI, new Usage.Call(Msisdn.of("+91-9876543212"), CallType.VIDEO, 300),
                    new Usage.Data(RadioType.G4, 0, 100 * MIB)),
            new Stop(BANDRA, new Usage.Call(Msisdn.of("+91-9876543213"), CallType.VOLTE, 120),
                    new Usage.Data(RadioType.G5, 0, 200 * MIB)));

    private SeedScenario() {
    }

    /**
     * The journey's records as the towers stamp them, without a network: the same clocks and event ids as
     * {@link #run}, for tests and offline tools.
     *
     * @param journeyStart when the first call starts
     * @param wallClock the towers' wall clock, for their hybrid timestamps
     */
    public static List<UsageRecord> records(Instant journeyStart, Clock wallClock) {
        Map<NodeId, TowerClock> towers = new HashMap<>();
        for (NodeId tower : TOWERS) {
            towers.put(tower, new TowerClock(tower, new HybridLogicalClock(wallClock, Duration.ofMinutes(1))));
        }
        List<UsageRecord> stamped = new ArrayList<>();
        Instant at = journeyStart;
        NodeId previous = null;
        for (Stop stop : JOURNEY) {
            TowerClock tower = towers.get(stop.tower());
            if (previous != null) {
                tower.receive(towers.get(previous).handover(SUBSCRIBER, stop.tower()));
            }
            stamped.add(tower.stamp(SUBSCRIBER, at, stop.call()));
            stamped.add(tower.stamp(SUBSCRIBER, at.plus(DATA_AFTER_CALL), stop.data()));
            at = at.plus(BETWEEN_STOPS);
            previous = stop.tower();
        }
        return stamped;
    }

    /**
     * Runs the journey on the given agents, publishing every record, and returns the records in the order stamped.
     *
     * @param agents one running agent per tower in {@link #TOWERS}
     * @param journeyStart when the first call starts; later usage follows at realistic intervals
     * @param handoverTimeout how long a tower waits for the previous tower's handover
     * @param progress receives one line per step, for people watching
     */
    public static List<UsageRecord> run(Map<NodeId, EdgeAgent> agents, Instant journeyStart, Duration handoverTimeout,
            Consumer<String> progress) {
        for (NodeId tower : TOWERS) {
            // A tower receives handovers once it has subscribed (its session keeps them from then on).
            if (!agent(agents, tower).awaitConnected(handoverTimeout)) {
                throw new AgentException(tower + " did not connect to its broker within " + handoverTimeout);
            }
        }
        List<UsageRecord> stamped = new ArrayList<>();
        Instant at = journeyStart;
        NodeId previous = null;
        for (Stop stop : JOURNEY) {
            EdgeAgent tower = agent(agents, stop.tower());
            if (previous != null) {
                agent(agents, previous).handOver(SUBSCRIBER, stop.tower());
                tower.awaitHandover(SUBSCRIBER, handoverTimeout);
                progress.accept("handover " + previous + " -> " + stop.tower() + ": clock now " + tower.clock());
            }
            UsageRecord call = tower.record(SUBSCRIBER, at, stop.call());
            UsageRecord data = tower.record(SUBSCRIBER, at.plus(DATA_AFTER_CALL), stop.data());
            tower.flush();
            progress.accept(stop.tower() + " published " + call.id() + " " + call.clock() + " and " + data.id() + " "
                    + data.clock());
            stamped.add(call);
            stamped.add(data);
            at = at.plus(BETWEEN_STOPS);
            previous = stop.tower();
        }
        return stamped;
    }

    private static EdgeAgent agent(Map<NodeId, EdgeAgent> agents, NodeId tower) {
        EdgeAgent agent = agents.get(tower);
        if (agent == null) {
            throw new AgentException("the seed scenario needs a running agent for " + tower);
        }
        return agent;
    }
}
