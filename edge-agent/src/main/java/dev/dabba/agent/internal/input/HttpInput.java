package dev.dabba.agent.internal.input;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dabba.agent.AgentConfig.HttpSettings;
import dev.dabba.agent.AgentException;
import dev.dabba.agent.EdgeAgent;
import dev.dabba.agent.OutboxFullException;
import dev.dabba.agent.UsageEvent;
import dev.dabba.agent.internal.json.JsonOut;
import dev.dabba.agent.internal.metrics.Metrics;
import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local input for existing collectors: {@code POST /v1/records} with a body of JSON lines (one record or event
 * per line), on a local address. Collectors such as Fluent Bit ({@code http} output, {@code format json_lines}),
 * Vector ({@code http} sink, newline-delimited JSON) and Logstash ({@code http} output, {@code json_batch}) speak it
 * as they are, and retry on 5xx.
 *
 * <p>A request is validated whole first: any invalid line and nothing is applied (400, every problem named by line
 * and field). Then its lines are applied in order, consecutive records stored with one write; 200 means every
 * record is stored in the outbox as {@code outbox.fsync} promises, and the body lists their event ids. A full
 * outbox answers 503 with {@code Retry-After}, listing what was stored before it filled (usually nothing: a request's
 * records are stored all or none).
 */
