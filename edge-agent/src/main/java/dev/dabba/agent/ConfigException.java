package dev.dabba.agent;

import java.util.List;
import java.util.stream.Collectors;

/** A config file is unreadable or invalid; {@link #problems()} lists every problem, each naming its setting. */
public final class ConfigException extends RuntimeException {

    /**
     * One problem.
     *
     * @param field the setting's path in the file, e.g. {@code outbox.maxBytes}
     * @param line the line in the file (1-based), or 0 when not tied to a line
     * @param message what is wrong and what is expected
     */
    public record Problem(String field, int line, String message) {
        @Override
        public String toString() {
            return (line > 0 ? "line " + line + ": " : "") + field + ": " + message;
        }
    }

    private final String source;
    private final List<Problem> problems;

    public ConfigException(String source, List<Problem> problems) {
        super(source + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "\n  "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or other source) the config came from. */
    public String source() {
        return source;
    }

    /** Every problem found. */
    public List<Problem> problems() {
        return problems;
    }
}
