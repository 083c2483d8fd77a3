package dev.dabba.deploy.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The benchmark's result as Markdown, for {@code docs/benchmarks.md}, "End to end". */
final class EndToEndReport {

    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    /** Sub-rows of the table are indented; Markdown keeps only non-breaking spaces. */
    private static final String INDENT = "&nbsp;&nbsp;";

    private final Instant started;
    private final String loadAtStart;
    private final String loadAfterPipelines;
    private final String mqttUri;
    private final List<PhaseResult> results;
    private final EndToEndBenchCommand.ClockBytes clock;
    private final long[] wire;
    private final long batches;
    private final ExternalProbes.AgentProbe agent;
    private final ExternalProbes.RatingProbe rating;
    private final EndToEndBenchCommand command;
    private final String code;

    /**
     * @param code which code ran, as {@link Machine#gitDescription} gives it
     */
    EndToEndReport(Instant started, String loadAtStart, String loadAfterPipelines, String mqttUri,
            List<PhaseResult> results, EndToEndBenchCommand.ClockBytes clock, long[] wire, long batches,
            ExternalProbes.AgentProbe agent, ExternalProbes.RatingProbe rating, EndToEndBenchCommand command,
            String code) {
        this.started = started;
        this.code = code;
        this.loadAtStart = loadAtStart;
        this.loadAfterPipelines = loadAfterPipelines;
        this.mqttUri = mqttUri;
        this.results = results;
        this.clock = clock;
        this.wire = wire;
        this.batches = batches;
        this.agent = agent;
        this.rating = rating;
        this.command = command;
    }

    private PhaseResult find(String pipeline, String phase) {
        return results.stream().filter(r -> r.pipeline().equals(pipeline) && r.phase().equals(phase)).findFirst()
                .orElseThrow();
    }

    /** The throughput rounds of {@code pipeline}, in the order they ran. */
    private List<PhaseResult> rounds(String pipeline) {
        return results.stream().filter(r -> r.pipeline().equals(pipeline) && r.phase().startsWith("throughput"))
                .toList();
    }

