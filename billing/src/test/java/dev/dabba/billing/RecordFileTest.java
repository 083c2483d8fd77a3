package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dabba.record.UsageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordFileTest {

    static String seedText() {
        try (InputStream in = RecordFileTest.class.getResourceAsStream("/records/seed.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<UsageRecord> read(String text) {
        return RecordFile.read(new StringReader(text), "records.jsonl");
    }

    private static List<String> problems(String text) {
        return catchThrowableOfType(RecordFileException.class, () -> read(text)).problems();
    }

    @Test
    void seedFile_holdsTheSeedScenario() {
        assertThat(read(seedText())).isEqualTo(SeedScenario.records());
    }

    @Test
    void write_isTheInverseOfParse() {
        for (UsageRecord r : SeedScenario.records()) {
            assertThat(RecordFile.parse(RecordFile.write(r))).isEqualTo(r);
        }
    }

    @Test
    void docs_showTheSeedFileVerbatim() throws IOException {
        assertThat(Files.readString(Path.of("..", "docs", "record-jsonl.md"))).contains(seedText());
    }

    @Test
    void identicalDuplicates_areDropped_conflictingOnesRefused() {
        String first = seedText().lines().findFirst().orElseThrow();

        assertThat(read(first + "\n\n" + first + "\n")).hasSize(1);
        assertThat(problems(first + "\n" + first.replace("180", "181")))
                .containsExactly("records.jsonl:2: id: MUMBAI_BKC#1 was already used by a different record on line 1");
    }

    @Test
    void problems_nameTheLineAndTheField() {
        String ok = seedText().lines().findFirst().orElseThrow();
        String text = String.join("\n",
                ok,
                ok.replace("\"seconds\":180", "\"seconds\":-5"),
                ok.replace("\"callType\":\"VOICE\"", "\"callType\":\"FAX\""),
                ok.replace("\"subscriber\":\"+91-9876543210\"", "\"subscriber\":\"9876\""),
                ok.replace("\"start\":\"2025-03-10T04:30:00Z\"", "\"start\":\"yesterday\""),
                ok.replace("{\"MUMBAI_BKC\":1}", "{\"MUMBAI_BKC\":2}"),
                ok.replace("\"seconds\":180", "\"seconds\":1.5"),
                ok.replace("\"type\":\"call\"", "\"type\":\"fax\""),
                ok.replace("\"hlc\"", "\"hlcc\""),
                "{not json",
                "[1, 2]");

        List<String> problems = problems(text);
        assertThat(problems).hasSize(10);
        assertThat(problems.subList(0, 8)).containsExactly(
                "records.jsonl:2: usage.seconds: must be a non-negative whole number, was -5",
                "records.jsonl:3: usage.callType: must be VOICE, VIDEO or VOLTE, was 'FAX'",
                "records.jsonl:4: subscriber: msisdn must be in international format starting with '+', was '9876'",
                "records.jsonl:5: start: must be an ISO-8601 instant such as 2025-03-10T04:30:00Z, was 'yesterday'",
                "records.jsonl:6: clock: record clock entry of its origin MUMBAI_BKC must equal the event id sequence "
                        + "1, was 2",
                "records.jsonl:7: usage.seconds: must be a non-negative whole number, was 1.5",
                "records.jsonl:8: usage.type: must be call, sms or data, was 'fax'",
                "records.jsonl:9: hlcc: unknown field; expected one of [clock, hlc, id, start, subscriber, usage]");
        assertThat(problems.get(8)).startsWith("records.jsonl:10: not valid JSON: Unexpected character");
        assertThat(problems.get(9)).isEqualTo("records.jsonl:11: (record): must be a JSON object");
    }

    @Test
    void hlc_mayBeOmitted_orGivenAsAnObject() {
        String ok = seedText().lines().findFirst().orElseThrow();

        UsageRecord without = RecordFile.parse(ok.replace("\"hlc\":\"1741581000000.0\",", ""));
        UsageRecord object = RecordFile.parse(ok.replace("\"1741581000000.0\"",
                "{\"wallMillis\":1741581000000,\"logical\":0}"));

        assertThat(without).isEqualTo(SeedScenario.records().get(0));
        assertThat(object).isEqualTo(SeedScenario.records().get(0));
    }
}
