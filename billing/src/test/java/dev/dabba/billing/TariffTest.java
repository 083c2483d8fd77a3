package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TariffTest {

    @Test
    void seedDefault_holdsTheSeedRates() {
        Tariff seed = Tariff.seedDefault();

        assertThat(seed.id()).isEqualTo("seed-default");
        assertThat(seed.callRate(CallType.VOICE)).isEqualByComparingTo("1");
        assertThat(seed.callRate(CallType.VIDEO)).isEqualByComparingTo("2");
        assertThat(seed.callRate(CallType.VOLTE)).isEqualByComparingTo("0.5");
        assertThat(seed.dataRate(RadioType.G3)).isEqualByComparingTo("10");
        assertThat(seed.dataRate(RadioType.G4)).isEqualByComparingTo("5");
        assertThat(seed.dataRate(RadioType.G5)).isEqualByComparingTo("3");
        assertThat(seed.smsPaisaPerMessage()).isEqualByComparingTo("100");
        assertThat(seed.rounding()).isEqualTo(RoundingRule.perRecord(RoundingRule.Direction.UP));
    }

    @Test
    void equalRatesWrittenDifferently_makeEqualTariffs() {
        Tariff a = Tariff.seedDefault().toBuilder().callPaisaPerSecond(CallType.VOLTE, new BigDecimal("0.50"))
                .smsPaisaPerMessage(new BigDecimal("1E+2")).build();

        assertThat(a).isEqualTo(Tariff.seedDefault());
        assertThat(a.smsPaisaPerMessage().toPlainString()).isEqualTo("100");
    }

    @Test
    void build_rejectsAMissingRate_namingTheField() {
        Tariff.Builder b = Tariff.builder("partial").callPaisaPerSecond(CallType.VOICE, BigDecimal.ONE);

        assertThatThrownBy(b::build).hasMessageContaining("callPaisaPerSecond").hasMessageContaining("VIDEO")
                .hasMessageContaining("partial");
    }

    @Test
    void build_rejectsANegativeRate_namingTheField() {
        Tariff.Builder b = Tariff.seedDefault().toBuilder().dataPaisaPerMiB(RadioType.G5, new BigDecimal("-1"));

        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataPaisaPerMiB[G5]").hasMessageContaining("-1");
    }

    @Test
    void build_rejectsAnInvalidId() {
        assertThatThrownBy(() -> Tariff.builder("Seed Plan").build()).hasMessageContaining("tariff id")
                .hasMessageContaining("'Seed Plan'");
    }

    @Test
    void build_requiresARoundingRule() {
        Tariff.Builder b = Tariff.seedDefault().toBuilder().rounding(null);

        assertThatThrownBy(b::build).hasMessageContaining("rounding");
    }

    @Test
    void rates_areNotModifiableThroughTheRecord() {
        assertThatThrownBy(() -> Tariff.seedDefault().callPaisaPerSecond().put(CallType.VOICE, BigDecimal.ZERO))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
