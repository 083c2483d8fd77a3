package dev.dabba.billing;

import java.io.Serializable;
import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A rating plan: what a second of each call type, an SMS and a MiB of data on each radio cost, in paisa, and the
 * rule that rounds those exact amounts to whole paisa.
 *
 * <p>Rates are {@link BigDecimal}s because real plans charge fractions of a paisa (VOLTE at 0.5 paisa per second);
 * only the rounded line amounts become {@link Money}. Every call type and every radio type must have a rate, so
 * rating never meets a missing price. Build one with {@link #builder(String)}; the seed plan is
 * {@link #seedDefault()}. Tiers, time windows and bundles will be added as new components with builder defaults.
 */
public record Tariff(
        String id,
        String name,
        Map<CallType, BigDecimal> callPaisaPerSecond,
        BigDecimal smsPaisaPerMessage,
        Map<RadioType, BigDecimal> dataPaisaPerMiB,
        RoundingRule rounding) implements Serializable {

    /** Bytes in one mebibyte (1024 * 1024), the unit data is priced in. */
    public static final long BYTES_PER_MIB = 1_048_576L;

    /** The id of {@link #seedDefault()}. */
    public static final String SEED_DEFAULT_ID = "seed-default";

    /** Tariff ids are short, lower-case, and safe in file names, URLs and database keys. */
    private static final Pattern VALID_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Tariff {
        Objects.requireNonNull(id, "tariff id must not be null");
        if (!VALID_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("tariff id must be 1-64 characters of [a-z0-9._-] starting with a "
                    + "letter or digit, was '" + id + "'");
        }
        Objects.requireNonNull(name, "tariff name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tariff name must not be blank (tariff " + id + ")");
        }
        callPaisaPerSecond = completeRates(id, "callPaisaPerSecond", CallType.class, callPaisaPerSecond);
        smsPaisaPerMessage = normalizeRate(id, "smsPaisaPerMessage", smsPaisaPerMessage);
        dataPaisaPerMiB = completeRates(id, "dataPaisaPerMiB", RadioType.class, dataPaisaPerMiB);
        Objects.requireNonNull(rounding, "tariff rounding must not be null (tariff " + id + ")");
    }

    /**
     * The seed plan, kept as the default: calls VOICE 1, VIDEO 2, VOLTE 0.5 paisa per second; data 3G 10, 4G 5,
     * 5G 3 paisa per MiB, pro rata on bytes; SMS 100 paisa (Rs 1) per message; rounded per record, UP.
     *
     * <p>The seed declared SMS but never priced it; Rs 1 is the common Indian pay-as-you-go price. Rounding UP per
     * record means a record never bills a fraction of a paisa and a non-empty session never bills zero (the seed's
     * truncation billed a 1-byte session nothing and dropped VOLTE half-paisa); the customer pays at most one paisa
     * per record above the exact amount, which the bill shows line by line.
     */
    public static Tariff seedDefault() {
        return builder(SEED_DEFAULT_ID)
                .name("Seed default plan")
                .callPaisaPerSecond(CallType.VOICE, BigDecimal.ONE)
                .callPaisaPerSecond(CallType.VIDEO, BigDecimal.valueOf(2))
                .callPaisaPerSecond(CallType.VOLTE, new BigDecimal("0.5"))
                .smsPaisaPerMessage(BigDecimal.valueOf(100))
                .dataPaisaPerMiB(RadioType.G3, BigDecimal.TEN)
                .dataPaisaPerMiB(RadioType.G4, BigDecimal.valueOf(5))
                .dataPaisaPerMiB(RadioType.G5, BigDecimal.valueOf(3))
                .rounding(RoundingRule.perRecord(RoundingRule.Direction.UP))
                .build();
    }

    /** A builder for a tariff with id {@code id}; every rate must be set before {@link Builder#build()}. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder holding this tariff's terms, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(id).name(name).smsPaisaPerMessage(smsPaisaPerMessage).rounding(rounding);
        callPaisaPerSecond.forEach(b::callPaisaPerSecond);
        dataPaisaPerMiB.forEach(b::dataPaisaPerMiB);
        return b;
    }

    /** This tariff with another rounding rule (same id: give it a new one if both are in use). */
    public Tariff withRounding(RoundingRule rule) {
        return toBuilder().rounding(rule).build();
    }

    /** The price of one second of a call of {@code type}, in paisa. */
    public BigDecimal callRate(CallType type) {
        return callPaisaPerSecond.get(type);
    }

    /** The price of one MiB of data on {@code radio}, in paisa. */
    public BigDecimal dataRate(RadioType radio) {
        return dataPaisaPerMiB.get(radio);
    }

    private static <K extends Enum<K>> Map<K, BigDecimal> completeRates(
            String id, String field, Class<K> keys, Map<K, BigDecimal> rates) {
        Objects.requireNonNull(rates, "tariff " + field + " must not be null (tariff " + id + ")");
        EnumMap<K, BigDecimal> copy = new EnumMap<>(keys);
        for (K key : keys.getEnumConstants()) {
            BigDecimal rate = rates.get(key);
            if (rate == null) {
                throw new IllegalArgumentException("tariff " + field + " has no rate for " + key + " (tariff " + id
                        + ")");
            }
            copy.put(key, normalizeRate(id, field + "[" + key + "]", rate));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Non-negative, and without trailing zeros so that equal rates are equal records (0.50 equals 0.5). */
    private static BigDecimal normalizeRate(String id, String field, BigDecimal rate) {
        Objects.requireNonNull(rate, "tariff " + field + " must not be null (tariff " + id + ")");
        if (rate.signum() < 0) {
            throw new IllegalArgumentException("tariff " + field + " must be non-negative, was "
                    + rate.toPlainString() + " (tariff " + id + ")");
        }
        return Amounts.normalize(rate);
    }

    /** Assembles a {@link Tariff}; checks happen in {@link #build()}. */
    public static final class Builder {
        private final String id;
        private String name;
        private final EnumMap<CallType, BigDecimal> calls = new EnumMap<>(CallType.class);
        private BigDecimal sms;
        private final EnumMap<RadioType, BigDecimal> data = new EnumMap<>(RadioType.class);
        private RoundingRule rounding;

        private Builder(String id) {
            this.id = id;
        }

        /** The plan's display name; defaults to its id. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The price of one second of a call of {@code type}, in paisa. */
        public Builder callPaisaPerSecond(CallType type, BigDecimal paisa) {
            calls.put(Objects.requireNonNull(type, "call type must not be null"), paisa);
            return this;
        }

        /** The price of one SMS, in paisa. */
        public Builder smsPaisaPerMessage(BigDecimal paisa) {
            this.sms = paisa;
            return this;
        }

        /** The price of one MiB of data on {@code radio}, in paisa; charged pro rata on bytes. */
        public Builder dataPaisaPerMiB(RadioType radio, BigDecimal paisa) {
            data.put(Objects.requireNonNull(radio, "radio type must not be null"), paisa);
            return this;
        }

        /** How exact amounts become whole paisa. */
        public Builder rounding(RoundingRule rule) {
            this.rounding = rule;
            return this;
        }

        /** The tariff; throws {@link IllegalArgumentException} naming the first missing or invalid term. */
        public Tariff build() {
            return new Tariff(id, name == null ? String.valueOf(id) : name, calls, sms, data, rounding);
        }
    }
}
