package dev.dabba.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.dabba.deploy.DabbaCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndToEndBenchCommandTest {

    /**
     * Each bad value is a usage error naming its option, found before the benchmark announces itself or starts a
     * broker, Kafka or a database (before this check, {@code --records -5} ran the whole warm-up and then failed
     * with "-5", and {@code --towers 0} failed only after every component had started).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--towers | 0 | must be at least 2",
        "--towers | 1 | must be at least 2",
        "--subscribers | 0 | must be at least 1",
        "--records | -5 | must be at least 1",
        "--records | 0 | must be at least 1",
        "--warmup-records | 0 | must be at least 1",
        "--rounds | 0 | must be at least 1",
        "--rate | 0 | must be at least 1",
        "--seconds | -1 | must be at least 1",
        "--seconds | 100000 | --rate x --seconds must be at most 10000000 records, was 20000000",
        "--handover-share | 1.5 | must be within 0..1",
        "--handover-share | -0.1 | must be within 0..1",
        "--handover-share | NaN | must be within 0..1",
        "--phase-timeout | PT0S | must be positive",
        "--phase-timeout | PT-5S | must be positive",
        "--agent-rss-records | -1 | must be at least 0",
        "--bill-cache-records | -1 | must be at least 0",
        "--broker | hivemqq | must be hivemq, mosquitto or an MQTT URI",
        "--broker | http://127.0.0.1:1883 | must be hivemq, mosquitto or an MQTT URI",
        "--broker | tcp:// | must be hivemq, mosquitto or an MQTT URI",
        "--postgres | postgres://127.0.0.1:5432/ | must be 'embedded' or a server URL",
        "--postgres-user | ' ' | must not be blank",
    })
    void aBadOption_isAUsageErrorNamingIt_beforeAnythingStarts(String option, String value, String rule) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("bench", option, value));
        int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '" + option + "'").contains(rule)
                .contains("Usage: dabba bench");
        assertThat(out.toString()).as("nothing announced, nothing started").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hivemq", "mosquitto", "tcp://127.0.0.1:1883", "ssl://broker.example.net:8883", "tcp://broker"})
    void theBrokersItCanUse_passTheCheck(String broker) {
        EndToEndBenchCommand command = new EndToEndBenchCommand();
        picocli.CommandLine cli = new picocli.CommandLine(command);
        cli.parseArgs("--broker", broker);

        assertThatCode(command::validate).doesNotThrowAnyException();
    }

    /**
     * A page --write-docs could not write is a usage error before the run, not a failure after minutes of
     * benchmarking: a missing file, and pages without the generated section's markers or with them twice.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing | | is not a writable file",
        "no markers | # Benchmarks | has no line <!-- dabba bench: latest run -->",
        "no end | # Benchmarks / <!-- dabba bench: latest run --> | has no line <!-- dabba bench: end -->",
        "begin twice | <!-- dabba bench: latest run --> / <!-- dabba bench: latest run --> / <!-- dabba bench: end --> "
                + "| has the line <!-- dabba bench: latest run --> more than once",
    })
    void aPageWriteDocsCannotWrite_isAUsageErrorNamingIt_beforeAnythingStarts(String name, String page, String rule,
            @TempDir Path dir) throws IOException {
        Path file = dir.resolve("benchmarks.md");
        if (page != null) {
            Files.writeString(file, page.replace(" / ", "\n")); // " / " separates lines in the table above
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DabbaCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("bench", "--write-docs=" + file);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--write-docs'").contains(file.toString())
                .contains(rule);
        assertThat(out.toString()).as("nothing announced, nothing started").isEmpty();
    }

    @Test
    void writeDocsWithoutAFile_isTheBenchmarkPageUnderDabbaHome(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("docs"));
        Files.writeString(home.resolve("docs/benchmarks.md"), DocsSection.BEGIN + "\n" + DocsSection.END + "\n");
        EndToEndBenchCommand command = new EndToEndBenchCommand();
        new picocli.CommandLine(command).parseArgs("--write-docs");
        String before = System.getProperty("dabba.home");
        System.setProperty("dabba.home", home.toString());
        try {
            assertThat(command.docsPage()).isEqualTo(home.resolve("docs").resolve("benchmarks.md"));
            assertThatCode(command::validate).doesNotThrowAnyException();
        } finally {
            if (before == null) {
                System.clearProperty("dabba.home");
            } else {
                System.setProperty("dabba.home", before);
            }
        }
    }

    @Test
    void thisCheckoutsBenchmarkPage_hasTheGeneratedSection() throws IOException {
        // Surefire runs in the module's directory; the page is the repository's docs/benchmarks.md.
        assertThat(DocsSection.problem(Files.readString(Path.of("..", "docs", "benchmarks.md")))).isNull();
    }
}
