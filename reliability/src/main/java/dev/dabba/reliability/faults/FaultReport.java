package dev.dabba.reliability.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The report of a fault-injection run, written as Markdown: which faults ran, what each did, what was checked after
 * it and what was found. Entries are added as phases finish, and the file is rewritten each time, so a run that dies
 * half-way still leaves the report of what it did.
 */
public final class FaultReport {

    /** One fault (or phase) and its outcome. */
    public record Entry(String fault, String injected, List<String> checked, boolean passed, Duration took,
            String details) {
        public Entry {
            Objects.requireNonNull(fault, "fault");
            checked = List.copyOf(checked);
        }
    }

    private final Path file;
    private final String title;
    private final List<String> setup = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Instant started = Instant.now();

    public FaultReport(Path file, String title) {
        this.file = Objects.requireNonNull(file, "file");
        this.title = Objects.requireNonNull(title, "title");
    }

    /** A line describing the setup (components, load, settings). */
    public synchronized void setup(String line) {
        setup.add(line);
        write();
    }

    /** Adds a finished phase and rewrites the file. */
    public synchronized void add(Entry entry) {
        entries.add(entry);
        write();
    }

    /** The entries so far. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The report's file. */
    public Path file() {
        return file;
    }

    /** The report as Markdown. */
    public synchronized String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("Started ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", written ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".\n\n");
        if (!setup.isEmpty()) {
            md.append("## Setup\n\n");
            setup.forEach(s -> md.append("- ").append(s).append('\n'));
            md.append('\n');
        }
        long passed = entries.stream().filter(Entry::passed).count();
        md.append("## Faults: ").append(passed).append(" of ").append(entries.size()).append(" passed\n\n");
        md.append("| # | fault | injected | result | time |\n|---|---|---|---|---|\n");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            md.append("| ").append(i + 1).append(" | ").append(e.fault()).append(" | ").append(cell(e.injected()))
                    .append(" | ").append(e.passed() ? "**passed**" : "**FAILED**").append(" | ")
                    .append(e.took().toSeconds()).append(" s |\n");
        }
        md.append('\n');
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            md.append("### ").append(i + 1).append(". ").append(e.fault()).append("\n\n");
            md.append("Injected: ").append(e.injected()).append("\n\n");
            md.append("Checked afterwards:\n\n");
            e.checked().forEach(c -> md.append("- ").append(c).append('\n'));
            md.append('\n');
            if (e.details() != null && !e.details().isBlank()) {
                md.append("Found: ").append(e.details()).append("\n\n");
            }
        }
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private void write() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, markdown(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the fault report " + file + ": " + e.getMessage(), e);
        }
    }
}
