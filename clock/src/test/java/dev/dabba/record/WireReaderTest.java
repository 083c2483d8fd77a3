package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.NodeId;
import org.junit.jupiter.api.Test;

class WireReaderTest {

    private static byte[] strings(String... values) {
        WireWriter w = new WireWriter(64);
        for (String v : values) {
            w.writeString(v);
        }
        return w.toByteArray();
    }

    @Test
    void aCachedStringComesBackAsTheSameInstance_andOthersAreNotMistakenForIt() {
        String[] cache = new String[1]; // one slot: every string lands in it
        WireReader r = new WireReader(strings("MUMBAI_BKC", "MUMBAI_BKC", "MUMBAI_BKD", "MUMBAI_BK", "MUMBAI_BKC"));

        String first = r.readCachedString("record", " clock node", NodeId.MAX_LENGTH, cache, NodeId::isValid, "bad");
        String second = r.readCachedString("record", " clock node", NodeId.MAX_LENGTH, cache, NodeId::isValid, "bad");
        String other = r.readCachedString("record", " clock node", NodeId.MAX_LENGTH, cache, NodeId::isValid, "bad");
        String prefix = r.readCachedString("record", " clock node", NodeId.MAX_LENGTH, cache, NodeId::isValid, "bad");
        String again = r.readCachedString("record", " clock node", NodeId.MAX_LENGTH, cache, NodeId::isValid, "bad");

        assertThat(first).isEqualTo("MUMBAI_BKC");
        assertThat(second).isSameAs(first);
        assertThat(other).isEqualTo("MUMBAI_BKD");
        assertThat(prefix).isEqualTo("MUMBAI_BK");
        assertThat(again).isEqualTo("MUMBAI_BKC");
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void aStringTheCheckRefuses_failsNamingTheField_andIsNeverCached() {
        String[] cache = new String[4];
        WireReader r = new WireReader(strings("not a node!"));

        assertThatThrownBy(() -> r.readCachedString("batch record 3", " clock node", NodeId.MAX_LENGTH, cache,
                NodeId::isValid, "invalid node id"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("batch record 3 clock node: invalid node id 'not a node!'");
        assertThat(cache).containsOnlyNulls();
    }

    @Test
    void failuresNameTheWholeField() {
        assertThatThrownBy(() -> new WireReader(new byte[0]).readNonNegative("record", " hlc logical", 10))
                .hasMessage("record hlc logical: truncated at byte 0");
        assertThatThrownBy(() -> new WireReader(new byte[] {20}).readNonNegative("record", " hlc logical", 10))
                .hasMessage("record hlc logical: must be 0..10, was 20");
        assertThatThrownBy(() -> new WireReader(new byte[] {(byte) 0x80}).readString("record", " subscriber", 16))
                .hasMessage("record subscriber length: truncated at byte 1");
        assertThatThrownBy(() -> new WireReader(new byte[] {40}).readString("record", " subscriber", 16))
                .hasMessage("record subscriber length: must be 0..16, was 40");
        assertThatThrownBy(() -> new WireReader(new byte[] {3, 65}).readString("record", " subscriber", 16))
                .hasMessage("record subscriber: length 3 exceeds the 1 bytes left at byte 1");
    }
}
