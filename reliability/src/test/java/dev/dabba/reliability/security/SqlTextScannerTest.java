package dev.dabba.reliability.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTextScannerTest {

    /**
     * Files this module may not edit whose SQL text holds a validated identifier, with why it is safe; their owners
     * should add a {@code sql-allowlist:} comment at the call instead.
     */
    private static final java.util.Map<String, String> ALLOWED_ELSEWHERE = java.util.Map.of();

    private static final String HEADER = "import java.sql.Connection;\nclass X {\n";

    private static List<SqlTextScanner.Finding> scan(String body) {
        return SqlTextScanner.ofSource("X.java", HEADER + body + "\n}\n").findings();
    }

    @Test
    void everyJdbcCallInTheRepositorysMainCode_buildsItsSqlFromConstants_orAnAllowlistedIdentifier() {
        Path repository = Path.of(System.getProperty("user.dir")).getParent();
        SqlTextScanner scanner = SqlTextScanner.ofTree(repository);

        assertThat(scanner.fileCount()).as("main source files scanned").isGreaterThan(200);
        assertThat(scanner.jdbcCallCount()).as("JDBC calls with SQL looked at").isGreaterThanOrEqualTo(20);
        assertThat(scanner.findings()).filteredOn(f -> !ALLOWED_ELSEWHERE.containsKey(f.file().toString()))
                .isEmpty();
    }

    @Test
    void findsAValueConcatenatedIntoSql() {
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  c.prepareStatement(\"SELECT * FROM bill WHERE subscriber = '\" + name + \"'\");\n}"))
                .singleElement().satisfies(f -> assertThat(f.reason()).contains("name"));
    }

    @Test
    void findsAValueThroughALocal_aStringBuilder_aFormat_andAFormatted() {
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  String sql = \"SELECT 1 FROM t WHERE a = \" + name;\n  c.prepareStatement(sql);\n}")).hasSize(1);
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  StringBuilder sql = new StringBuilder(\"SELECT 1\");\n  sql.append(\" WHERE a = \").append(name);\n"
                + "  c.createStatement().executeQuery(sql.toString());\n}")).hasSize(1);
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  c.prepareStatement(String.format(\"SELECT %s\", name));\n}")).hasSize(1);
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  c.prepareStatement(\"SELECT %s\".formatted(name));\n}")).hasSize(1);
        assertThat(scan("void f(Connection c) throws Exception {\n  c.prepareStatement(sqlFor(1));\n}")).hasSize(1);
    }

    @Test
    void acceptsConstants_placeholders_builderAppendsOfLiterals_andAllowlistedIdentifiers() {
        assertThat(scan("static final String COLUMNS = \"a, b\";\n"
                + "void f(Connection c, String name) throws Exception {\n"
                + "  String key = \" WHERE a = ?\";\n"
                + "  StringBuilder sql = new StringBuilder(\"SELECT \" + COLUMNS + \" FROM t\").append(key);\n"
                + "  sql.append(\" AND b = ?\");\n"
                + "  var ps = c.prepareStatement(sql.toString());\n  ps.setString(1, name);\n"
                + "  c.prepareStatement(String.format(\"SELECT %s\", \"1\"));\n}")).isEmpty();
        assertThat(scan("void f(Connection c, String schema) throws Exception {\n"
                + "  // sql-allowlist: schema is checked against [a-z_][a-z0-9_]* by the constructor\n"
                + "  String table = '\"' + schema + \"\\\".bill\";\n"
                + "  c.prepareStatement(\"SELECT * FROM \" + table + \" WHERE a = ?\");\n}")).isEmpty();
    }

    @Test
    void anExecutorsExecuteOfAMethodReferenceOrLambda_isNotJdbc_butAStringVariableStillIs() {
        assertThat(scan("void f(Connection c, Executor mailbox, Mail written, String name) throws Exception {\n"
                + "  mailbox.execute(written::run, \"write what gathered\");\n"
                + "  mailbox.execute(() -> written.run(), \"again\");\n"
                + "  mailbox.execute(x -> x.run());\n}")).isEmpty();
        assertThat(scan("void f(Connection c, String name) throws Exception {\n"
                + "  c.createStatement().execute(name);\n}")).hasSize(1);
    }
}
