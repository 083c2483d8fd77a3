package dev.dabba.agent.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Small JSON documents for HTTP responses, written with Jackson's streaming generator. */
public final class JsonOut {

    /** Writes one document. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JsonOut() {
    }

    /** The document {@code body} writes, as a string with a trailing newline. */
    public static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }
}
