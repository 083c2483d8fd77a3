package dev.dabba.deploy.bench;

import static dev.dabba.deploy.bench.DocsSection.BEGIN;
import static dev.dabba.deploy.bench.DocsSection.END;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocsSectionTest {

    private static final String PAGE = "# Benchmarks\n\nWritten by people.\n\n" + BEGIN + "\nan old result\n\nmore of it\n"
            + END + "\n\n## Earlier runs\n\nKept.\n";

    @Test
    void replace_putsTheBodyBetweenTheMarkers_andKeepsEverythingElse() {
        String updated = DocsSection.replace(PAGE, "| a | b |\n|---|---|\n");

        assertThat(updated).isEqualTo("# Benchmarks\n\nWritten by people.\n\n" + BEGIN + "\n| a | b |\n|---|---|\n"
                + END + "\n\n## Earlier runs\n\nKept.\n");
        assertThat(DocsSection.replace(updated, "new")).as("a second run replaces the first one's result")
                .isEqualTo(PAGE.replace("an old result\n\nmore of it\n", "new\n"));
    }

    @Test
    void replace_onAPageWithWindowsLineEnds_findsTheMarkers() {
        String page = "intro\r\n" + BEGIN + "\r\nold\r\n" + END + "\r\nrest\r\n";

        assertThat(DocsSection.replace(page, "new\n")).isEqualTo("intro\r\n" + BEGIN + "\r\nnew\n" + END + "\r\nrest\r\n");
    }

    @Test
    void aPageWithoutExactlyOneOfEachMarkerInOrder_isRefusedWithTheReason() {
        assertThat(DocsSection.problem(PAGE)).isNull();
        assertThat(DocsSection.problem("# Benchmarks\n")).startsWith("has no line " + BEGIN);
        assertThat(DocsSection.problem(BEGIN + "\n")).startsWith("has no line " + END);
        assertThat(DocsSection.problem(BEGIN + "\n" + END + "\n" + END + "\n"))
                .isEqualTo("has the line " + END + " more than once");
        assertThat(DocsSection.problem(END + "\n" + BEGIN + "\n")).isEqualTo("has the line " + END + " before the line "
                + BEGIN);
        assertThat(DocsSection.problem("see `" + BEGIN + "` in the text\n" + END + "\n"))
                .as("a marker counts only on a line of its own").startsWith("has no line " + BEGIN);
        assertThatThrownBy(() -> DocsSection.replace("# Benchmarks\n", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the page has no line " + BEGIN);
    }

    @Test
    void write_replacesTheFilesSection_andLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("benchmarks.md");
        Files.writeString(page, PAGE);

        DocsSection.write(page, "the result");

        assertThat(Files.readString(page)).isEqualTo(DocsSection.replace(PAGE, "the result\n"));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(page);
        }
    }

    @Test
    void write_toAPageWithoutTheSection_changesNothing(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("benchmarks.md");
        Files.writeString(page, "# Benchmarks\n");

        assertThatThrownBy(() -> DocsSection.write(page, "the result")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readString(page)).isEqualTo("# Benchmarks\n");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(page);
        }
    }
}
