package dev.dabba.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Node ids: 1-64 characters of {@code [A-Za-z0-9_.-]}, checked without a regex (decoders check every one). */
class NodeIdTest {

    /** The rule as a regex: the validator must agree with it on every string. */
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    @Property(tries = 1_000)
    void isValid_agreesWithTheRule(@ForAll @StringLength(max = 70) @CharRange(from = ' ', to = '~')
            @Chars({'\u00e9', '\u0000', '\u212a', '\uff21'}) String s) {
        assertThat(NodeId.isValid(s)).as("'%s'", s).isEqualTo(RULE.matcher(s).matches());
    }

    @Test
    void boundaries() {
        assertThat(NodeId.isValid("A")).isTrue();
        assertThat(NodeId.isValid("a".repeat(64))).isTrue();
        assertThat(NodeId.isValid("a".repeat(65))).isFalse();
        assertThat(NodeId.isValid("")).isFalse();
        assertThat(NodeId.isValid(null)).isFalse();
        for (char c : "/@[`{:+# \u00e9".toCharArray()) {
            assertThat(NodeId.isValid("TOWER" + c)).as("'%s'", c).isFalse();
        }
        assertThat(NodeId.isValid("MUMBAI_BKC-1.a9Z")).isTrue();
        assertThatThrownBy(() -> NodeId.of("dabba/v1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dabba/v1");
    }
}
