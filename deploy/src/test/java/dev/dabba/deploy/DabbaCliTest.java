package dev.dabba.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class DabbaCliTest {

    private static String help() {
        StringWriter out = new StringWriter();
        CommandLine cli = DabbaCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.execute("--help");
        return out.toString();
    }

    @Test
    void help_listsTheDemoAndBillSubcommands() {
        String help = help();
        assertThat(help).contains("demo").contains("bill");
    }

    @Test
    void help_listsTheAgentSubcommand_withRunSimulateAndStatus() {
        assertThat(help()).contains("agent");
        StringWriter out = new StringWriter();
        int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).execute("agent", "--help");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("run").contains("simulate").contains("status");
    }

    @Test
    void bill_withoutUser_failsWithAMessageNamingTheOption() {
        StringWriter err = new StringWriter();
        int exit = DabbaCli.commandLine().setErr(new PrintWriter(err)).execute("bill");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--user");
    }

    @Test
    void unknownSubcommand_isRejected() {
        StringWriter err = new StringWriter();
        int exit = DabbaCli.commandLine().setErr(new PrintWriter(err)).execute("frobnicate");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("frobnicate");
    }

    /**
     * A bad number is a usage error naming its option before anything starts: the demo used to start PostgreSQL,
     * Kafka, a broker, Flink and four towers on {@code --timeout PT-1S} and then fail, and {@code agent simulate
     * --scenario random --events -5} reported success having simulated nothing.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "demo --timeout PT-1S | --timeout | must be positive",
        "demo --timeout PT0S | --timeout | must be positive",
        "replay-dead-letters --bootstrap-servers 127.0.0.1:9 --agent-state /nonexistent --timeout PT0S | --timeout "
                + "| must be positive",
        "agent simulate --scenario random --events -5 | --events | must be at least 1",
        "agent simulate --scenario random --towers 0 | --towers | must be at least 1",
        "agent simulate --scenario random --subscribers 0 | --subscribers | must be at least 1",
        "agent simulate --scenario random --rate -1 | --rate | must be 0 (as fast as possible)",
        "agent simulate --scenario random --rate NaN | --rate | must be 0 (as fast as possible)",
        "agent simulate --scenario random --rate Infinity | --rate | must be 0 (as fast as possible)",
    })
    void aBadNumber_isAUsageErrorNamingItsOption_beforeAnythingStarts(String command, String option, String rule) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(command.split(" "));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '" + option + "': " + rule).contains("Usage:");
        assertThat(out.toString()).as("nothing started").isEmpty();
    }
}
