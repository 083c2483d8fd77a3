package dev.dabba.agent.cli;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfigFile;
import dev.dabba.agent.AgentException;
import dev.dabba.agent.ConfigException;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.agent.simulator.TrafficSimulator;
import dev.dabba.clock.NodeId;
import dev.dabba.record.MqttTopics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dabba agent simulate}: runs simulated towers in this process against a real broker: the seed scenario
 * (BKC, Andheri, Bandra, Dadar) or random traffic over a line of towers.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run simulated towers against a broker: the seed scenario, or random realistic traffic.")
final class SimulateCommand implements Callable<Integer> {

    enum Scenario { seed, random }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A config file for the broker, TLS, outbox and batching; node ids come from the scenario.")
    Path config;

    @Option(names = "--broker", paramLabel = "URI", description = "The broker, when there is no --config "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "tcp://127.0.0.1:1883")
    String broker;

    @Option(names = "--scenario", description = "seed or random (default: ${DEFAULT-VALUE}).", defaultValue = "seed")
    Scenario scenario;

    @Option(names = "--towers", description = "Random: towers in the line (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int towers;

    @Option(names = "--subscribers", description = "Random: subscribers (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int subscribers;

    @Option(names = "--events", description = "Random: events to generate (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    long events;

    @Option(names = "--rate", description = "Random: events per second, 0 for as fast as possible (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "100")
    double rate;

    @Option(names = "--seed", description = "Random: the random seed (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long seed;

    @Option(names = "--topic-root", paramLabel = "ROOT", description = "The MQTT topic root (default: the config's, "
            + "else dabba/v1).")
    String topicRoot;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the simulated towers keep their state "
            + "(default: a fresh temporary directory).")
    Path stateDir;

    /** Every number a usage error before a tower starts, naming its option (exit code 2). */
    private void validate() {
        if (towers < 1) {
            throw invalid("--towers", towers, "must be at least 1");
        }
        if (subscribers < 1) {
            throw invalid("--subscribers", subscribers, "must be at least 1");
        }
        if (events < 1) {
            throw invalid("--events", events, "must be at least 1");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw invalid("--rate", rate, "must be 0 (as fast as possible) or a positive number of events a second");
        }
    }

    private CommandLine.ParameterException invalid(String option, Object value, String rule) {
        return new CommandLine.ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': " + rule + ", was '" + value + "'");
    }

    @Override
    public Integer call() throws IOException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        AgentConfig base;
        try {
            base = config != null ? AgentConfigFile.load(config)
                    : AgentConfig.of(NodeId.of("SIM"), broker, Path.of("unused"));
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("dabba-agent: invalid config " + e.getMessage());
            return 2;
        }
        if (topicRoot != null) {
            base = base.withTopics(new MqttTopics(topicRoot));
        }
        Path state = stateDir != null ? Files.createDirectories(stateDir) : Files.createTempDirectory("dabba-sim-");
        List<NodeId> ids = new ArrayList<>();
        if (scenario == Scenario.seed) {
            ids.addAll(SeedScenario.TOWERS);
        } else {
            for (int i = 1; i <= towers; i++) {
                ids.add(NodeId.of(String.format("SIM_T%02d", i)));
            }
        }
        Map<NodeId, EdgeAgent> agents = new LinkedHashMap<>();
        try {
            for (NodeId id : ids) {
                AgentConfig c = base.withNode(id).withStateDirectory(state.resolve(id.value()))
                        .withMqtt(base.mqtt().withClientId(null)).withInput(AgentConfig.HttpSettings.DISABLED)
                        .withHealth(AgentConfig.HttpSettings.DISABLED)
                        .withProfile(dev.dabba.agent.Profile.TOWER, null);
                agents.put(id, EdgeAgent.start(c, Clock.systemUTC()));
            }
            for (EdgeAgent a : agents.values()) {
                if (!a.awaitConnected(Duration.ofSeconds(30))) {
                    out.println(a.node() + " could not connect to " + base.mqtt().brokerUri()
                            + "; records wait in its outbox");
                }
            }
            out.println("simulating on " + base.mqtt().brokerUri() + " under " + base.mqtt().topics().root()
                    + ", state in " + state);
            out.flush();
            if (scenario == Scenario.seed) {
                SeedScenario.run(agents, Instant.now(), Duration.ofSeconds(30), line -> {
                    out.println("  " + line);
                    out.flush();
                });
            } else {
                TrafficSimulator sim = new TrafficSimulator(new ArrayList<>(agents.values()), subscribers, seed,
                        Instant.now());
                TrafficSimulator.Report r = sim.run(events, rate);
                out.printf("  %d records: %d call parts of %d calls, %d data sessions, %d SMS; %d handovers%n",
                        r.records(), r.callParts(), r.calls(), r.dataSessions(), r.sms(), r.handovers());
            }
            for (EdgeAgent a : agents.values()) {
                a.flush(Duration.ofMinutes(1));
                out.println("  " + a.node() + ": sequence " + a.status().sequence() + ", all published");
            }
            out.flush();
            return 0;
        } catch (AgentException e) {
            spec.commandLine().getErr().println("dabba-agent: " + e.getMessage());
            return 1;
        } finally {
            agents.values().forEach(EdgeAgent::close);
        }
    }
}
