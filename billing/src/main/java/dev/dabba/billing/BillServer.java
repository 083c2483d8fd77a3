package dev.dabba.billing;

import com.sun.net.httpserver.HttpServer;
import dev.dabba.billing.internal.HttpApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bill server: the HTTP JSON API and the web page that shows a bill and its causal timeline, on the JDK's own
 * HTTP server (package {@code com.sun.net.httpserver}, module {@code jdk.httpserver}).
 *
 * <p>Endpoints, all {@code GET}; everything under {@code /api/v1/} except {@code health} needs
 * {@code Authorization: Bearer TOKEN}:
 * <ul>
 *   <li>{@code /} the web page ({@code /app.js}, {@code /app.css});</li>
 *   <li>{@code /api/v1/health};</li>
 *   <li>{@code /metrics} Prometheus text: requests by status, their duration, store failures (no token needed);</li>
 *   <li>{@code /api/v1/bills?cycle=&status=&minTotal=&subscriberPrefix=&limit=&cursor=|offset=} a page of bills;</li>
 *   <li>{@code /api/v1/subscribers/{msisdn}/bills} a subscriber's bills;</li>
 *   <li>{@code /api/v1/subscribers/{msisdn}/bills/{YYYY-MM|latest}} one bill with its timeline and breakdown;</li>
 *   <li>{@code /api/v1/subscribers/{msisdn}/bills/{YYYY-MM}/versions} its version history.</li>
 * </ul>
 * Errors are JSON, {@code {"error": {"status", "code", "parameter", "message"}}}, naming the parameter at fault.
 */
public final class BillServer implements AutoCloseable {

    /** The shortest API token accepted, in characters. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private static final Logger LOG = LoggerFactory.getLogger(BillServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private BillServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** How to run a bill server. */
    public record Config(InetSocketAddress address, DataSource dataSource, String schema, String token, int threads) {

        public Config {
            Objects.requireNonNull(address, "address must not be null");
            Objects.requireNonNull(dataSource, "dataSource must not be null");
            BillStore.requireValidSchema(schema);
            Objects.requireNonNull(token, "token must not be null");
            if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("token must be at least " + MIN_TOKEN_LENGTH
                        + " printable ASCII characters without spaces, was " + token.length() + " characters");
            }
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be within 1..256, was " + threads);
            }
        }

        /** Loopback on {@code port} (0: any free port), the default schema, 8 threads. */
        public static Config loopback(int port, DataSource dataSource, String token) {
            return new Config(new InetSocketAddress("127.0.0.1", port), dataSource, BillStore.DEFAULT_SCHEMA, token,
                    8);
        }

        /** This configuration with another schema. */
        public Config withSchema(String schema) {
            return new Config(address, dataSource, schema, token, threads);
        }
    }

    /** Starts a server; it serves until {@link #close()}. */
    public static BillServer start(Config config) {
        Objects.requireNonNull(config, "config must not be null");
        HttpServer server;
        try {
            server = HttpServer.create(config.address(), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.address() + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "dabba-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService executor = Executors.newFixedThreadPool(config.threads(), threads);
        server.setExecutor(executor);
        server.createContext("/", new HttpApi(new BillStore(config.dataSource(), config.schema()), config.token()));
        server.start();
        LOG.info("Bill server listening on {}", server.getAddress());
        return new BillServer(server, executor);
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URI of the server, {@code http://HOST:PORT/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/");
    }

    /** Stops accepting requests, lets running ones finish for up to a second, and stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
