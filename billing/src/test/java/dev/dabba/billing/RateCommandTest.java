package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new RateCommand(Clock.fixed(Instant.parse("2025-04-01T00:00:00Z"), ZoneOffset.UTC))
                .execute(new PrintWriter(out), new PrintWriter(err), args);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void seedRecords_underTheDefaultPlan_billRs2190() throws IOException {
        Path records = write("seed.jsonl", RecordFileTest.seedText());

        assertThat(run("--records", records.toString())).as(err.toString()).isEqualTo(RateCommand.EXIT_OK);

        assertThat(out.toString()).contains("Total  Rs 21.90", "1 bill under plan seed-default",
                "{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}");
    }

    @Test
    void shuffledRecords_inJson_giveTheSameBill_inCausalOrder() throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>(RecordFileTest.seedText().lines().toList());
        java.util.Collections.reverse(lines);
        Path records = write("shuffled.jsonl", String.join("\n", lines));
        Path plan = write("plan.yaml", TariffFile.write(java.util.List.of(Tariff.seedDefault())));

        assertThat(run("--plan", plan.toString(), "--records", records.toString(), "--format", "json"))
                .as(err.toString()).isZero();

        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertThat(root.at("/bills/0/totalPaisa").asLong()).isEqualTo(2190);
        assertThat(root.at("/bills/0/lines/0/eventId").asText()).isEqualTo("MUMBAI_BKC#1");
        assertThat(root.at("/bills/0/lines/5/eventId").asText()).isEqualTo("MUMBAI_BANDRA#2");
        assertThat(root.at("/bills/0/updatedAt").asText()).isEqualTo("2025-04-01T00:00:00Z");
    }

    @Test
    void examplePlan_ratesWithItsBundleAndWindows_asCsv() throws IOException {
        Path plan = write("example.yaml", TariffFileTest.exampleText());
        Path records = write("seed.jsonl", RecordFileTest.seedText());

        assertThat(run("--plan", plan.toString(), "--records", records.toString(), "--format", "csv"))
                .as(err.toString()).isZero();

        String[] rows = out.toString().split("\r\n");
        assertThat(rows).hasSize(7);
        assertThat(rows[0]).startsWith("subscriber,cycle,version,position,event_id");
        // All 350 MiB of data is inside the 1.5 GiB bundle: data lines cost nothing.
        assertThat(rows[2]).contains(",DATA 4G,").contains(",0,0.00,");
    }

    @Test
    void planOnly_isChecked_andPrintedInCanonicalForm() throws IOException {
        Path plan = write("example.yaml", TariffFileTest.exampleText());

        assertThat(run("--plan", plan.toString())).isZero();

        assertThat(out.toString()).startsWith("# plan mumbai-smart is valid").contains("firstIncrement: 30s");
    }

    @Test
    void badPlan_exits3_namingTheFieldPath() throws IOException {
        Path plan = write("bad.yaml", TariffFileTest.exampleText().replace("increment: 6s", "increment: 0s"));

        assertThat(run("--plan", plan.toString())).isEqualTo(RateCommand.EXIT_BAD_INPUT);

        assertThat(err.toString()).contains("bad.yaml", "plans[0].calls.VIDEO.increment: must be positive, was 0");
    }

    @Test
    void badRecords_exit3_namingTheLineAndField() throws IOException {
        Path records = write("bad.jsonl", RecordFileTest.seedText().replace("\"radio\":\"5G\"", "\"radio\":\"6G\""));

        assertThat(run("--records", records.toString())).isEqualTo(RateCommand.EXIT_BAD_INPUT);

        assertThat(err.toString()).contains("bad.jsonl:6: usage.radio: radio type must be one of 3G, 4G, 5G");
    }

    @Test
    void missingFile_andBadFormat_areReported() {
        assertThat(run("--records", dir.resolve("none.jsonl").toString())).isEqualTo(RateCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("none.jsonl", "cannot read");
        assertThat(run("--records", "x", "--format", "xml")).isEqualTo(RateCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--format");
    }
}
