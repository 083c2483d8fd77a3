package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Argument handling of the bill command: every mistake exits 2 naming the option, before any database access. */
class BillCommandTest {

    /** A data source that fails the test if the command touches it. */
    private static final DataSource UNTOUCHABLE = (DataSource) Proxy.newProxyInstance(
            BillCommandTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                throw new AssertionError("the command must not use the database here, but called "
                        + method.getName());
            });

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new BillCommand(UNTOUCHABLE).execute(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void missingUser_exits2_namingTheOption() {
        assertThat(run()).isEqualTo(BillCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--user");
    }

    @Test
    void badMsisdn_exits2_namingTheOptionAndTheValue() {
        assertThat(run("--user", "9876543210")).isEqualTo(2);
        assertThat(err.toString()).contains("--user", "'9876543210'");
    }

    @Test
    void badCycle_exits2_namingTheOption() {
        assertThat(run("--user", "+91-9876543210", "--cycle", "2025-13")).isEqualTo(2);
        assertThat(err.toString()).contains("--cycle", "YYYY-MM", "'2025-13'");
    }

    @Test
    void badFormat_exits2_namingTheOption() {
        assertThat(run("--user", "+91-9876543210", "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format", "table, json or csv", "'xml'");
    }

    @Test
    void badSchema_exits2_namingTheOption() {
        assertThat(run("--user", "+91-9876543210", "--schema", "x; DROP TABLE bill")).isEqualTo(2);
        assertThat(err.toString()).contains("--schema");
    }

    @Test
    void badJdbcUrl_exits2_namingTheOption() {
        int code = new BillCommand().execute(new PrintWriter(out), new PrintWriter(err),
                "--user", "+91-9876543210", "--jdbc-url", "jdbc:mysql://localhost/dabba");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--jdbc-url", "jdbc:postgresql://");
    }

    @Test
    void connectionOptions_areRejected_whenTheCommandWasGivenADataSource() {
        assertThat(run("--user", "+91-9876543210", "--jdbc-url", "jdbc:postgresql://127.0.0.1:5432/x")).isEqualTo(2);
        assertThat(err.toString()).contains("--jdbc-url", "cannot be used");
    }

    @Test
    void help_listsTheOptionsAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--user", "--cycle", "--format", "--jdbc-url", "--db-user", "--schema",
                "Exit codes", "3", "no bill");
    }
}
