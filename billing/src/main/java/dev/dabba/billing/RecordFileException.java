package dev.dabba.billing;

import java.util.List;

/**
 * A JSON-lines record file that cannot be rated, with every problem found (up to a limit), each naming its line and
 * field: {@code records.jsonl:3: usage.seconds: must be a non-negative whole number, was -5}.
 */
public final class RecordFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** An exception listing {@code problems}, each already prefixed with its source and line. */
    public RecordFileException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in file order. */
    public List<String> problems() {
        return problems;
    }
}
