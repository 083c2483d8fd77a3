package dev.dabba.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The billing commands as the {@code dabba} launcher runs them: registered, with their own exit codes. */
class BillingCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int dabba(String... args) {
        return DabbaCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void help_listsBillBillsRateAndServe() {
        dabba("--help");

        assertThat(out.toString()).contains("bill", "bills", "rate", "serve");
    }

    @Test
    void rate_checksTheSeedPlan() {
        assertThat(dabba("rate")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("# plan seed-default is valid", "price: 0.5");
    }

    @Test
    void rate_badRecordFile_keepsItsExitCode3_namingLineAndField(@TempDir Path dir) throws Exception {
        Path records = Files.writeString(dir.resolve("r.jsonl"), "{\"id\":\"X#1\"}\n");

        assertThat(dabba("rate", "--records", records.toString())).isEqualTo(3);

        assertThat(err.toString()).contains("r.jsonl:1: subscriber: is missing");
    }

    @Test
    void serve_withoutTokenFile_exits2_namingTheOption() {
        assertThat(dabba("serve")).isEqualTo(2);

        assertThat(err.toString()).contains("--token-file");
    }

    @Test
    void bills_badLimit_exits2() {
        assertThat(dabba("bills", "--limit", "5000")).isEqualTo(2);

        assertThat(err.toString()).contains("--limit");
    }
}
