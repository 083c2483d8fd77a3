package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void toString_isRupeesWithTwoDecimals() {
        assertThat(Money.ofPaisa(2190)).hasToString("Rs 21.90");
        assertThat(Money.ofPaisa(5)).hasToString("Rs 0.05");
        assertThat(Money.ZERO).hasToString("Rs 0.00");
        assertThat(Money.ofPaisa(-50)).hasToString("-Rs 0.50");
        assertThat(Money.ofPaisa(Long.MIN_VALUE)).hasToString("-Rs 92233720368547758.08");
    }

    @Test
    void toPlainString_hasNoCurrency() {
        assertThat(Money.ofPaisa(2190).toPlainString()).isEqualTo("21.90");
        assertThat(Money.ofPaisa(-50).toPlainString()).isEqualTo("-0.50");
    }

    @Test
    void parse_isTheInverseOfToPlainString() {
        assertThat(Money.parse("21.90")).isEqualTo(Money.ofPaisa(2190));
        assertThat(Money.parse("21.9")).isEqualTo(Money.ofPaisa(2190));
        assertThat(Money.parse("7")).isEqualTo(Money.ofPaisa(700));
        assertThat(Money.parse("-0.50")).isEqualTo(Money.ofPaisa(-50));
        assertThat(Money.parse("1.500")).isEqualTo(Money.ofPaisa(150));
    }

    @Test
    void parse_rejectsFractionsOfAPaisa_namingTheInput() {
        assertThatThrownBy(() -> Money.parse("0.005"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 2 decimals").hasMessageContaining("0.005");
        assertThatThrownBy(() -> Money.parse("abc")).hasMessageContaining("'abc'");
    }

    @Test
    void plus_addsExactly_andRefusesToOverflow() {
        assertThat(Money.ofPaisa(840).plus(Money.ofPaisa(1350))).isEqualTo(Money.ofPaisa(2190));
        assertThat(Money.ofPaisa(100).minus(Money.ofPaisa(150))).isEqualTo(Money.ofPaisa(-50));
        assertThatThrownBy(() -> Money.ofPaisa(Long.MAX_VALUE).plus(Money.ofPaisa(1)))
                .isInstanceOf(ArithmeticException.class);
    }
}
