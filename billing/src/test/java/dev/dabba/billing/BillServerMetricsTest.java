package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** {@code GET /metrics} of the bill server counts the requests it answered, by status, without a database. */
class BillServerMetricsTest {

    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(BillServer server, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_countRequestsByStatus_andStoreFailures_withoutAToken() throws Exception {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        try (BillServer server = BillServer.start(BillServer.Config.loopback(0, nowhere, TOKEN))) {
            assertThat(get(server, "/api/v1/health", null).statusCode()).isEqualTo(200);
            assertThat(get(server, "/api/v1/bills", null).statusCode()).isEqualTo(401);
            assertThat(get(server, "/api/v1/bills", TOKEN).statusCode()).as("the store is unreachable")
                    .isEqualTo(503);

            HttpResponse<String> metrics = get(server, "/metrics", null);

            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body()).contains(
                    "# TYPE dabba_api_requests_total counter",
                    "dabba_api_requests_total{status=\"200\"} 1\n",
                    "dabba_api_requests_total{status=\"401\"} 1\n",
                    "dabba_api_requests_total{status=\"503\"} 1\n",
                    "dabba_api_request_duration_seconds_count 3\n",
                    "dabba_api_store_failures_total 1\n");
            assertThat(get(server, "/metrics", null).body()).as("the scrape itself is counted")
                    .contains("dabba_api_requests_total{status=\"200\"} 2\n");
        }
    }
}
