package dev.dabba.agent.internal.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InputParserTest {

    private static final String CALL = "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\","
            + "\"start\":\"2026-11-26T04:30:00Z\",\"callee\":\"+91-9876543211\",\"callType\":\"VOICE\","
            + "\"durationSeconds\":180}";

    @Test
    void everyLineType_parses() {
        String body = CALL + "\n"
                + "{\"type\":\"sms\",\"subscriber\":\"+919876543210\",\"start\":1764131400000,"
                + "\"recipient\":\"+919876543212\"}\n"
                + "\n"
                + "{\"type\":\"data\",\"subscriber\":\"+919876543210\",\"start\":\"2026-11-26T04:34:00Z\","
                + "\"radio\":\"4G\",\"uplinkBytes\":0,\"downlinkBytes\":52428800}\n"
                + "{\"type\":\"handover\",\"subscriber\":\"+919876543210\",\"to\":\"MUMBAI_ANDHERI\"}\n"
                + "{\"type\":\"arrival\",\"subscriber\":\"+919876543210\",\"from\":\"MUMBAI_DADAR\"}\n"
                + "{\"type\":\"call-start\",\"subscriber\":\"+919876543210\",\"start\":\"2026-11-26T05:00:00Z\","
                + "\"callee\":\"+919876543213\",\"callType\":\"volte\"}\n"
                + "{\"type\":\"call-end\",\"subscriber\":\"+919876543210\",\"end\":\"2026-11-26T05:02:00Z\"}";
        InputParser.Result r = InputParser.parse(body);
        assertThat(r.problems()).isEmpty();
        assertThat(r.lines()).hasSize(7);
        InputParser.UsageLine call = (InputParser.UsageLine) r.lines().get(0);
        assertThat(call.event().usage()).isEqualTo(new Usage.Call(Msisdn.of("+919876543211"), CallType.VOICE, 180));
        assertThat(call.event().start()).isEqualTo(Instant.parse("2026-11-26T04:30:00Z"));
        assertThat(((InputParser.UsageLine) r.lines().get(1)).event().start())
                .isEqualTo(Instant.ofEpochMilli(1764131400000L));
        assertThat(r.lines().get(2).line()).as("line numbers count blank lines").isEqualTo(4);
        assertThat(((InputParser.UsageLine) r.lines().get(2)).event().usage())
                .isEqualTo(new Usage.Data(RadioType.G4, 0, 52428800));
        assertThat(((InputParser.HandoverLine) r.lines().get(3)).to()).isEqualTo(NodeId.of("MUMBAI_ANDHERI"));
        assertThat(((InputParser.CallStartLine) r.lines().get(5)).type()).isEqualTo(CallType.VOLTE);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"callee\":\"+91-9876543211\",\"callType\":\"VOICE\",\"durationSeconds\":-1}|durationSeconds",
        "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"callee\":\"+91-9876543211\",\"callType\":\"FAX\",\"durationSeconds\":1}|callType",
        "{\"type\":\"call\",\"subscriber\":\"9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"callee\":\"+91-9876543211\",\"callType\":\"VOICE\",\"durationSeconds\":1}|subscriber",
        "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\",\"start\":\"yesterday\",\"callee\":\"+91-9876543211\",\"callType\":\"VOICE\",\"durationSeconds\":1}|start",
        "{\"type\":\"call\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"callType\":\"VOICE\",\"durationSeconds\":1}|callee",
        "{\"type\":\"data\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"radio\":\"6G\",\"uplinkBytes\":0,\"downlinkBytes\":1}|radio",
        "{\"type\":\"data\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"radio\":\"4G\",\"uplinkBytes\":\"lots\",\"downlinkBytes\":1}|uplinkBytes",
        "{\"type\":\"data\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\",\"radio\":\"4G\",\"uplinkBytes\":1,\"downlinkBytes\":1,\"bytes\":2}|bytes",
        "{\"type\":\"sms\",\"subscriber\":\"+91-9876543210\",\"start\":\"2026-11-26T04:30:00Z\"}|recipient",
        "{\"type\":\"handover\",\"subscriber\":\"+91-9876543210\",\"to\":\"MUMBAI BKC\"}|to",
        "{\"type\":\"mms\",\"subscriber\":\"+91-9876543210\"}|type",
        "{\"subscriber\":\"+91-9876543210\"}|type",
        "{\"type\":\"sms\",|json",
        "[1,2]|json"})
    void anInvalidField_isNamed_withItsLine_andNothingIsAccepted(String badLine, String field) {
        InputParser.Result r = InputParser.parse(CALL + "\n" + badLine + "\n" + CALL);
        assertThat(r.lines()).isEmpty();
        assertThat(r.problems()).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.field()).isEqualTo(field);
        });
    }

    @Test
    void anEmptyBody_isAProblem() {
        assertThat(InputParser.parse("\n\n").problems()).singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("body"));
    }
}
