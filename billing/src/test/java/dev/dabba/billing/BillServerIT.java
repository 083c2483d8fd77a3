package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.record.Msisdn;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP JSON API over bills in embedded PostgreSQL: authentication, paging, validation, injection as data. */
class BillServerIT {

    static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> INJECTIONS = List.of(
            "' OR '1'='1", "2025-03'; DROP TABLE bill; --", "+91' OR 1=1 --", "1; DELETE FROM bill_line",
            "<script>alert(1)</script>", "../../../etc/passwd", "%00", "\u0000", "2025-03\r\nX-Injected: 1",
            "$(reboot)", "{\"$gt\": \"\"}", "-1", "99999999999999999999");

    private static DataSource dataSource;
    private static String schema;
    private static BillServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        dataSource = TestDatabases.embedded().getPostgresDatabase();
        schema = TestDatabases.uniqueSchema();
        BillStore store = new BillStore(dataSource, schema);
        store.migrate();
        store.upsert(SeedScenario.bill(5));
        store.upsert(SeedScenario.bill(6));
        for (int i = 0; i < 7; i++) {
            Msisdn who = Msisdn.of("+91-90000000" + (20 + i));
            List<dev.dabba.record.UsageRecord> records = SeedScenario.records().stream()
                    .map(r -> new dev.dabba.record.UsageRecord(r.id(), who, r.start(), r.hlc(), r.clock(), r.usage()))
                    .toList();
            store.upsert(Bill.compute(who, SeedScenario.CYCLE, 6, BillStatus.PROVISIONAL, records,
                    Tariff.seedDefault(), SeedScenario.at(200)));
        }
        server = BillServer.start(BillServer.Config.loopback(0, dataSource, TOKEN).withSchema(schema));
    }

    @AfterAll
    static void stop() {
        server.close();
        TestDatabases.dropSchema(dataSource, schema);
    }

    static HttpResponse<String> get(String pathAndQuery, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"api/v1/bills", "api/v1/subscribers/%2B919876543210/bills",
        "api/v1/subscribers/%2B919876543210/bills/2025-03", "api/v1/subscribers/%2B919876543210/bills/latest",
        "api/v1/subscribers/%2B919876543210/bills/2025-03/versions", "api/v1/nothing-here"})
    void everyApiEndpoint_refusesRequestsWithoutOrWithAWrongToken(String path) throws Exception {
        HttpResponse<String> none = get(path, null);
        HttpResponse<String> wrong = get(path, TOKEN + "x");
        HttpResponse<String> empty = get(path, "");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(json(none).at("/error/code").asText()).isEqualTo("unauthenticated");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).at("/error/code").asText()).isEqualTo("invalid_token");
        assertThat(wrong.body()).doesNotContain("21.90");
        assertThat(empty.statusCode()).isEqualTo(401);
    }

    @Test
    void health_andThePage_needNoToken() throws Exception {
        assertThat(get("api/v1/health", null).statusCode()).isEqualTo(200);
        HttpResponse<String> page = get("", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                .contains("script-src 'self'"));
        assertThat(page.body()).contains("<script src=\"app.js\"");
        assertThat(get("app.js", null).body()).contains("textContent");
    }

    @Test
    void bill_isTheSeedBill_withItsTimelineAndBreakdown() throws Exception {
        HttpResponse<String> response = get("api/v1/subscribers/" + enc("+91-9876543210") + "/bills/2025-03", TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode bill = json(response);
        assertThat(bill.get("total").asText()).isEqualTo("21.90");
        assertThat(bill.get("totalPaisa").asLong()).isEqualTo(2190);
        assertThat(bill.get("version").asLong()).isEqualTo(6);
        assertThat(bill.get("lines")).hasSize(6);
        assertThat(bill.at("/lines/2/tower").asText()).isEqualTo("MUMBAI_ANDHERI");
        assertThat(bill.at("/lines/2/clock/MUMBAI_BKC").asLong()).isEqualTo(2);
        assertThat(bill.at("/lines/2/segments/0/price").asText()).isEqualTo("2");
        assertThat(bill.at("/lines/2/concurrent").asBoolean()).isFalse();
        assertThat(get("api/v1/subscribers/%2B919876543210/bills/latest", TOKEN).body()).isEqualTo(response.body());
    }

    @Test
    void versions_listTheHistory() throws Exception {
        JsonNode versions = json(get("api/v1/subscribers/%2B919876543210/bills/2025-03/versions", TOKEN));

        assertThat(versions.get("versions")).extracting(v -> v.get("version").asLong()).containsExactly(6L, 5L);
        assertThat(versions.at("/versions/0/previousVersion").asLong()).isEqualTo(5);
    }

    @Test
    void list_pagesWithTheCursor_throughEveryBillOnce() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json(get("api/v1/bills?cycle=2025-03&limit=3" + (cursor == null ? ""
                    : "&cursor=" + enc(cursor)), TOKEN));
            page.get("items").forEach(item -> seen.add(item.get("subscriber").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(8).doesNotHaveDuplicates().isSorted();
        assertThat(json(get("api/v1/bills?limit=2&offset=7", TOKEN)).get("items")).hasSize(1);
        assertThat(json(get("api/v1/bills?subscriberPrefix=" + enc("+91-90000000 2") + "&minTotal=21.90"
                + "&status=provisional", TOKEN)).get("items")).hasSize(7);
        assertThat(json(get("api/v1/subscribers/%2B919000000020/bills", TOKEN)).get("items")).hasSize(1);
    }

    @Test
    void badParameters_areRefused_namingTheParameter() throws Exception {
        assertError(get("api/v1/bills?cycle=2025-13", TOKEN), 400, "cycle");
        assertError(get("api/v1/bills?limit=0", TOKEN), 400, "limit");
        assertError(get("api/v1/bills?limit=1001", TOKEN), 400, "limit");
        assertError(get("api/v1/bills?limit=ten", TOKEN), 400, "limit");
        assertError(get("api/v1/bills?offset=-1", TOKEN), 400, "offset");
        assertError(get("api/v1/bills?status=PAID", TOKEN), 400, "status");
        assertError(get("api/v1/bills?minTotal=-1", TOKEN), 400, "minTotal");
        assertError(get("api/v1/bills?minTotal=1.234", TOKEN), 400, "minTotal");
        assertError(get("api/v1/bills?subscriberPrefix=91", TOKEN), 400, "subscriberPrefix");
        assertError(get("api/v1/bills?cursor=bm90LWEtY3Vyc29y", TOKEN), 400, "cursor");
        assertError(get("api/v1/bills?cursor=x&offset=2", TOKEN), 400, "offset");
        assertError(get("api/v1/bills?colour=red", TOKEN), 400, "colour");
        assertError(get("api/v1/bills?cycle=2025-03&cycle=2025-04", TOKEN), 400, "cycle");
        assertError(get("api/v1/subscribers/12345/bills/2025-03", TOKEN), 400, "msisdn");
        assertError(get("api/v1/subscribers/%2B919876543210/bills/March", TOKEN), 400, "cycle");
        assertError(get("api/v1/subscribers/%2B919876543210/bills/2025-03?x=1", TOKEN), 400, "x");
    }

    @Test
    void missingBillsAndRoutes_are404_andOtherMethods405() throws Exception {
        assertError(get("api/v1/subscribers/%2B919876543210/bills/2024-01", TOKEN), 404, null);
        assertError(get("api/v1/subscribers/%2B919111111111/bills/latest", TOKEN), 404, null);
        assertError(get("api/v1/subscribers/%2B919876543210/bills/2024-01/versions", TOKEN), 404, null);
        assertError(get("api/v1/bills/extra", TOKEN), 404, null);
        assertError(get("secret.txt", null), 404, null);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("api/v1/bills"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void injectionAttempts_inEveryParameter_areHandledAsData() throws Exception {
        for (String attack : INJECTIONS) {
            String a = enc(attack);
            for (String parameter : List.of("cycle", "status", "minTotal", "subscriberPrefix", "limit", "cursor",
                    "offset")) {
                HttpResponse<String> r = get("api/v1/bills?" + parameter + "=" + a, TOKEN);
                assertThat(r.statusCode()).as(parameter + "=" + attack).isIn(200, 400);
                if (r.statusCode() == 400) {
                    assertThat(json(r).at("/error/parameter").asText()).as(parameter + "=" + attack)
                            .isEqualTo(parameter);
                } else {
                    assertThat(json(r).get("items")).as(parameter + "=" + attack).isNotNull();
                }
            }
            HttpResponse<String> path = get("api/v1/subscribers/" + a + "/bills/2025-03", TOKEN);
            assertThat(path.statusCode()).as("msisdn " + attack).isIn(400, 404);
            HttpResponse<String> cycle = get("api/v1/subscribers/%2B919876543210/bills/" + a, TOKEN);
            assertThat(cycle.statusCode()).as("cycle " + attack).isIn(400, 404);
            HttpResponse<String> name = get("api/v1/bills?" + a + "=1", TOKEN);
            assertThat(name.statusCode()).as("name " + attack).isEqualTo(400);
        }
        // Nothing was dropped, deleted or changed: every bill is still there and the seed bill reads the same.
        assertThat(new BillStore(dataSource, schema).list(BillFilter.ALL, PageRequest.first(100)).items()).hasSize(8);
        assertThat(json(get("api/v1/subscribers/%2B919876543210/bills/2025-03", TOKEN)).get("total").asText())
                .isEqualTo("21.90");
    }

    private static void assertError(HttpResponse<String> response, int status, String parameter) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode error = json(response).get("error");
        assertThat(error.get("status").asInt()).isEqualTo(status);
        assertThat(error.get("message").asText()).isNotBlank();
        if (parameter != null) {
            assertThat(error.get("parameter").asText()).isEqualTo(parameter);
            assertThat(error.get("message").asText()).contains(parameter);
        }
    }

    static YearMonth cycle() {
        return SeedScenario.CYCLE;
    }
}
