package dev.dabba.billing;

import java.util.List;

/**
 * A tariff file that cannot be used, with every problem found, each naming its field by path:
 * {@code plans[0].calls.VOLTE.increment: must be positive, was 0}.
 */
public final class TariffFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> problems;

    /** An exception for {@code source} (a file name, or a description) listing {@code problems}. */
    public TariffFileException(String source, List<String> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "\n  "
                + String.join("\n  ", problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** Where the tariff file came from. */
    public String source() {
        return source;
    }

    /** Every problem, in file order, each starting with the path of its field. */
    public List<String> problems() {
        return problems;
    }
}
