package dev.dabba.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The part of {@code docs/benchmarks.md} that {@code dabba bench --write-docs} writes: everything between a line
 * {@value #BEGIN} and a line {@value #END}. The rest of the page (the method, the analysis, earlier runs) is written by
 * people and kept as it is.
 */
final class DocsSection {

    static final String BEGIN = "<!-- dabba bench: latest run -->";
    static final String END = "<!-- dabba bench: end -->";

    private DocsSection() {
    }

    /**
     * Why {@code doc} has no place for the section, or null if it has one: each marker exactly once, on a line of
     * its own, the begin marker first.
     */
    static String problem(String doc) {
        int begin = markerLine(doc, BEGIN);
        int end = markerLine(doc, END);
        if (begin == -1 || end == -1) {
            return "has no line " + (begin == -1 ? BEGIN : END) + " (the generated section is between a line "
                    + BEGIN + " and a line " + END + ")";
        }
        if (begin == -2 || end == -2) {
            return "has the line " + (begin == -2 ? BEGIN : END) + " more than once";
        }
        if (end < begin) {
            return "has the line " + END + " before the line " + BEGIN;
        }
        return null;
    }

    /** {@code doc} with the lines between the markers replaced by {@code body}; the markers stay. */
    static String replace(String doc, String body) {
        String problem = problem(doc);
        if (problem != null) {
            throw new IllegalArgumentException("the page " + problem);
        }
        int afterBegin = doc.indexOf('\n', markerLine(doc, BEGIN)) + 1;
        int end = markerLine(doc, END);
        String text = body.endsWith("\n") ? body : body + "\n";
        return doc.substring(0, afterBegin) + text + doc.substring(end);
    }

    /**
     * Writes {@code body} into {@code file}'s section. The page is replaced at once (a new file moved over it), so
     * a failure leaves the old page whole.
     *
     * @throws IllegalArgumentException if the page has no place for the section
     */
    static void write(Path file, String body) throws IOException {
        String doc = Files.readString(file, StandardCharsets.UTF_8);
        String updated = replace(doc, body);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, updated, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Where the line that is exactly {@code marker} starts: -1 if there is none, -2 if there are several. */
    private static int markerLine(String doc, String marker) {
        int found = -1;
        int start = 0;
        while (start <= doc.length()) {
            int nl = doc.indexOf('\n', start);
            int stop = nl == -1 ? doc.length() : nl;
            String line = doc.substring(start, stop);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.strip().equals(marker)) {
                if (found != -1) {
                    return -2;
                }
                found = start;
            }
            if (nl == -1) {
                break;
            }
            start = nl + 1;
        }
        return found;
    }
}
