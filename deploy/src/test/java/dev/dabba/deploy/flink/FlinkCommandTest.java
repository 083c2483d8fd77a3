package dev.dabba.deploy.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FlinkCommandTest {

    @Test
    void up_keepsStateInRocksDbByDefault_andTakesHashmap() {
        assertThat(up().stateBackend).isEqualTo(FlinkSessionCluster.StateBackend.ROCKSDB);
        assertThat(up("--state-backend", "HashMap").stateBackend).isEqualTo(FlinkSessionCluster.StateBackend.HASHMAP);
    }

    private static FlinkCommand.Up up(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "up";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = new CommandLine(new FlinkCommand()).parseArgs(all);
        return (FlinkCommand.Up) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void up_refusesAnUnknownStateBackend_namingTheOptionAndTheChoices() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new FlinkCommand()).setErr(new PrintWriter(err));
        int code = cli.execute("up", "--state-backend", "memory");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--state-backend").contains("'memory' is not a state backend")
                .contains("rocksdb or hashmap");
    }
}
