package dev.dabba.reliability.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillCommand;
import dev.dabba.billing.BillLine;
import dev.dabba.billing.BillServer;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillsCommand;
import dev.dabba.billing.Tariff;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The report store, the HTTP API and the CLI against the real PostgreSQL server on 127.0.0.1:5432 (a database of
 * the test's own, dropped afterwards; skipped with a reason where the server does not answer): the API refuses
 * missing and wrong tokens; SQL-injection strings sent through every API parameter and path segment, and through the
 * CLI's query options, come back as validation errors or empty results and change nothing; and free text that does
 * reach SQL (a bill line's missing-dependencies note) is stored and read back byte for byte.
 */
class SqlInjectionIT {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String TOKEN = "reliability-token-0123456789abcdef";
    private static final List<String> INJECTIONS = List.of("' OR '1'='1", "'; DROP TABLE bill; --",
            "+91' OR 1=1 --", "+9198'; DELETE FROM bill_line; --", "1; TRUNCATE bill CASCADE", "2025-03' OR 'x'='x",
            "\" OR \"\"=\"", "%' OR subscriber LIKE '%", "') UNION SELECT * FROM pg_user --", "\\'; SELECT pg_sleep(5); --",
            "+919876543210' AND 1=(SELECT 1/0) --", "$$; DROP SCHEMA dabba CASCADE; $$", "\u0000' OR 1=1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final YearMonth CYCLE = YearMonth.of(2025, 3);

    private static String database;
    private static PGSimpleDataSource dataSource;
    private static BillServer server;
    private static long bills;
    private static long lines;

    @BeforeAll
    static void start() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", null)) {
            database = "reliability_sqli_" + Long.toHexString(System.nanoTime());
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
        } catch (java.sql.SQLException e) {
            Assumptions.abort("skipped: no PostgreSQL server at " + SERVER + " (" + e.getMessage() + ")");
        }
        dataSource = new PGSimpleDataSource();
        dataSource.setURL(SERVER + database);
        dataSource.setUser("postgres");
        BillStore store = new BillStore(dataSource);
        store.migrate();
        for (int i = 0; i < 3; i++) {
            store.upsert(bill(Msisdn.of("+91987654321" + i), null));
        }
        bills = count("bill");
        lines = count("bill_line");
        server = BillServer.start(BillServer.Config.loopback(0, dataSource, TOKEN));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (database != null) {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    private static Bill bill(Msisdn who, String missing) {
        NodeId tower = NodeId.of("MUMBAI_BKC");
        Instant t0 = Instant.parse("2025-03-10T04:30:00Z");
        List<UsageRecord> records = new ArrayList<>();
        Usage[] usages = {new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180),
            new Usage.Data(RadioType.G4, 10L << 20, 40L << 20)};
        for (int i = 0; i < usages.length; i++) {
            Instant at = t0.plusSeconds(300L * i);
            records.add(new UsageRecord(new EventId(tower, i + 1), who, at, new HybridTimestamp(at.toEpochMilli(), 0),
                    VectorClock.of(Map.of(tower.value(), i + 1L)), usages[i]));
        }
        Bill b = Bill.compute(who, CYCLE, 1, BillStatus.PROVISIONAL, records, Tariff.seedDefault(), t0);
        if (missing == null) {
            return b;
        }
        List<BillLine> marked = b.lines().stream().map(l -> new BillLine(l.position(), l.rated(), l.concurrent(),
                missing, l.cloneSuspect())).toList();
        return new Bill(b.subscriber(), b.cycle(), 2, b.status(), b.tariffId(), marked, b.calls(), b.sms(), b.data(),
                b.total(), b.bundles(), b.updatedAt());
    }

    private static long count(String table) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + BillStore.DEFAULT_SCHEMA + "\"." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void assertNothingChanged() throws Exception {
        assertThat(count("bill")).as("bills").isEqualTo(bills);
        assertThat(count("bill_line")).as("bill lines").isEqualTo(lines);
    }

    @Test
    void api_refusesMissingAndWrongTokens_onTheRealServer() throws Exception {
        for (String path : List.of("api/v1/bills", "api/v1/subscribers/%2B919876543210/bills/2025-03",
                "api/v1/subscribers/%2B919876543210/bills/latest")) {
            assertThat(get(path, null).statusCode()).as(path + " without a token").isEqualTo(401);
            assertThat(get(path, TOKEN + "x").statusCode()).as(path + " with a wrong token").isEqualTo(401);
            assertThat(get(path, "' OR '1'='1").statusCode()).as(path + " with an injected token").isEqualTo(401);
            assertThat(get(path, TOKEN).statusCode()).as(path + " with the token").isIn(200, 404);
        }
        assertThat(JSON.readTree(get("api/v1/subscribers/%2B919876543210/bills/2025-03", TOKEN).body())
                .get("total").asText()).isEqualTo("4.30");
    }

    @Test
    void injectionStrings_throughEveryApiParameterAndPath_areValidationErrorsOrEmpty_andChangeNothing()
            throws Exception {
        for (String attack : INJECTIONS) {
            String a = enc(attack);
            for (String parameter : List.of("cycle", "status", "minTotal", "subscriberPrefix", "limit", "cursor",
                    "offset")) {
                HttpResponse<String> r = get("api/v1/bills?" + parameter + "=" + a, TOKEN);
                assertThat(r.statusCode()).as(parameter + "=" + attack).isIn(200, 400);
                JsonNode body = JSON.readTree(r.body());
                if (r.statusCode() == 200) {
                    assertThat(body.get("items").size()).as(parameter + "=" + attack + " matched nothing extra")
                            .isLessThanOrEqualTo(3);
                }
            }
            assertThat(get("api/v1/subscribers/" + a + "/bills/2025-03", TOKEN).statusCode()).as("msisdn " + attack)
                    .isIn(400, 404);
            assertThat(get("api/v1/subscribers/%2B919876543210/bills/" + a, TOKEN).statusCode())
                    .as("cycle " + attack).isIn(400, 404);
        }
        assertNothingChanged();
    }

    @Test
    void injectionStrings_throughTheCliQueryOptions_areRefusedOrEmpty_andChangeNothing() throws Exception {
        for (String attack : INJECTIONS) {
            for (String[] args : List.of(new String[] {"--subscriber-prefix", attack}, new String[] {"--cycle", attack},
                    new String[] {"--status", attack}, new String[] {"--min-total", attack},
                    new String[] {"--cursor", attack})) {
                StringWriter out = new StringWriter();
                int exit = new BillsCommand(dataSource).execute(new PrintWriter(out), new PrintWriter(new StringWriter()),
                        args);
                assertThat(exit == 0 ? out.toString() : "refused").as("bills " + String.join(" ", args))
                        .doesNotContain("+919876543210").doesNotContain("+919876543211")
                        .doesNotContain("+919876543212");
            }
            StringWriter out = new StringWriter();
            int exit = new BillCommand(dataSource).execute(new PrintWriter(out), new PrintWriter(new StringWriter()),
                    "--user", attack, "--cycle", "2025-03");
            assertThat(exit).as("bill --user " + attack).isNotZero();
        }
        assertNothingChanged();
    }

    @Test
    void freeTextThatReachesSql_isStoredAndReadBackAsData() throws Exception {
        BillStore store = new BillStore(dataSource, "free_text");
        store.migrate();
        for (int i = 0; i < INJECTIONS.size(); i++) {
            String text = "missing: " + INJECTIONS.get(i).replace("\u0000", "NUL"); // PostgreSQL text holds no NUL
            Msisdn who = Msisdn.of("+9198765433" + String.format("%02d", i));
            store.upsert(bill(who, text));
            Bill back = store.find(who, CYCLE).orElseThrow();
            assertThat(back.lines()).extracting(BillLine::missingDependencies).as(text).containsOnly(text);
        }
        assertThat(store.list(CYCLE, 100)).hasSize(INJECTIONS.size());
        assertNothingChanged();
    }
}
