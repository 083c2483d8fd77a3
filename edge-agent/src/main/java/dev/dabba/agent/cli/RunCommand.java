package dev.dabba.agent.cli;

import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfigFile;
import dev.dabba.agent.AgentException;
import dev.dabba.agent.ConfigException;
import dev.dabba.agent.EdgeAgent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dabba agent run --config FILE}: runs the agent until SIGTERM (systemd stop) or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent described by a config file until stopped.")
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's YAML config file.")
    Path config;

    @Option(names = "--check", description = "Only validate the config file and print it; do not start.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = AgentConfigFile.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("dabba-agent: invalid config " + e.getMessage());
            return 2;
        }
        if (check) {
            spec.commandLine().getOut().println("config OK: " + cfg.node() + " (" + cfg.profile().label()
                    + ") state " + cfg.stateDirectory() + ", broker " + cfg.mqtt().brokerUri());
            return 0;
        }
        EdgeAgent agent;
        try {
            agent = EdgeAgent.start(cfg, Clock.systemUTC());
        } catch (AgentException e) {
            spec.commandLine().getErr().println("dabba-agent: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "dabba-agent-shutdown"));
        spec.commandLine().getOut().println("dabba-agent " + cfg.node() + " (" + cfg.profile().label()
                + ") running; input " + (agent.inputAddress() == null ? "off" : "http://"
                + hostPort(agent.inputAddress()) + "/v1/records") + ", health " + (agent.healthAddress() == null
                ? "off" : "http://" + hostPort(agent.healthAddress()) + "/health"));
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    private static String hostPort(java.net.InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
