package dev.dabba.billing.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillFilter;
import dev.dabba.billing.BillPage;
import dev.dabba.billing.BillRenderer;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillStoreException;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.Money;
import dev.dabba.billing.PageRequest;
import dev.dabba.record.Msisdn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP JSON API and the web page of the bill server: routing, bearer-token authentication, strict parameter
 * validation and JSON errors that name the parameter at fault. Every value reaches SQL as a bound parameter of
 * {@link BillStore}; nothing from a request is ever part of SQL text.
 */
public final class HttpApi implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String API = "/api/v1/";
    private static final List<String> LIST_PARAMETERS =
            List.of("cycle", "status", "minTotal", "subscriberPrefix", "limit", "cursor", "offset");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final BillStore store;
    private final byte[] tokenDigest;
    private final ApiMetrics metrics = new ApiMetrics();

    /** An API over {@code store}, accepting requests that carry {@code token}. */
    public HttpApi(BillStore store, String token) {
        this.store = store;
        this.tokenDigest = sha256(token);
    }

    /** This API's request metrics (also served on {@code GET /metrics}). */
    public ApiMetrics metrics() {
        return metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try {
            answer(exchange);
        } finally {
            metrics.request(exchange.getResponseCode(), System.nanoTime() - start);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                throw new ApiException(405, "method_not_allowed", null, "only GET is supported");
            }
            if (path.equals("/metrics")) {
                QueryParams.parse(exchange.getRequestURI().getRawQuery(), List.of());
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                send(exchange, 200, metrics.prometheusText().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.startsWith(API)) {
                serveStatic(exchange, path);
                return;
            }
            if (path.equals(API + "health")) {
                QueryParams.parse(exchange.getRequestURI().getRawQuery(), List.of());
                ObjectNode ok = MAPPER.createObjectNode().put("status", "ok");
                sendJson(exchange, 200, BillRenderer.write(ok));
                return;
            }
            authenticate(exchange);
            sendJson(exchange, 200, route(exchange, path.substring(API.length())));
        } catch (ApiException e) {
            sendError(exchange, e);
        } catch (BillStoreException e) {
            LOG.warn("Bill store failure serving {}: {}", exchange.getRequestURI().getRawPath(), e.getMessage());
            metrics.storeFailure();
            sendError(exchange, new ApiException(503, "store_unavailable", null,
                    "the bill store cannot be read right now"));
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure serving {}", exchange.getRequestURI().getRawPath(), e);
            sendError(exchange, new ApiException(500, "internal_error", null, "unexpected server error"));
        } finally {
            exchange.close();
        }
    }

    private String route(HttpExchange exchange, String rest) {
        String query = exchange.getRequestURI().getRawQuery();
        String[] parts = rest.split("/", -1);
        if (parts.length == 1 && parts[0].equals("bills")) {
            QueryParams params = QueryParams.parse(query, LIST_PARAMETERS);
            return BillRenderer.write(BillRenderer.pageJson(store.list(filter(params), page(params))));
        }
        if (parts.length >= 3 && parts[0].equals("subscribers") && parts[2].equals("bills")) {
            Msisdn subscriber = msisdn(segment(parts[1], "msisdn"));
            if (parts.length == 3) {
                QueryParams.parse(query, List.of());
                BillPage page = new BillPage(store.list(subscriber), Optional.empty());
                return BillRenderer.write(BillRenderer.pageJson(page));
            }
            String cycleText = segment(parts[3], "cycle");
            if (parts.length == 4) {
                QueryParams.parse(query, List.of());
                Optional<Bill> bill = cycleText.equals("latest") ? store.findLatest(subscriber)
                        : store.find(subscriber, cycle(cycleText));
                return BillRenderer.json(bill.orElseThrow(() -> notFound(subscriber, cycleText)));
            }
            if (parts.length == 5 && parts[4].equals("versions")) {
                QueryParams.parse(query, List.of());
                YearMonth cycle = cycle(cycleText);
                var versions = store.versions(subscriber, cycle);
                if (versions.isEmpty()) {
                    throw notFound(subscriber, cycleText);
                }
                return BillRenderer.write(BillRenderer.versionsJson(versions));
            }
        }
        throw new ApiException(404, "not_found", null, "no such endpoint: " + QueryParams.clip(API + rest));
    }

    private static ApiException notFound(Msisdn subscriber, String cycle) {
        return new ApiException(404, "bill_not_found", null, "no bill for " + subscriber
                + (cycle.equals("latest") ? "" : " in cycle " + cycle));
    }

    private static BillFilter filter(QueryParams params) {
        BillFilter f = BillFilter.ALL;
        Optional<String> cycle = params.get("cycle");
        if (cycle.isPresent()) {
            f = f.withCycle(cycle(cycle.get()));
        }
        Optional<String> status = params.get("status");
        if (status.isPresent()) {
            try {
                f = f.withStatus(BillStatus.valueOf(status.get().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw invalid("status", "status must be PROVISIONAL or FINAL, was '" + QueryParams.clip(status.get())
                        + "'");
            }
        }
        Optional<String> min = params.get("minTotal");
        if (min.isPresent()) {
            try {
                Money m = Money.parse(min.get());
                if (m.isNegative()) {
                    throw new IllegalArgumentException("minTotal must not be negative");
                }
                f = f.withMinTotal(m);
            } catch (IllegalArgumentException e) {
                throw invalid("minTotal", "minTotal must be a rupee amount such as 20.00, was '"
                        + QueryParams.clip(min.get()) + "'");
            }
        }
        Optional<String> prefix = params.get("subscriberPrefix");
        if (prefix.isPresent()) {
            try {
                f = f.withSubscriberPrefix(prefix.get());
            } catch (IllegalArgumentException e) {
                throw invalid("subscriberPrefix", "subscriberPrefix must be '+' and digits such as +9198, was '"
                        + QueryParams.clip(prefix.get()) + "'");
            }
        }
        return f;
    }

    private static PageRequest page(QueryParams params) {
        int limit = integer(params, "limit", PageRequest.DEFAULT_LIMIT);
        int offset = integer(params, "offset", 0);
        if (limit < 1 || limit > PageRequest.MAX_LIMIT) {
            throw invalid("limit", "limit must be within 1.." + PageRequest.MAX_LIMIT + ", was " + limit);
        }
        if (offset < 0) {
            throw invalid("offset", "offset must be non-negative, was " + offset);
        }
        Optional<String> cursor = params.get("cursor");
        if (cursor.isPresent() && offset > 0) {
            throw invalid("offset", "offset cannot be used with cursor; use one");
        }
        try {
            return new PageRequest(limit, cursor, offset);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor", "cursor is not one this server issued; pass nextCursor back as given");
        }
    }

    private static int integer(QueryParams params, String name, int otherwise) {
        Optional<String> v = params.get(name);
        if (v.isEmpty()) {
            return otherwise;
        }
        if (!v.get().matches("-?[0-9]{1,9}")) {
            throw invalid(name, name + " must be a whole number, was '" + QueryParams.clip(v.get()) + "'");
        }
        return Integer.parseInt(v.get());
    }

    private static YearMonth cycle(String text) {
        if (!text.matches("[0-9]{4}-[0-9]{2}")) {
            throw invalid("cycle", "cycle must be YYYY-MM, was '" + QueryParams.clip(text) + "'");
        }
        try {
            return BillingCycle.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid("cycle", "cycle must be YYYY-MM, was '" + QueryParams.clip(text) + "'");
        }
    }

    private static Msisdn msisdn(String text) {
        try {
            return Msisdn.of(text);
        } catch (IllegalArgumentException e) {
            throw invalid("msisdn", "msisdn must be an international number such as +919876543210, was '"
                    + QueryParams.clip(text) + "'");
        }
    }

    private static String segment(String raw, String parameter) {
        try {
            // A path segment: '+' is a literal plus here, not a space.
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(parameter, parameter + " is not validly percent-encoded");
        }
    }

    private static ApiException invalid(String parameter, String message) {
        return new ApiException(400, "invalid_parameter", parameter, message);
    }

    private void authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"dabba\"");
            throw new ApiException(401, "unauthenticated", null,
                    "send the API token as 'Authorization: Bearer TOKEN'");
        }
        if (!MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"dabba\", error=\"invalid_token\"");
            throw new ApiException(401, "invalid_token", null, "the API token is not valid");
        }
    }

    private static void serveStatic(HttpExchange exchange, String path) throws IOException {
        String name;
        String type;
        switch (path) {
            case "/":
            case "/index.html":
                name = "index.html";
                type = "text/html; charset=utf-8";
                break;
            case "/app.js":
                name = "app.js";
                type = "text/javascript; charset=utf-8";
                break;
            case "/app.css":
                name = "app.css";
                type = "text/css; charset=utf-8";
                break;
            default:
                throw new ApiException(404, "not_found", null, "no such page: " + QueryParams.clip(path));
        }
        QueryParams.parse(exchange.getRequestURI().getRawQuery(), List.of());
        byte[] body;
        try (InputStream in = HttpApi.class.getResourceAsStream("/dev/dabba/billing/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web resource " + name + " is missing");
            }
            body = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        send(exchange, 200, body);
    }

    private static void sendError(HttpExchange exchange, ApiException e) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("status", e.status());
        error.put("code", e.code());
        if (e.parameter() == null) {
            error.putNull("parameter");
        } else {
            error.put("parameter", e.parameter());
        }
        error.put("message", e.getMessage());
        sendJson(exchange, e.status(), BillRenderer.write(root));
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
