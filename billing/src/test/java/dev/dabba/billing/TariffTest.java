package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TariffTest {

    @Test
    void seedDefault_hasTheSeedRates() {
        Tariff seed = Tariff.seedDefault();

        assertThat(seed.id()).isEqualTo("seed-default");
        assertThat(seed.zone().getId()).isEqualTo("Asia/Kolkata");
        assertThat(seed.rate(Service.call(CallType.VOICE)).prices()).containsExactly(Price.of("1"));
        assertThat(seed.rate(Service.call(CallType.VIDEO)).prices()).containsExactly(Price.of("2"));
        assertThat(seed.rate(Service.call(CallType.VOLTE)).prices()).containsExactly(Price.of("0.5"));
        assertThat(seed.rate(Service.sms()).prices()).containsExactly(Price.of("100"));
        assertThat(seed.rate(Service.data(RadioType.G3)).prices()).containsExactly(Price.of("10"));
        assertThat(seed.rate(Service.data(RadioType.G4)).unit()).isEqualTo(Tariff.BYTES_PER_MIB);
        assertThat(seed.rate(Service.data(RadioType.G4)).increment()).isEqualTo(1);
        assertThat(seed.rate(Service.data(RadioType.G5)).prices()).containsExactly(Price.of("3"));
        assertThat(seed.rounding()).isEqualTo(RoundingRule.perRecord(RoundingRule.Direction.UP));
        assertThat(seed.windows()).isEmpty();
        assertThat(seed.bundles()).isEmpty();
    }

    @Test
    void seedDefault_equalsTheShippedSeedPlanFile() {
        assertThat(TariffFile.seedResource()).isEqualTo(Tariff.seedDefault());
    }

    @Test
    void equalRatesWithDifferentScales_makeEqualTariffs() {
        Tariff a = Tariff.seedDefault().toBuilder()
                .rate(Service.call(CallType.VOLTE), ServiceRate.flat(new BigDecimal("0.50"), 1, 1)).build();

        assertThat(a).isEqualTo(Tariff.seedDefault());
    }

    @Test
    void build_withoutEveryService_namesTheFirstMissingOne() {
        Tariff.Builder b = Tariff.builder("partial").rate(Service.call(CallType.VOICE), ServiceRate.flat(
                BigDecimal.ONE, 1, 1));

        assertThatThrownBy(b::build).hasMessageContaining("calls.VIDEO").hasMessageContaining("partial");
    }

    @Test
    void rate_whosePulsePriceDoesNotTerminate_isRefusedNamingThePrice() {
        // 100 paisa a minute charged per second is 1.666... paisa a pulse: not an exact decimal.
        assertThatThrownBy(() -> ServiceRate.flat(BigDecimal.valueOf(100), 60, 1))
                .hasMessageStartingWith("prices[0].price: 100 paisa per 60")
                .hasMessageContaining("terminating");
        assertThat(ServiceRate.flat(BigDecimal.valueOf(60), 60, 1).prices()).hasSize(1);
    }

    @Test
    void rate_needsAnAnyTimePriceFromZero() {
        assertThatThrownBy(() -> new ServiceRate(1, 1, 1, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(new Price("peak", 0, BigDecimal.ONE))))
                .hasMessageContaining("prices: must have a price without a window from 0");
    }

    @Test
    void rate_incrementMustBePositive() {
        assertThatThrownBy(() -> ServiceRate.flat(BigDecimal.ONE, 1, 0))
                .hasMessage("increment: must be positive, was 0");
    }

    @Test
    void priceInAWindowThePlanDoesNotDefine_isRefused() {
        ServiceRate rate = new ServiceRate(1, 1, 1, BigDecimal.ZERO, TierBasis.RECORD,
                List.of(Price.of("1"), new Price("peak", 0, BigDecimal.ONE)));

        assertThatThrownBy(() -> Tariff.seedDefault().toBuilder().rate(Service.call(CallType.VOICE), rate).build())
                .hasMessageContaining("calls.VOICE.prices[1].window: 'peak' is not one of the plan's windows");
    }

    @Test
    void bundle_mixingCallsAndData_isRefused() {
        assertThatThrownBy(() -> new Bundle("mixed", Set.of(Service.sms(), Service.data(RadioType.G4)), 10))
                .hasMessageContaining("services: must all be of one kind");
    }

    @Test
    void window_runningPastMidnight_belongsToTheDayItStarts() {
        TimeWindow night = new TimeWindow("night", EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0),
                LocalTime.of(6, 0));

        assertThat(night.contains(DayOfWeek.FRIDAY, 23 * 3600)).isTrue();
        assertThat(night.contains(DayOfWeek.SATURDAY, 5 * 3600)).isTrue();
        assertThat(night.contains(DayOfWeek.SATURDAY, 23 * 3600)).isFalse();
        assertThat(night.contains(DayOfWeek.FRIDAY, 5 * 3600)).isFalse();
        assertThat(night.lengthSeconds()).isEqualTo(8 * 3600);
    }

    @Test
    void tariff_isSerializable_forFlinkOperators() throws Exception {
        Tariff rich = TariffFileTest.example();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(rich);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(rich);
        }
    }

    @Test
    void collections_areUnmodifiable() {
        assertThatThrownBy(() -> Tariff.seedDefault().rates().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
