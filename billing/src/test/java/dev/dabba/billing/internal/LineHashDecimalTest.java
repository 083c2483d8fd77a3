package dev.dabba.billing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A decimal's part of the line hash is the unscaled value's hash and the scale, worked out from
 * {@code BigDecimal.hashCode()} instead of the {@code BigInteger} that {@code unscaledValue()} builds: stored hashes
 * must not change with it, for small amounts (a {@code long} inside the decimal) and for huge ones alike.
 */
class LineHashDecimalTest {

    @Property(tries = 2000)
    void theDecimalsHash_isTheUnscaledValuesHashAndScale(@ForAll("decimals") BigDecimal d) {
        assertThat(LineHash.decimal(d)).isEqualTo(d.unscaledValue().hashCode() * 31L + d.scale());
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.longs().between(-1_000_000, 1_000_000).map(BigInteger::valueOf),
                Arbitraries.longs().map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(100).negate(), BigInteger.TWO.pow(100)));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-10, 30)).as(BigDecimal::new);
    }
}
