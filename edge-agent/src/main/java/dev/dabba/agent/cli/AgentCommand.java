package dev.dabba.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dabba agent}: run a tower or sensor agent, simulate traffic, show an agent's status, benchmark. */
@Command(name = "agent", mixinStandardHelpOptions = true, version = "dabba-agent 0.1.0",
        description = "The edge agent for towers and sensors: stamps usage records with vector and hybrid clocks, "
                + "keeps them in a durable outbox and publishes them over MQTT.",
        subcommands = {RunCommand.class, SimulateCommand.class, StatusCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class AgentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand. */
    public static CommandLine commandLine() {
        return new CommandLine(new AgentCommand());
    }
}
