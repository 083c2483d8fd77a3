package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MsisdnTest {

    @Test
    void separators_areDropped_andACanonicalNumberIsKeptAsGiven() {
        assertThat(Msisdn.of("+91-98765 43210").value()).isEqualTo("+919876543210");
        assertThat(Msisdn.of("+91 98765 43210")).isEqualTo(Msisdn.of("+919876543210"));
        String canonical = "+919876543210";
        assertThat(Msisdn.of(canonical).value()).isSameAs(canonical);
    }

    @Test
    void digitCounts_areBoundedTheSameWithAndWithoutSeparators() {
        assertThat(Msisdn.of("+123456").value()).isEqualTo("+123456");
        assertThat(Msisdn.of("+123456789012345").value()).isEqualTo("+123456789012345");
        assertThat(Msisdn.of("+1-2-3-4-5-6").value()).isEqualTo("+123456");
        for (String tooFewOrMany : new String[] {"+12345", "+1-2-3-4-5", "+1234567890123456",
                "+1234 5678 9012 3456"}) {
            assertThatThrownBy(() -> Msisdn.of(tooFewOrMany)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must have 6-15 digits").hasMessageContaining(tooFewOrMany);
        }
    }

    @Test
    void otherCharacters_andAMissingPlus_areRefusedByName() {
        assertThatThrownBy(() -> Msisdn.of("919876543210")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("international format starting with '+'");
        assertThatThrownBy(() -> Msisdn.of("+91987654321a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only digits, '-' and spaces");
        assertThatThrownBy(() -> Msisdn.of("+9198765+43210")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only digits, '-' and spaces");
    }

    @Property(tries = 500)
    void aNumberWithSeparators_equalsTheSameDigitsWithout(@ForAll("digits") String digits,
            @ForAll("separators") String separators) {
        StringBuilder spaced = new StringBuilder("+");
        for (int i = 0; i < digits.length(); i++) {
            spaced.append(digits.charAt(i));
            if (i < separators.length()) {
                spaced.append(separators.charAt(i) == 's' ? " " : separators.charAt(i) == 'd' ? "-" : "");
            }
        }
        boolean valid = digits.length() >= Msisdn.MIN_DIGITS && digits.length() <= Msisdn.MAX_DIGITS;
        if (valid) {
            assertThat(Msisdn.of(spaced.toString())).isEqualTo(Msisdn.of("+" + digits));
            assertThat(Msisdn.of(spaced.toString()).value()).isEqualTo("+" + digits);
        } else {
            assertThatThrownBy(() -> Msisdn.of(spaced.toString())).hasMessageContaining("digits");
            assertThatThrownBy(() -> Msisdn.of("+" + digits)).hasMessageContaining("digits");
        }
    }

    @Provide
    Arbitrary<String> digits() {
        return Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(18);
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.strings().withChars('s', 'd', 'n').ofMaxLength(18);
    }
}
