package dev.dabba.reliability.workload;

import dev.dabba.clock.NodeId;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.reliability.oracle.GeneratedRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts usage of a tower's own stationary subscribers to an agent's collector input ({@code POST /v1/records}, JSON
 * lines), one request at a time, and writes down what the agent answered for.
 *
 * <p>A request the agent answered (HTTP 200) gave the event ids of its records; a request that got no answer (the
 * agent was killed) is remembered as in doubt: its records were stamped and stored all together or not at all, and
 * {@link #resolveInDoubt(long)} settles which from the restarted agent's sequence (ids never repeat nor skip).
 * The records of one tower's stationary subscribers are ordered by the tower's program order alone, which is the
 * happens-before the generator writes down.
 */
public final class HttpRecordStream {

    private static final Pattern ID = Pattern.compile("\"id\":\"([A-Za-z0-9_.-]+#\\d+)\"");

    private final NodeId node;
    private final int inputPort;
    private final Msisdn[] subscribers;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<GeneratedRecord> generated = new ArrayList<>();
    private List<Event> inDoubt = List.of();
    private long lastSequence;
    private Instant now;

    private record Event(Msisdn subscriber, Instant start, Usage usage) {
    }

    /**
     * @param msisdnPrefix the subscribers' numbers begin with this; six digits follow
     */
    public HttpRecordStream(NodeId node, int inputPort, int subscriberCount, String msisdnPrefix, long seed,
            Instant start) {
        this.node = node;
        this.inputPort = inputPort;
        this.subscribers = new Msisdn[subscriberCount];
        for (int i = 0; i < subscriberCount; i++) {
            subscribers[i] = Msisdn.of(msisdnPrefix + String.format("%06d", i));
        }
        this.random = new Random(seed);
        this.now = start.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /**
     * Posts one request of {@code lines} records. Returns true if the agent answered for them; false (and they are in
     * doubt) if the request failed without an answer.
     *
     * @throws IllegalStateException if records are already in doubt, or the agent answered with an error
     */
    public synchronized boolean post(int lines) {
        if (!inDoubt.isEmpty()) {
            throw new IllegalStateException("resolve the records in doubt first");
        }
        List<Event> events = new ArrayList<>(lines);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            now = now.plusMillis(1 + random.nextInt(400));
            Msisdn s = subscribers[random.nextInt(subscribers.length)];
            if (random.nextInt(5) == 0) {
                Msisdn to = subscribers[random.nextInt(subscribers.length)];
                events.add(new Event(s, now, new Usage.Sms(to)));
                body.append("{\"type\":\"sms\",\"subscriber\":\"").append(s.value()).append("\",\"start\":\"")
                        .append(now).append("\",\"recipient\":\"").append(to.value()).append("\"}\n");
            } else {
                long down = 1 + random.nextInt(50_000_000);
                long up = random.nextInt(5_000_000);
                events.add(new Event(s, now, new Usage.Data(RadioType.G4, up, down)));
                body.append("{\"type\":\"data\",\"subscriber\":\"").append(s.value()).append("\",\"start\":\"")
                        .append(now).append("\",\"radio\":\"4G\",\"uplinkBytes\":").append(up)
                        .append(",\"downlinkBytes\":").append(down).append("}\n");
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + inputPort + "/v1/records"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            inDoubt = events;
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inDoubt = events;
            return false;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the agent refused a request: HTTP " + response.statusCode() + " "
                    + response.body());
        }
        List<EventId> ids = new ArrayList<>();
        Matcher m = ID.matcher(response.body());
        while (m.find()) {
            ids.add(EventId.parse(m.group(1)));
        }
        if (ids.size() != lines) {
            throw new IllegalStateException("the agent answered " + ids.size() + " ids for " + lines + " lines");
        }
        for (int i = 0; i < lines; i++) {
            add(ids.get(i), events.get(i));
        }
        return true;
    }

    private void add(EventId id, Event e) {
        if (!id.origin().equals(node) || id.sequence() != lastSequence + 1) {
            throw new IllegalStateException("expected " + node + "#" + (lastSequence + 1) + ", the agent gave " + id);
        }
        lastSequence = id.sequence();
        generated.add(new GeneratedRecord(id, e.subscriber(), e.start(), e.usage(), null,
                Map.of(node.value(), id.sequence())));
    }

    /**
     * Settles the records in doubt from the sequence the restarted agent resumed at: those it stored are the first
     * {@code resumedSequence - lastAnswered} of them. Returns how many were stored.
     */
    public synchronized int resolveInDoubt(long resumedSequence) {
        long stored = resumedSequence - lastSequence;
        if (stored < 0 || stored > inDoubt.size()) {
            throw new IllegalStateException("the agent resumed at sequence " + resumedSequence + " after the last "
                    + "answered " + lastSequence + " with " + inDoubt.size() + " records in doubt");
        }
        for (int i = 0; i < stored; i++) {
            add(new EventId(node, lastSequence + 1), inDoubt.get(i));
        }
        inDoubt = List.of();
        return (int) stored;
    }

    /** Whether a request is in doubt. */
    public synchronized boolean hasInDoubt() {
        return !inDoubt.isEmpty();
    }

    /** The last sequence the agent answered for. */
    public synchronized long lastSequence() {
        return lastSequence;
    }

    /** The records the agent answered for (and those in doubt that it turned out to have stored). */
    public synchronized List<GeneratedRecord> generated() {
        return List.copyOf(generated);
    }
}
