package dev.dabba.deploy.replay;

import dev.dabba.billing.internal.CliConverters;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.jobs.BillingJobMain;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dabba replay-dead-letters}: the job's unknown-epoch dead letters back to the records topic (see below). */
@Command(name = "replay-dead-letters", mixinStandardHelpOptions = true,
        description = {"Puts records the billing job dead-lettered for an unknown epoch back on dabba.records, decoded "
                + "with the epochs kept in tower agents' state directories and re-encoded with full clocks.",
            "For after a Kafka cluster was rebuilt without dabba.epochs: records the MQTT broker took against the lost "
                + "epoch lineage are dead-lettered by the new job; the towers keep that lineage's epochs. Idempotent: "
                + "the job bills each event id once. Other dead letters are left alone.",
            "Exit status: 0 when every unknown-epoch dead letter was replayed, 3 when some could not be decoded with "
                + "the given epochs (listed), 1 on errors."})
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*). Default: none (PLAINTEXT).")
    Path kafkaConfig;

    @Option(names = "--agent-state", required = true, paramLabel = "DIR",
            description = "A tower agent's state directory (its stateDirectory, holding epochs/); repeat for several "
                    + "towers: their epochs are combined.")
    List<Path> agentState;

    @Option(names = "--dry-run", description = "Decode and count; write nothing.")
    boolean dryRun;

    @Option(names = "--timeout", converter = CliConverters.PositiveDurationConverter.class, defaultValue = "PT1M",
            paramLabel = "DURATION",
            description = "How long reading the dead letters to their end may take, ISO-8601. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        EpochRegistry epochs = DeadLetterReplay.epochsOf(agentState);
        DeadLetterReplay.Result r = DeadLetterReplay.replay(bootstrapServers,
                BillingJobMain.kafkaClientProperties(kafkaConfig), epochs, dryRun, timeout);
        out.printf("read %d dead letters: %s %d unknown-epoch records to dabba.records, left %d of other reasons, "
                + "%d undecodable%n", r.read(), dryRun ? "would replay" : "replayed", r.replayed(), r.otherReasons(),
                r.left().size());
        for (DeadLetterReplay.Left l : r.left()) {
            out.println("  not replayed " + l.deadLetter() + ": " + l.why());
        }
        out.flush();
        return r.left().isEmpty() ? 0 : 3;
    }
}
