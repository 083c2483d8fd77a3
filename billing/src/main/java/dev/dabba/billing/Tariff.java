package dev.dabba.billing;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A rating plan: for every service (calls by type, SMS, data by radio) a {@link ServiceRate}; the named
 * {@link TimeWindow}s its prices may refer to, in the plan's time {@code zone}; the {@link Bundle}s included each
 * cycle; and the {@link RoundingRule} that turns exact amounts into whole paisa.
 *
 * <p>Prices are {@link BigDecimal} paisa because real plans charge fractions of a paisa (VOLTE at 0.5 paisa per
 * second); only rounded amounts become {@link Money}. Every service must have a rate, so rating never meets a missing
 * price. Plans are usually read from a tariff file ({@link TariffFile}, format in {@code docs/tariff-format.md});
 * the seed plan is {@link #seedDefault()}, also shipped as the resource {@value #SEED_RESOURCE}.
 */
public record Tariff(
        String id,
        String name,
        ZoneId zone,
        RoundingRule rounding,
        List<TimeWindow> windows,
        Map<Service, ServiceRate> rates,
        List<Bundle> bundles) implements Serializable {

    private static final long serialVersionUID = 2L;

    /** Bytes in one mebibyte (1024 * 1024), the unit the seed plan prices data in. */
    public static final long BYTES_PER_MIB = 1_048_576L;

    /** The id of {@link #seedDefault()}. */
    public static final String SEED_DEFAULT_ID = "seed-default";

    /** The classpath resource holding the seed plan as a tariff file. */
    public static final String SEED_RESOURCE = "/dev/dabba/billing/seed-default.yaml";

    /** Tariff ids are short, lower-case, and safe in file names, URLs and database keys. */
    private static final Pattern VALID_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Tariff {
        Objects.requireNonNull(id, "tariff id must not be null");
        if (!VALID_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id: must be 1-64 characters of [a-z0-9._-] starting with a "
                    + "letter or digit, was '" + id + "'");
        }
        Objects.requireNonNull(name, "tariff name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: must not be blank (tariff " + id + ")");
        }
        Objects.requireNonNull(zone, "tariff zone must not be null (tariff " + id + ")");
        Objects.requireNonNull(rounding, "tariff rounding must not be null (tariff " + id + ")");
        windows = List.copyOf(Objects.requireNonNull(windows, "tariff windows must not be null"));
        Set<String> windowNames = new HashSet<>();
        for (int i = 0; i < windows.size(); i++) {
            if (!windowNames.add(windows.get(i).name())) {
                throw new IllegalArgumentException("windows[" + i + "].name: '" + windows.get(i).name()
                        + "' is already defined (tariff " + id + ")");
            }
        }
        Objects.requireNonNull(rates, "tariff rates must not be null (tariff " + id + ")");
        Map<Service, ServiceRate> ordered = new LinkedHashMap<>();
        for (Service s : Service.ALL) {
            ServiceRate rate = rates.get(s);
            if (rate == null) {
                throw new IllegalArgumentException(path(s) + ": has no rate; every service needs one (tariff " + id
                        + ")");
            }
            List<Price> prices = rate.prices();
            for (int i = 0; i < prices.size(); i++) {
                String w = prices.get(i).window();
                if (w != null && !windowNames.contains(w)) {
                    throw new IllegalArgumentException(path(s) + ".prices[" + i + "].window: '" + w
                            + "' is not one of the plan's windows " + windowNames + " (tariff " + id + ")");
                }
            }
            ordered.put(s, rate);
        }
        for (Service s : rates.keySet()) {
            if (!ordered.containsKey(s)) {
                throw new IllegalArgumentException("rates: unknown service " + s + " (tariff " + id + ")");
            }
        }
        rates = Collections.unmodifiableMap(ordered);
        bundles = List.copyOf(Objects.requireNonNull(bundles, "tariff bundles must not be null"));
        Set<String> bundleIds = new HashSet<>();
        for (int i = 0; i < bundles.size(); i++) {
            if (!bundleIds.add(bundles.get(i).id())) {
                throw new IllegalArgumentException("bundles[" + i + "].id: '" + bundles.get(i).id()
                        + "' is already defined (tariff " + id + ")");
            }
        }
    }

    /**
     * The seed plan, kept as the default: calls VOICE 1, VIDEO 2, VOLTE 0.5 paisa per second, per-second
     * increments; data 3G 10, 4G 5, 5G 3 paisa per MiB, pro rata per byte; SMS 100 paisa (Rs 1) per message; no
     * connect fees, tiers, windows or bundles; rounded per record, up; zone Asia/Kolkata.
     *
     * <p>The seed declared SMS but never priced it; Rs 1 is the common Indian pay-as-you-go price. Rounding up per
     * record means a record never bills a fraction of a paisa and a non-empty session never bills zero (the seed's
     * truncation billed a 1-byte session nothing and dropped VOLTE half-paisa); the customer pays less than one paisa
     * per record above the exact amount, which the bill shows line by line. Equal to the plan in
     * {@value #SEED_RESOURCE}.
     */
    public static Tariff seedDefault() {
        return builder(SEED_DEFAULT_ID)
                .name("Seed default plan")
                .zone(BillingCycle.ZONE)
                .rate(Service.call(CallType.VOICE), ServiceRate.flat(BigDecimal.ONE, 1, 1))
                .rate(Service.call(CallType.VIDEO), ServiceRate.flat(BigDecimal.valueOf(2), 1, 1))
                .rate(Service.call(CallType.VOLTE), ServiceRate.flat(new BigDecimal("0.5"), 1, 1))
                .rate(Service.sms(), ServiceRate.flat(BigDecimal.valueOf(100), 1, 1))
                .rate(Service.data(RadioType.G3), ServiceRate.flat(BigDecimal.TEN, BYTES_PER_MIB, 1))
                .rate(Service.data(RadioType.G4), ServiceRate.flat(BigDecimal.valueOf(5), BYTES_PER_MIB, 1))
                .rate(Service.data(RadioType.G5), ServiceRate.flat(BigDecimal.valueOf(3), BYTES_PER_MIB, 1))
                .rounding(RoundingRule.perRecord(RoundingRule.Direction.UP))
                .build();
    }

    /** A builder for a tariff with id {@code id}; every service's rate must be set before {@link Builder#build()}. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder holding this tariff's terms, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(id).name(name).zone(zone).rounding(rounding);
        windows.forEach(b::window);
        rates.forEach(b::rate);
        bundles.forEach(b::bundle);
        return b;
    }

    /** This tariff with another rounding rule (same id: give it a new one if both are in use). */
    public Tariff withRounding(RoundingRule rule) {
        return toBuilder().rounding(rule).build();
    }

    /** The rate of {@code service}. */
    public ServiceRate rate(Service service) {
        ServiceRate rate = rates.get(service);
        if (rate == null) {
            throw new IllegalArgumentException("tariff " + id + " has no rate for " + service);
        }
        return rate;
    }

    /** The window named {@code name}, or {@code null}. */
    public TimeWindow window(String name) {
        for (TimeWindow w : windows) {
            if (w.name().equals(name)) {
                return w;
            }
        }
        return null;
    }

    /** Where a service's rate sits in a tariff file: {@code calls.VOICE}, {@code sms}, {@code data.4G}. */
    static String path(Service s) {
        switch (s.category()) {
            case CALL:
                return "calls." + s.variant();
            case DATA:
                return "data." + s.variant();
            default:
                return "sms";
        }
    }

    /** Assembles a {@link Tariff}; checks happen in {@link #build()}. */
    public static final class Builder {
        private final String id;
        private String name;
        private ZoneId zone = BillingCycle.ZONE;
        private RoundingRule rounding = RoundingRule.perRecord(RoundingRule.Direction.UP);
        private final List<TimeWindow> windows = new ArrayList<>();
        private final Map<Service, ServiceRate> rates = new LinkedHashMap<>();
        private final List<Bundle> bundles = new ArrayList<>();

        private Builder(String id) {
            this.id = id;
        }

        /** The plan's display name; defaults to its id. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The zone whose local time the windows are in; defaults to {@link BillingCycle#ZONE}. */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /** How exact amounts become whole paisa; defaults to per record, up. */
        public Builder rounding(RoundingRule rule) {
            this.rounding = rule;
            return this;
        }

        /** Adds a time window. */
        public Builder window(TimeWindow window) {
            windows.add(Objects.requireNonNull(window, "window must not be null"));
            return this;
        }

        /** Sets the rate of {@code service}. */
        public Builder rate(Service service, ServiceRate rate) {
            rates.put(Objects.requireNonNull(service, "service must not be null"),
                    Objects.requireNonNull(rate, "rate must not be null"));
            return this;
        }

        /** Adds a bundle; bundles are consumed in the order added. */
        public Builder bundle(Bundle bundle) {
            bundles.add(Objects.requireNonNull(bundle, "bundle must not be null"));
            return this;
        }

        /** Removes all bundles. */
        public Builder clearBundles() {
            bundles.clear();
            return this;
        }

        /** The tariff; throws {@link IllegalArgumentException} naming the first missing or invalid term. */
        public Tariff build() {
            return new Tariff(id, name == null ? String.valueOf(id) : name, zone, rounding, windows, rates, bundles);
        }
    }
}
