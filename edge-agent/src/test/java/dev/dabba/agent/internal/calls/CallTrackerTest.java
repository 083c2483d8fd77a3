package dev.dabba.agent.internal.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.agent.CallPart;
import dev.dabba.clock.NodeId;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

class CallTrackerTest {

    private static final Msisdn CALLER = Msisdn.of("+919876543210");
    private static final Msisdn CALLEE = Msisdn.of("+919876543211");
    private static final Instant T0 = Instant.parse("2026-11-26T04:30:00.700Z");

    @Test
    void aCallAcrossTwoHandovers_isThreeNumberedParts_whoseSecondsAddUpToTheCall() {
        CallTracker bkc = new CallTracker(NodeId.of("MUMBAI_BKC"));
        CallTracker andheri = new CallTracker(NodeId.of("MUMBAI_ANDHERI"));
        CallTracker bandra = new CallTracker(NodeId.of("MUMBAI_BANDRA"));
        String id = bkc.start(CALLER, CALLEE, CallType.VOLTE, T0);

        CallTracker.Split first = bkc.handOver(CALLER, T0.plusMillis(60_500)).orElseThrow();
        andheri.adopt(CALLER, props(first));
        CallTracker.Split second = andheri.handOver(CALLER, T0.plusMillis(120_900)).orElseThrow();
        bandra.adopt(CALLER, props(second));
        CallPart last = bandra.end(CALLER, T0.plusMillis(300_100));

        assertThat(first.closed().partNumber()).isEqualTo(1);
        assertThat(first.closed().lastPart()).isFalse();
        assertThat(second.closed().partNumber()).isEqualTo(2);
        assertThat(last.partNumber()).isEqualTo(3);
        assertThat(last.lastPart()).isTrue();
        assertThat(last.callId()).isEqualTo(id).isEqualTo(first.closed().callId());
        assertThat(first.closed().durationSeconds() + second.closed().durationSeconds() + last.durationSeconds())
                .as("the whole call: 300.1 s gives 300 whole seconds").isEqualTo(300);
        assertThat(first.closed().durationSeconds()).isEqualTo(60);
        assertThat(second.closed().durationSeconds()).isEqualTo(60);
        assertThat(last.partStart()).isEqualTo(T0.plusMillis(120_900));
        assertThat(bkc.inCall(CALLER)).isFalse();
        assertThat(bandra.inCall(CALLER)).isFalse();
    }

    @Test
    void aHandoverDeliveredAgain_afterTheCallMovedOnOrEnded_doesNotBringTheCallBack() {
        CallTracker bkc = new CallTracker(NodeId.of("MUMBAI_BKC"));
        CallTracker andheri = new CallTracker(NodeId.of("MUMBAI_ANDHERI"));
        bkc.start(CALLER, CALLEE, CallType.VOICE, T0);
        Map<String, String> toAndheri = props(bkc.handOver(CALLER, T0.plusSeconds(60)).orElseThrow());
        assertThat(andheri.adopt(CALLER, toAndheri)).isPresent();
        assertThat(andheri.adopt(CALLER, toAndheri)).as("the same handover again, call still here").isEmpty();
        Map<String, String> backToBkc = props(andheri.handOver(CALLER, T0.plusSeconds(120)).orElseThrow());

        assertThat(andheri.adopt(CALLER, toAndheri)).as("redelivered after the call moved on").isEmpty();
        assertThat(andheri.inCall(CALLER)).isFalse();
        assertThat(bkc.adopt(CALLER, backToBkc)).as("the call comes back to BKC as part 3").isPresent();
        CallPart last = bkc.end(CALLER, T0.plusSeconds(150));
        assertThat(last.partNumber()).isEqualTo(3);

        assertThat(bkc.adopt(CALLER, backToBkc)).as("redelivered after the call ended").isEmpty();
        assertThat(bkc.inCall(CALLER)).isFalse();
    }

    @Test
    void end_withoutACall_namesTheCaller() {
        CallTracker t = new CallTracker(NodeId.of("MUMBAI_BKC"));
        assertThatThrownBy(() -> t.end(CALLER, T0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("+919876543210");
        assertThat(t.handOver(CALLER, T0)).isEmpty();
    }

    private static Map<String, String> props(CallTracker.Split split) {
        Map<String, String> m = new HashMap<>();
        for (UserProperty p : split.properties()) {
            m.put(p.getKey(), p.getValue());
        }
        return m;
    }
}
