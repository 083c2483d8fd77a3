package dev.dabba.deploy.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files of the repository as the deploy tests read them: the checkout root, YAML documents, Markdown headings. */
final class RepoFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$", Pattern.MULTILINE);

    private RepoFiles() {
    }

    /** The checkout's root: the nearest directory up from the working directory that holds {@code mvnw}. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing file " + p);
        }
        return p;
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + relative, e);
        }
    }

    /** Every document of a multi-document YAML file, skipping empty ones. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** The GitHub anchors of a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens). */
    static Set<String> anchors(String relative) {
        try {
            String text = Files.readString(file(relative));
            text = text.replaceAll("(?s)```.*?```", ""); // no headings inside code blocks
            Set<String> anchors = new LinkedHashSet<>();
            Matcher m = HEADING.matcher(text);
            while (m.find()) {
                anchors.add(slug(m.group(1)));
            }
            return anchors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replace("`", "")
                .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
