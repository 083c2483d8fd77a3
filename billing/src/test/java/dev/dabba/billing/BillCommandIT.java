package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.YearMonth;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bill command and query against bills stored in embedded PostgreSQL, embedded and standalone. */
class BillCommandIT {

    private static final String USER = "+91-9876543210";

    private static DataSource dataSource;
    private static String schema;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void storeTheSeedBill() {
        dataSource = TestDatabases.embedded().getPostgresDatabase();
        schema = TestDatabases.uniqueSchema();
        BillStore store = new BillStore(dataSource, schema);
        store.migrate();
        store.upsert(SeedScenario.bill(4));
    }

    @AfterAll
    static void dropSchema() {
        TestDatabases.dropSchema(dataSource, schema);
    }

    private int run(BillCommand command, String... args) {
        return command.execute(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void embedded_printsTheLatestBillAsATable() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--schema", schema);

        assertThat(code).as(err.toString()).isEqualTo(BillCommand.EXIT_OK);
        assertThat(out.toString()).contains("version 4", "Total", "Rs 21.90", "{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}");
    }

    @Test
    void embedded_printsJsonForACycle() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--cycle", "2025-03", "--format", "json",
                "--schema", schema);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("{").contains("\"total\":\"21.90\"", "\"totalPaisa\":2190");
    }

    @Test
    void noBillForTheCycle_exits3_sayingWhatWasMissing() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--cycle", "2025-04", "--schema", schema);

        assertThat(code).isEqualTo(BillCommand.EXIT_NOT_FOUND);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("no bill for +919876543210 in cycle 2025-04");
    }

    @Test
    void unknownSubscriber_exits3() {
        assertThat(run(new BillCommand(dataSource), "--user", "+91-9000000000", "--schema", schema)).isEqualTo(3);
    }

    @Test
    void missingSchema_exits1_withTheStoreError() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--schema", "no_such_schema");

        assertThat(code).isEqualTo(BillCommand.EXIT_STORE_ERROR);
        assertThat(err.toString()).contains("bill: cannot read latest bill", "no_such_schema");
    }

    @Test
    void standalone_connectsToTheJdbcUrl() {
        EmbeddedPostgres pg = TestDatabases.embedded();
        String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";

        int code = run(new BillCommand(), "--user", USER, "--jdbc-url", url, "--db-user", "postgres",
                "--schema", schema);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Rs 21.90");
    }

    @Test
    void query_findsTheSameBillTheCommandPrints() {
        BillQuery query = new BillQuery(dataSource, schema);

        assertThat(query.find(SeedScenario.USER, Optional.empty())).contains(SeedScenario.bill(4));
        assertThat(query.render(SeedScenario.USER, Optional.of(YearMonth.of(2025, 3)), BillFormat.TABLE))
                .hasValueSatisfying(table -> assertThat(table).contains("Rs 21.90"));
    }

    @Test
    void embedded_printsCsv_oneRowPerLine() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--format", "csv", "--schema", schema);

        assertThat(code).as(err.toString()).isZero();
        String[] rows = out.toString().split("\r\n");
        assertThat(rows).hasSize(7);
        assertThat(rows[3]).contains("MUMBAI_ANDHERI#1", "CALL VIDEO", ",600,6.00,", "\"{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}\"");
    }

    @Test
    void history_printsEveryVersionWithItsChanges() {
        int code = run(new BillCommand(dataSource), "--user", USER, "--history", "--schema", schema);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("Version 4").contains("+ MUMBAI_BANDRA#2 at #6: Rs 6.00");
    }

    @Test
    void bills_listsWithFiltersAndPages() {
        StringWriter page = new StringWriter();
        int code = new BillsCommand(dataSource).execute(new PrintWriter(page), new PrintWriter(err), "--cycle",
                "2025-03", "--min-total", "21.90", "--subscriber-prefix", "+91-98", "--limit", "1", "--schema", schema);

        assertThat(code).as(err.toString()).isZero();
        assertThat(page.toString()).contains("+919876543210", "2025-03", "Rs 21.90", "1 bill.");
        StringWriter json = new StringWriter();
        new BillsCommand(dataSource).execute(new PrintWriter(json), new PrintWriter(err), "--format", "json",
                "--status", "FINAL", "--schema", schema);
        assertThat(json.toString()).startsWith("{\"items\":[]").contains("\"nextCursor\":null");
    }

    @Test
    void bills_refusesBadOptions_namingThem() {
        BillsCommand bills = new BillsCommand(dataSource);

        assertThat(bills.execute(new PrintWriter(out), new PrintWriter(err), "--limit", "0", "--schema", schema))
                .as(err.toString()).isEqualTo(BillsCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--limit");
        assertThat(new BillsCommand(dataSource).execute(new PrintWriter(out), new PrintWriter(err),
                "--subscriber-prefix", "91' OR 1=1", "--schema", schema)).isEqualTo(BillsCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--subscriber-prefix");
        assertThat(new BillsCommand(dataSource).execute(new PrintWriter(out), new PrintWriter(err),
                "--cursor", "Zm9yZ2Vk", "--schema", schema)).isEqualTo(BillsCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--cursor");
    }
}
