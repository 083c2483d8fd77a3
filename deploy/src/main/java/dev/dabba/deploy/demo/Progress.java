package dev.dabba.deploy.demo;

import java.io.PrintWriter;
import java.time.Duration;

/** Progress lines for people watching a long operation: elapsed time, then what is happening. */
public final class Progress {

    private final PrintWriter out;
    private final long startNanos = System.nanoTime();

    public Progress(PrintWriter out) {
        this.out = out;
    }

    /** Prints {@code [ 12.3s] message}. */
    public void step(String message) {
        out.printf("[%5.1fs] %s%n", elapsed().toMillis() / 1000.0, message);
        out.flush();
    }

    /** Prints an indented detail line under the last step. */
    public void detail(String message) {
        out.printf("         %s%n", message);
        out.flush();
    }

    /** Time since this progress started. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** A progress that prints nothing. */
    public static Progress silent() {
        return new Progress(new PrintWriter(PrintWriter.nullWriter()));
    }
}