    /** The median round by records/s (the lower middle one of an even count); an incomplete round counts as 0. */
    static PhaseResult median(List<PhaseResult> rounds) {
        List<PhaseResult> sorted = new java.util.ArrayList<>(rounds);
        sorted.sort(java.util.Comparator.comparingDouble(r -> Double.isNaN(r.throughput()) ? 0 : r.throughput()));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static String eachRound(List<PhaseResult> rounds) {
        return String.join(", ", rounds.stream().map(EndToEndReport::rate).toList());
    }

    /** Prints the result between lines that mark where it starts and ends. */
    void print(PrintWriter out) {
        out.println();
        out.println("---- Markdown for docs/benchmarks.md ----");
        out.print(markdown());
        out.println("---- end ----");
        out.flush();
    }

    /** The result as Markdown: what ran, a table of Dabba against the baseline, the probes and the goals. */
    String markdown() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        List<PhaseResult> dabbaRounds = rounds("dabba");
        List<PhaseResult> seedRounds = rounds("seed baseline");
        PhaseResult dt = median(dabbaRounds);
        PhaseResult dl = find("dabba", "latency");
        PhaseResult st = median(seedRounds);
        PhaseResult sl = find("seed baseline", "latency");
        out.printf(Locale.ROOT, "`%s`, started %s, %s, %d cores, JDK %s, broker %s; load average %s at the start, %s "
                + "after the pipelines.%n%n", command.commandLine(), STARTED.format(started), code,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), mqttUri, loadAtStart,
                loadAfterPipelines);
        out.println("| measured | Dabba | seed baseline | Dabba / baseline |");
        out.println("|---|---:|---:|---:|");
        row(out, String.format(Locale.ROOT, "records/s end to end (%,d records, first stamped -> all on a bill in "
                + "PostgreSQL; the median of %d rounds)", dt.records(), dabbaRounds.size()), rate(dt), rate(st),
                ratio(dt.throughput(), st.throughput()));
        row(out, INDENT + "each round, in the order run", eachRound(dabbaRounds), eachRound(seedRounds), "");
        row(out, INDENT + "median round: stamped / acknowledged by the broker / all in Kafka / all billed (s)",
                stages(dt), stages(st), "");
        row(out, INDENT + "median round: CPU seconds in this JVM (Kafka and Flink included) / of them, the JIT "
                + "compilers'", fmt(dt.cpuSeconds(), 1) + " / " + fmt(dt.jitSeconds(), 1),
                fmt(st.cpuSeconds(), 1) + " / " + fmt(st.jitSeconds(), 1), "");
        row(out, String.format(Locale.ROOT, "bill-update latency p50 at %,d records/s", dl.records() / Math.max(1,
                command.seconds)), ms(dl.latencyMillis(0.5)), ms(sl.latencyMillis(0.5)),
                ratio(dl.latencyMillis(0.5), sl.latencyMillis(0.5)) + " the time");
        row(out, "bill-update latency p99", ms(dl.latencyMillis(0.99)), ms(sl.latencyMillis(0.99)),
                ratio(dl.latencyMillis(0.99), sl.latencyMillis(0.99)) + " the time");
        row(out, INDENT + "records billed in the latency phase", dl.billedCount() + " of " + dl.records(),
                sl.billedCount() + " of " + sl.records(), "");
        row(out, "clock bytes per record (mean; Dabba median / p99 / max)",
                String.format(Locale.ROOT, "%.2f (%d / %d / %d)", clock.mean(), clock.p50(), clock.p99(), clock.max()),
                fmt(clock.seedMean(), 1), "1/" + ratio(clock.seedMean(), clock.mean()));
        row(out, "bytes per record on the wire (MQTT payloads)", String.format(Locale.ROOT, "%.1f (%,d batches)",
                (double) wire[0] / Math.max(1, wire[1]), batches), fmt(clock.seedRecordMean(), 1),
                "1/" + ratio(clock.seedRecordMean(), (double) wire[0] / Math.max(1, wire[1])));
        out.println();
        out.printf(Locale.ROOT, "- agent RSS (standalone agent process): %s%n", agent == null ? "not measured"
                : agent.rssPeakMiB() + " MiB peak while publishing " + agent.recordsPerSecond()
                + " records/s (`" + agent.command() + "`)");
        out.printf(Locale.ROOT, "- rating throughput (`RatingBenchmark.engineSeedPlan`, one thread): %s%n",
                rating == null ? "not measured"
                        : millions(rating.recordsPerSecond()) + " ± " + millions(rating.error()) + " records/s");
        out.printf(Locale.ROOT, "- clocks: %,d records measured, stamped in epochs up to %d%n", clock.count(),
                clock.lastEpoch());
        out.printf(Locale.ROOT, "- goals: >= 100,000 records/s end to end: %s; p99 <= 2 s: %s; >= 10x the baseline: "
                + "%s%n", met(dt.throughput() >= 100_000), met(dl.latencyMillis(0.99) <= 2000
                && dl.billedCount() == dl.records()), met(dt.throughput() >= 10 * st.throughput()));
        out.flush();
        return text.toString();
    }

    /** JMH's score, such as 14481432.263, as 14.48 million; as given if it is not a number. */
    static String millions(String score) {
        try {
            return String.format(Locale.ROOT, "%.2f million", Double.parseDouble(score) / 1e6);
        } catch (NumberFormatException e) {
            return score;
        }
    }

    private static String met(boolean ok) {
        return ok ? "met" : "NOT met";
    }

    private static void row(PrintWriter out, String what, String dabba, String seed, String ratio) {
        out.println("| " + what + " | " + dabba + " | " + seed + " | " + ratio + " |");
    }

    private static String rate(PhaseResult r) {
        return r.billedCount() < r.records() ? "incomplete: " + r.billedCount() + " of " + r.records()
                : String.format(Locale.ROOT, "%,.0f", r.throughput());
    }

    private static String stages(PhaseResult r) {
        return fmt(r.stampedSeconds(), 1) + " / " + fmt(r.publishedSeconds(), 1) + " / " + fmt(r.inKafkaSeconds(), 1)
                + " / " + fmt(r.billedSeconds(), 1);
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%,.0f ms", millis);
    }

    private static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", a / b);
    }
}
