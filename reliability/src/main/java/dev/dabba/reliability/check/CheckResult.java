package dev.dabba.reliability.check;

import java.util.List;

/**
 * What a comparison of the report store with the oracle found.
 *
 * @param matches whether every bill equals the oracle's, to the paisa, and nothing is missing or extra
 * @param problems the first problems found, empty when it matches
 * @param bills bills the oracle expects
 * @param expectedLines lines (unique records) the oracle expects
 * @param storedLines lines the store holds
 * @param totalPaisa the sum of the oracle's bill totals
 */
public record CheckResult(boolean matches, List<String> problems, int bills, long expectedLines, long storedLines,
        long totalPaisa) {

    @Override
    public String toString() {
        return (matches ? "matches" : "DIFFERS") + ": " + bills + " bills, " + expectedLines + " records expected, "
                + storedLines + " lines stored, total " + totalPaisa + " paisa"
                + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
    }
}
