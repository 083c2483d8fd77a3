package dev.dabba.agent.cli;

import picocli.CommandLine;

/** The standalone agent's entry point: {@code java -jar dabba-agent.jar run --config /etc/dabba-agent/agent.yaml}. */
public final class AgentMain {

    private AgentMain() {
    }

    public static void main(String[] args) {
        CommandLine cli = AgentCommand.commandLine();
        cli.setCommandName("dabba-agent");
        System.exit(cli.execute(args));
    }
}
