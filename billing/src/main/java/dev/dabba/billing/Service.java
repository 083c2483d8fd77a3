package dev.dabba.billing;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What was billed on a line: a call of some type, an SMS, or data on some radio; labelled {@code CALL VOICE},
 * {@code SMS}, {@code DATA 4G}.
 */
public record Service(Category category, String variant) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The kind of service, which decides the bill subtotal a line counts towards. */
    public enum Category {
        /** Calls, by {@link CallType}; measured in seconds. */
        CALL(Quantity.Unit.SECONDS),
        /** Text messages; no variant; measured in messages. */
        SMS(Quantity.Unit.MESSAGES),
        /** Data sessions, by {@link RadioType} label; measured in bytes. */
        DATA(Quantity.Unit.BYTES);

        private final Quantity.Unit unit;

        Category(Quantity.Unit unit) {
            this.unit = unit;
        }

        /** The unit usage of this category is measured in. */
        public Quantity.Unit unit() {
            return unit;
        }
    }

    private static final Service SMS = new Service(Category.SMS, "");

    /** Every billable service, in bill order: calls by type, SMS, data by radio. */
    public static final List<Service> ALL = all();

    public Service {
        Objects.requireNonNull(category, "service category must not be null");
        Objects.requireNonNull(variant, "service variant must not be null (use \"\" for SMS)");
        if (category == Category.CALL) {
            requireVariant(category, variant);
            try {
                CallType.valueOf(variant);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("service variant for CALL must be one of VOICE, VIDEO, VOLTE, was '"
                        + variant + "'", e);
            }
        } else if (category == Category.DATA) {
            variant = RadioType.parse(requireVariant(category, variant)).label();
        } else if (!variant.isEmpty()) {
            throw new IllegalArgumentException("service variant must be empty for SMS, was '" + variant + "'");
        }
    }

    /** A call of {@code type}. */
    public static Service call(CallType type) {
        return new Service(Category.CALL, type.name());
    }

    /** An SMS. */
    public static Service sms() {
        return SMS;
    }

    /** Data on {@code radio}. */
    public static Service data(RadioType radio) {
        return new Service(Category.DATA, radio.label());
    }

    /** Parses a {@link #label()}: {@code CALL VOICE}, {@code SMS}, {@code DATA 4G}. */
    public static Service parse(String label) {
        Objects.requireNonNull(label, "service label must not be null");
        int space = label.indexOf(' ');
        String head = space < 0 ? label : label.substring(0, space);
        String tail = space < 0 ? "" : label.substring(space + 1);
        Category category;
        try {
            category = Category.valueOf(head);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("service label must start with CALL, SMS or DATA, was '" + label + "'",
                    e);
        }
        return new Service(category, tail);
    }

    /** The unit this service's usage is measured in: seconds, messages or bytes. */
    public Quantity.Unit unit() {
        return category.unit();
    }

    /** The label: {@code CALL VOICE}, {@code SMS}, {@code DATA 4G}. */
    public String label() {
        return variant.isEmpty() ? category.name() : category.name() + " " + variant;
    }

    @Override
    public String toString() {
        return label();
    }

    private static String requireVariant(Category category, String variant) {
        if (variant.isEmpty()) {
            throw new IllegalArgumentException("service variant must be set for " + category);
        }
        return variant;
    }

    private static List<Service> all() {
        List<Service> all = new ArrayList<>();
        for (CallType type : CallType.values()) {
            all.add(call(type));
        }
        all.add(SMS);
        for (RadioType radio : RadioType.values()) {
            all.add(data(radio));
        }
        return Collections.unmodifiableList(all);
    }
}
