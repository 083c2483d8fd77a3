package dev.dabba.reliability.oracle;

import java.util.List;

/**
 * The bill the oracle says the pipeline must end with.
 *
 * @param key subscriber and cycle
 * @param lines the lines in the execution's causal order (ties among concurrent records by hybrid timestamp, tower,
 *     sequence)
 * @param orderExact true when the oracle could order every tie itself; false when a tie involved a record whose
 *     hybrid timestamp the generator never saw, so only the happens-before constraints can be checked
 * @param callsPaisa calls subtotal
 * @param smsPaisa SMS subtotal
 * @param dataPaisa data subtotal
 */
public record ExpectedBill(BillKey key, List<ExpectedLine> lines, boolean orderExact, long callsPaisa,
        long smsPaisa, long dataPaisa) {

    public ExpectedBill {
        lines = List.copyOf(lines);
    }

    /** The total: calls, SMS and data. */
    public long totalPaisa() {
        return Math.addExact(Math.addExact(callsPaisa, smsPaisa), dataPaisa);
    }
}
