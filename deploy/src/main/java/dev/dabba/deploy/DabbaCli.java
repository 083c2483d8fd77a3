package dev.dabba.deploy;

import dev.dabba.billing.BillCommand;
import dev.dabba.deploy.demo.DemoCommand;
import dev.dabba.deploy.flink.FlinkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dabba} command: one entry point for the demo, the queries and, later, the cluster tools. */
@Command(name = "dabba", mixinStandardHelpOptions = true, version = "dabba 0.1.0",
        description = "Causally ordered telecom and IoT usage billing.",
        subcommands = {DemoCommand.class, FlinkCommand.class, CommandLine.HelpCommand.class})
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
        // Failures people can act on print their message, not a stack trace; DABBA_DEBUG=1 shows the trace.
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println("dabba " + command.getCommandName() + ": " + e.getMessage());
            if (System.getenv("DABBA_DEBUG") != null) {
                e.printStackTrace(command.getErr());
            }
            return 1;
        });
        cli.addSubcommand("bill", new BillCommand().commandLine());
        return cli;
    }

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        System.exit(exit);
    }
}
