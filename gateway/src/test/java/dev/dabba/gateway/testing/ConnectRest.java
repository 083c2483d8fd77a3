package dev.dabba.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A client of a Connect worker's REST API: create connectors, read their status, validate configurations. */
public final class ConnectRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public ConnectRest(URI base) {
        this.base = base;
    }

    /** A response: status code and JSON body (null when empty or not JSON). */
    public record Response(int status, JsonNode body) {
    }

    public Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public Response put(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Creates or updates connector {@code name} with {@code config}. */
    public Response putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        return put("/connectors/" + name + "/config", config);
    }

    /** The connector's state and its tasks' states, e.g. {@code RUNNING [RUNNING, RUNNING]}. */
    public String status(String name) throws IOException, InterruptedException {
        Response r = get("/connectors/" + name + "/status");
        if (r.status() != 200) {
            return "HTTP " + r.status();
        }
        StringBuilder sb = new StringBuilder(r.body().path("connector").path("state").asText()).append(" [");
        for (JsonNode t : r.body().path("tasks")) {
            sb.append(sb.charAt(sb.length() - 1) == '[' ? "" : ", ").append(t.path("state").asText());
            if (t.has("trace")) {
                sb.append(" ").append(t.path("trace").asText().lines().findFirst().orElse(""));
            }
        }
        return sb.append(']').toString();
    }

    /** Whether the REST server answers. */
    public boolean isUp() {
        try {
            return get("/").status() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = null;
        if (!r.body().isBlank()) {
            try {
                body = JSON.readTree(r.body());
            } catch (IOException e) {
                body = null;
            }
        }
        return new Response(r.statusCode(), body);
    }
}
