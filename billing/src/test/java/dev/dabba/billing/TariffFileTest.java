package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class TariffFileTest {

    /** The example file of docs/tariff-format.md. */
    static String exampleText() {
        try (InputStream in = TariffFileTest.class.getResourceAsStream("/tariffs/example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example plan. */
    static Tariff example() {
        return TariffFile.parse(exampleText(), "example.yaml").get(0);
    }

    private static String seedText() {
        try (InputStream in = TariffFile.class.getResourceAsStream(Tariff.SEED_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void example_readsEveryTerm() {
        Tariff t = example();

        assertThat(t.id()).isEqualTo("mumbai-smart");
        assertThat(t.rounding()).isEqualTo(RoundingRule.perRecord(RoundingRule.Direction.UP));
        assertThat(t.windows()).extracting(TimeWindow::name).containsExactly("peak", "night");
        assertThat(t.windows().get(0).days()).containsExactly(DayOfWeek.MONDAY, DayOfWeek.TUESDAY,
                DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
        assertThat(t.windows().get(1).from()).isEqualTo(LocalTime.of(23, 0));
        ServiceRate voice = t.rate(Service.call(CallType.VOICE));
        assertThat(voice.unit()).isEqualTo(60);
        assertThat(voice.increment()).isEqualTo(1);
        assertThat(voice.firstIncrement()).isEqualTo(30);
        assertThat(voice.connectFee()).isEqualByComparingTo("10");
        assertThat(voice.prices()).containsExactly(Price.of("60"), new Price("peak", 0, BigDecimal.valueOf(90)),
                new Price("peak", 600, BigDecimal.valueOf(60)), new Price("night", 0, BigDecimal.valueOf(30)));
        assertThat(t.rate(Service.call(CallType.VIDEO)).increment()).isEqualTo(6);
        assertThat(t.rate(Service.sms()).unit()).isEqualTo(1);
        ServiceRate g4 = t.rate(Service.data(RadioType.G4));
        assertThat(g4.tierBasis()).isEqualTo(TierBasis.CYCLE);
        assertThat(g4.increment()).isEqualTo(1024);
        assertThat(g4.prices().get(1).from()).isEqualTo(10L << 30);
        assertThat(t.bundles()).extracting(Bundle::id).containsExactly("data-1.5g", "sms-100");
        assertThat(t.bundles().get(0).services()).hasSize(3);
        assertThat(t.bundles().get(0).allowance()).isEqualTo(1536L << 20);
    }

    @Test
    void docs_showTheExampleFileVerbatim() throws IOException {
        Path docs = Path.of("..", "docs", "tariff-format.md");

        assertThat(Files.readString(docs)).contains(exampleText());
    }

    @Test
    void write_thenParse_givesTheSamePlans() {
        List<Tariff> plans = List.of(example(), Tariff.seedDefault());

        assertThat(TariffFile.parse(TariffFile.write(plans), "written")).isEqualTo(plans);
    }

    @Test
    void decimals_areReadExactly_neverThroughBinaryFractions() {
        String yaml = seedText().replace("price: 0.5}", "price: 0.1}");

        Tariff t = TariffFile.parse(yaml, "seed").get(0);

        assertThat(t.rate(Service.call(CallType.VOLTE)).prices().get(0).price().toPlainString()).isEqualTo("0.1");
    }

    @Test
    void zeroIncrement_isReportedByItsPath() {
        String yaml = seedText().replace("VOLTE: {unit: 1s, increment: 1s,", "VOLTE: {unit: 1s, increment: 0s,");

        TariffFileException e = catchThrowableOfType(TariffFileException.class,
                () -> TariffFile.parse(yaml, "plan.yaml"));

        assertThat(e.problems()).containsExactly("plans[0].calls.VOLTE.increment: must be positive, was 0");
        assertThat(e.getMessage()).startsWith("plan.yaml: 1 problem");
    }

    @Test
    void everyProblem_isReported_eachByItsPath() {
        String yaml = seedText()
                .replace("zone: Asia/Kolkata", "zone: Mars/Olympus")
                .replace("VOICE: {unit: 1s, increment: 1s, price: 1}", "VOICE: {unit: 1s, incremnt: 1s, price: 1}")
                .replace("4G: {unit: 1MiB, increment: 1B, price: 5}", "4G: {unit: 1MB, increment: 1B, price: five}")
                .replace("    sms: {unit: 1msg, increment: 1msg, price: 100}\n", "");

        TariffFileException e = catchThrowableOfType(TariffFileException.class,
                () -> TariffFile.parse(yaml, "plan.yaml"));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("plans[0].zone: must be a time zone id"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].calls.VOICE.incremnt: unknown field"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].sms: is missing"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].data.4G.unit: uses the ambiguous unit 'MB'"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].data.4G.price: must be a decimal number"));
    }

    @Test
    void badWindowsAndBundles_areReportedByPath() {
        String yaml = exampleText()
                .replace("days: [MON-FRI]", "days: [MON-FUNDAY]")
                .replace("from: \"23:00\"", "from: 23:00:99")
                .replace("allowance: 1536MiB", "allowance: 0B")
                .replace("services: [SMS]", "services: [MMS]");

        TariffFileException e = catchThrowableOfType(TariffFileException.class, () -> TariffFile.parse(yaml, "x"));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("plans[0].windows[0].days[0]: must be a day"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].windows[1].from: must be"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].bundles[0].allowance: must be positive"))
                .anySatisfy(p -> assertThat(p).startsWith("plans[0].bundles[1].services[0]: must be CALL, SMS, DATA"));
    }

    @Test
    void windowUsedByAPrice_mustBeDefined() {
        String yaml = exampleText().replace("window: night", "window: nite");

        assertThatThrownBy(() -> TariffFile.parse(yaml, "x"))
                .hasMessageContaining("plans[0].calls.VOICE.prices[3].window: 'nite' is not one of the plan's "
                        + "windows");
    }

    @Test
    void invalidYaml_saysWhere() {
        assertThatThrownBy(() -> TariffFile.parse("plans: [\n  - id: x\n   bad", "broken.yaml"))
                .isInstanceOf(TariffFileException.class).hasMessageContaining("broken.yaml")
                .hasMessageContaining("not valid YAML").hasMessageContaining("line");
    }

    @Test
    void select_withSeveralPlans_needsAnId() {
        List<Tariff> plans = List.of(example(), Tariff.seedDefault());

        assertThat(TariffFile.select(plans, "seed-default", "f")).isEqualTo(Tariff.seedDefault());
        assertThatThrownBy(() -> TariffFile.select(plans, null, "f")).hasMessageContaining("holds 2 plans");
        assertThatThrownBy(() -> TariffFile.select(plans, "gold", "f")).hasMessageContaining("no plan 'gold'");
    }

    @Test
    void examplePlan_ratesAPeakCallWithItsFirstIncrementAndConnectFee() {
        // Monday 10 March 2025 10:00 IST, a 45 s VOICE call: first pulse 30 s, then 15 x 1 s; peak 1.5 paisa/s:
        // 45 x 1.5 = 67.5 + 10 connect fee = 77.5 paisa, rounded up per record to 78.
        RatedLine line = RatingEngine.rate(new Towers().stamp(SeedScenario.BKC, SeedScenario.USER, SeedScenario.T0,
                new dev.dabba.record.Usage.Call(dev.dabba.record.Msisdn.of("+91-9000000001"), CallType.VOICE, 45)),
                example());

        assertThat(line.exactPaisa()).isEqualByComparingTo("77.5");
        assertThat(line.amount()).isEqualTo(Money.ofPaisa(78));
        assertThat(line.segments()).singleElement().satisfies(s -> assertThat(s.window()).isEqualTo("peak"));
    }
}
