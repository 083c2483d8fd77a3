package dev.dabba.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.dabba.agent.AgentConfig;
import dev.dabba.agent.AgentConfigFile;
import dev.dabba.agent.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dabba agent status}: asks a running agent's health endpoint for its status; when the agent is not running,
 * reads what it left in its state directory. Exit code 0 when up, 1 when refusing records, 3 when not running.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a running agent's status (or, if it is not running, what its state directory holds).")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The agent's config file: finds its health "
            + "endpoint and state directory.")
    Path config;

    @Option(names = "--url", paramLabel = "URL", description = "The health endpoint (default from --config, else "
            + "http://127.0.0.1:9741).")
    String url;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        AgentConfig cfg = null;
        if (config != null) {
            try {
                cfg = AgentConfigFile.load(config);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("dabba-agent: invalid config " + e.getMessage());
                return 2;
            }
        }
        String base = url != null ? url : cfg != null && cfg.health().enabled()
                ? "http://" + cfg.health().host() + ":" + cfg.health().port()
                : "http://127.0.0.1:" + AgentConfigFile.DEFAULT_HEALTH_PORT;
        try {
            Map<String, String> status = fetch(base + "/status");
            print(out, status);
            return "UP".equals(status.get("status")) ? 0 : 1;
        } catch (IOException e) {
            out.println("agent not reachable at " + base + " (" + e.getMessage() + ")");
            if (cfg != null) {
                offline(out, cfg.stateDirectory());
            }
            return 3;
        }
    }

    private static Map<String, String> fetch(String address) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(address).openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(5_000);
        try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> fields = new LinkedHashMap<>();
            try (JsonParser p = JsonFactory.builder().build().createParser(body)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("not a status document");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    fields.put(name, p.getValueAsString());
                }
            }
            return fields;
        } finally {
            c.disconnect();
        }
    }

    private static void print(PrintWriter out, Map<String, String> s) {
        out.printf("%s (%s): %s, %s%n", s.get("node"), s.get("profile"), s.get("status"),
                "true".equals(s.get("connected")) ? "connected" : "NOT connected (" + s.get("lastError") + ")");
        out.printf("  outbox     %s records waiting, %s of %s bytes%s%n", s.get("outboxRecords"), s.get("outboxBytes"),
                s.get("outboxMaxBytes"), "true".equals(s.get("outboxFull")) ? ", FULL: refusing records" : "");
        out.printf("  clock      sequence %s, epoch %s, %s entries (%s above the epoch base)%n", s.get("sequence"),
                s.get("epoch"), s.get("clockEntries"), s.get("clockDeltaEntries"));
        out.printf("  since start %s stamped, %s published, %s reconnects, %s handovers held%n",
                s.get("recordsStamped"), s.get("recordsPublished"), s.get("reconnects"), s.get("handoversHeld"));
        out.flush();
    }

    private static void offline(PrintWriter out, Path state) {
        Path outbox = state.resolve("outbox");
        long segments = 0;
        long bytes = 0;
        if (Files.isDirectory(outbox)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(outbox, "*.seg")) {
                for (Path p : ds) {
                    segments++;
                    bytes += Files.size(p);
                }
            } catch (IOException e) {
                out.println("  cannot read " + outbox + ": " + e.getMessage());
            }
        }
        out.printf("  state %s: %d outbox segment(s), %d bytes; checkpoint %s%n", state, segments, bytes,
                Files.exists(state.resolve("checkpoint")) ? "present" : "absent");
        out.flush();
    }
}
