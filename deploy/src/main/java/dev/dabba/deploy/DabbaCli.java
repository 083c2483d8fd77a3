package dev.dabba.deploy;

import dev.dabba.agent.cli.AgentCommand;
import dev.dabba.billing.BillCommand;
import dev.dabba.billing.BillsCommand;
import dev.dabba.billing.RateCommand;
import dev.dabba.billing.ServeCommand;
import dev.dabba.deploy.bench.EndToEndBenchCommand;
import dev.dabba.deploy.cluster.ClusterCommand;
import dev.dabba.deploy.demo.DemoCommand;
import dev.dabba.deploy.flink.FlinkCommand;
import dev.dabba.deploy.replay.ReplayCommand;
import dev.dabba.gateway.GatewayCommand;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dabba} command: one entry point for the demo, the agent, the gateway, the queries and the cluster tools. */
@Command(name = "dabba", mixinStandardHelpOptions = true, version = "dabba 0.1.0",
        description = "Causally ordered telecom and IoT usage billing.",
        subcommands = {DemoCommand.class, ClusterCommand.class, FlinkCommand.class, CommandLine.HelpCommand.class})
public final class DabbaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DabbaCli());
        // The billing commands report their own failures with their documented exit codes (picocli only ever
        // calls the top command's handler, so it hands their failures back to them).
        Set<CommandLine> selfReporting = new HashSet<>();
        // Failures people can act on print their message, not a stack trace; DABBA_DEBUG=1 shows the trace.
        cli.setExecutionExceptionHandler((e, command, parseResult) -> selfReporting.contains(command)
                ? command.getExecutionExceptionHandler().handleExecutionException(e, command, parseResult)
                : report(e, command));
        cli.addSubcommand("bill", selfReported(selfReporting, new BillCommand().commandLine()));
        cli.addSubcommand("agent", AgentCommand.commandLine());
        cli.addSubcommand("gateway", new GatewayCommand().commandLine());
        cli.addSubcommand("bills", selfReported(selfReporting, new BillsCommand().commandLine()));
        cli.addSubcommand("rate", selfReported(selfReporting, new RateCommand().commandLine()));
        cli.addSubcommand("serve", selfReported(selfReporting, new ServeCommand().commandLine()));
        cli.addSubcommand("bench", new EndToEndBenchCommand());
        cli.addSubcommand("replay-dead-letters", new ReplayCommand());
        return cli;
    }

    private static CommandLine selfReported(Set<CommandLine> selfReporting, CommandLine command) {
        selfReporting.add(command);
        return command;
    }

    private static int report(Exception e, CommandLine command) {
        command.getErr().println("dabba " + command.getCommandName() + ": " + e.getMessage());
        if (System.getenv("DABBA_DEBUG") != null) {
            e.printStackTrace(command.getErr());
        }
        return 1;
    }

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        System.exit(exit);
    }
}
