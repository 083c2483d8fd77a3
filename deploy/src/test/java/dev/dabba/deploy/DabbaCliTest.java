package dev.dabba.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
