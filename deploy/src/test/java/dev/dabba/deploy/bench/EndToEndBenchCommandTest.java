package dev.dabba.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.dabba.deploy.DabbaCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
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
}
