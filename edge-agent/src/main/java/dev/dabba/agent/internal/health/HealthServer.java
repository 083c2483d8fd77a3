package dev.dabba.agent.internal.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dabba.agent.AgentConfig.HttpSettings;
import dev.dabba.agent.AgentException;
import dev.dabba.agent.AgentStatus;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.internal.json.JsonOut;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent's operational endpoints: {@code GET /health} (200 while accepting records, 503 while the outbox is full),
 * {@code GET /status} (JSON, what {@code dabba agent status} prints) and {@code GET /metrics} (Prometheus text).
 */
public final class HealthServer implements AutoCloseable {

    private final EdgeAgent agent;
    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(EdgeAgent agent, HttpSettings settings) throws IOException {
        this.agent = agent;
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dabba-health-" + agent.node());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", this::health);
        server.createContext("/status", this::status);
        server.createContext("/metrics", this::metrics);
    }

    /** Binds and starts the endpoints. */
    public static HealthServer start(EdgeAgent agent, HttpSettings settings) {
        try {
            HealthServer s = new HealthServer(agent, settings);
            s.server.start();
            return s;
        } catch (IOException e) {
            throw new AgentException(agent.node() + ": health: cannot listen on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void health(HttpExchange exchange) throws IOException {
        try (exchange) {
            AgentStatus s = agent.status();
            String body = JsonOut.write(g -> {
                g.writeStartObject();
                g.writeStringField("status", s.healthy() ? "UP" : "DOWN");
                g.writeStringField("node", s.node());
                g.writeBooleanField("connected", s.connected());
                g.writeNumberField("outboxRecords", s.outboxRecords());
                if (!s.healthy()) {
                    g.writeStringField("reason", "outbox full: records are refused until the broker acknowledges "
                            + "older ones");
                }
                g.writeEndObject();
            });
            send(exchange, s.healthy() ? 200 : 503, "application/json", body);
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, 200, "application/json", toJson(agent.status()));
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", agent.prometheusMetrics());
        }
    }

    /** The status as the JSON {@code GET /status} returns. */
    public static String toJson(AgentStatus s) {
        return JsonOut.write(g -> {
            g.writeStartObject();
            g.writeStringField("node", s.node());
            g.writeStringField("profile", s.profile());
            g.writeStringField("status", s.healthy() ? "UP" : "DOWN");
            g.writeBooleanField("connected", s.connected());
            g.writeStringField("lastError", s.lastError());
            g.writeNumberField("outboxRecords", s.outboxRecords());
            g.writeNumberField("outboxBytes", s.outboxBytes());
            g.writeNumberField("outboxMaxBytes", s.outboxMaxBytes());
            g.writeBooleanField("outboxFull", s.outboxFull());
            g.writeNumberField("sequence", s.sequence());
            g.writeNumberField("epoch", s.epoch());
            g.writeNumberField("clockEntries", s.clockEntries());
            g.writeNumberField("clockDeltaEntries", s.clockDeltaEntries());
            g.writeNumberField("recordsStamped", s.recordsStamped());
            g.writeNumberField("recordsPublished", s.recordsPublished());
            g.writeNumberField("reconnects", s.reconnects());
            g.writeNumberField("handoversHeld", s.handoversHeld());
            g.writeEndObject();
        });
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