public final class HttpInput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpInput.class);
    public static final String PATH = "/v1/records";

    private final EdgeAgent agent;
    private final HttpSettings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Metrics.Counter ok;
    private final Metrics.Counter invalid;
    private final Metrics.Counter unavailable;
    private final Metrics.Counter linesIn;

    private HttpInput(EdgeAgent agent, HttpSettings settings, Metrics metrics) throws IOException {
        this.agent = agent;
        this.settings = settings;
        String help = "Requests to the local input, by HTTP status.";
        this.ok = metrics.counter("dabba_agent_input_requests_total", help, "status=\"200\"");
        this.invalid = metrics.counter("dabba_agent_input_requests_total", help, "status=\"400\"");
        this.unavailable = metrics.counter("dabba_agent_input_requests_total", help, "status=\"503\"");
        this.linesIn = metrics.counter("dabba_agent_input_lines_total", "Lines applied from the local input.");
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "dabba-input-" + agent.node());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PATH, this::handle);
    }

    /** Binds and starts the input. */
    public static HttpInput start(EdgeAgent agent, HttpSettings settings, Metrics metrics) {
        try {
            HttpInput input = new HttpInput(agent, settings, metrics);
            input.server.start();
            LOG.info("{}: collector input on http://{}:{}{}", agent.node(), settings.host(),
                    input.address().getPort(), PATH);
            return input;
        } catch (IOException e) {
            throw new AgentException(agent.node() + ": input: cannot listen on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    /** How much of an oversized request body is read and discarded so that the client can read the 413. */
    private static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    private static void drain(InputStream in, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < max && (n = in.read(buf)) >= 0) {
            total += n;
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                send(exchange, 405, error("use POST " + PATH + " with JSON lines"));
                return;
            }
            byte[] body = readLimited(exchange.getRequestBody(), settings.maxRequestBytes());
            if (body == null) {
                // Read the rest before answering: a server that answers and closes while the client is still
                // uploading resets the connection, and the client never sees the 413.
                drain(exchange.getRequestBody(), MAX_DRAIN_BYTES);
                send(exchange, 413, error("request body above input.maxRequestBytes (" + settings.maxRequestBytes()
                        + " bytes); send fewer lines per request"));
                return;
            }
            InputParser.Result parsed = InputParser.parse(new String(body, StandardCharsets.UTF_8));
            if (!parsed.problems().isEmpty()) {
                invalid.increment();
                send(exchange, 400, JsonOut.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("error", "invalid input: nothing was recorded");
                    g.writeArrayFieldStart("problems");
                    for (InputParser.Problem p : parsed.problems()) {
                        g.writeStartObject();
                        g.writeNumberField("line", p.line());
                        g.writeStringField("field", p.field());
                        g.writeStringField("message", p.message());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }));
                return;
            }
            apply(exchange, parsed.lines());
        } catch (RuntimeException e) {
            LOG.error("{}: input request failed", agent.node(), e);
            try {
                send(exchange, 500, error(String.valueOf(e.getMessage())));
            } catch (IOException | RuntimeException ignored) {
                // the response may have started already
            }
        }
    }

    private record Done(int line, String result) {
    }

    private void apply(HttpExchange exchange, List<InputParser.Line> lines) throws IOException {
        List<Done> done = new ArrayList<>(lines.size());
        int i = 0;
        int current = 0;
        try {
            while (i < lines.size()) {
                current = i;
                InputParser.Line line = lines.get(i);
                if (line instanceof InputParser.UsageLine) {
                    List<UsageEvent> events = new ArrayList<>();
                    List<Integer> numbers = new ArrayList<>();
                    while (i < lines.size() && lines.get(i) instanceof InputParser.UsageLine u) {
                        events.add(u.event());
                        numbers.add(u.line());
                        i++;
                    }
                    List<UsageRecord> records = agent.recordAll(events);
                    for (int k = 0; k < records.size(); k++) {
                        done.add(new Done(numbers.get(k), records.get(k).id().toString()));
                    }
                    continue;
                }
                if (line instanceof InputParser.HandoverLine h) {
                    if (h.at() == null) {
                        agent.handOver(h.subscriber(), h.to());
                    } else {
                        agent.handOver(h.subscriber(), h.to(), h.at());
                    }
                    done.add(new Done(h.line(), "handover to " + h.to()));
                } else if (line instanceof InputParser.ArrivalLine a) {
                    agent.expectArrival(a.subscriber(), a.from());
                    done.add(new Done(a.line(), "arrival from " + a.from()));
                } else if (line instanceof InputParser.CallStartLine c) {
                    done.add(new Done(c.line(), "call " + agent.startCall(c.subscriber(), c.callee(), c.type(),
                            c.start())));
                } else if (line instanceof InputParser.CallEndLine c) {
                    done.add(new Done(c.line(), agent.endCall(c.subscriber(), c.end()).id().toString()));
                }
                i++;
            }
        } catch (OutboxFullException e) {
            unavailable.increment();
            linesIn.add(done.size());
            exchange.getResponseHeaders().add("Retry-After", "5");
            send(exchange, 503, result(done, e.getMessage(), lines.get(current).line()));
            return;
        } catch (IllegalArgumentException | IllegalStateException e) {
            invalid.increment();
            linesIn.add(done.size());
            send(exchange, done.isEmpty() ? 400 : 409, result(done, "line " + lines.get(current).line() + ": "
                    + e.getMessage(), lines.get(current).line()));
            return;
        } catch (AgentException e) {
            unavailable.increment();
            linesIn.add(done.size());
            send(exchange, 503, result(done, e.getMessage(), lines.get(current).line()));
            return;
        }
        ok.increment();
        linesIn.add(done.size());
        send(exchange, 200, result(done, null, 0));
    }

    private static String result(List<Done> done, String error, int failedLine) {
        return JsonOut.write(g -> {
            g.writeStartObject();
            if (error != null) {
                g.writeStringField("error", error);
                g.writeNumberField("failedLine", failedLine);
            }
            g.writeNumberField("accepted", done.size());
            g.writeArrayFieldStart("results");
            for (Done d : done) {
                g.writeStartObject();
                g.writeNumberField("line", d.line());
                g.writeStringField(d.result().contains("#") ? "id" : "event", d.result());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String error(String message) {
        return JsonOut.write(g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        byte[] buf = in.readNBytes(limit + 1);
        return buf.length > limit ? null : buf;
    }

    static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
    }
}
