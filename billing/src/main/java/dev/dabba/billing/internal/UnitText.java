package dev.dabba.billing.internal;

import dev.dabba.billing.Quantity;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantities with units as tariff files write them: {@code 6s}, {@code 1m}, {@code 1h}; {@code 512B}, {@code 1KiB},
 * {@code 1MiB}, {@code 1GiB}; {@code 1msg}; a bare integer is in the base unit (seconds, bytes or messages).
 */
public final class UnitText {

    private static final Pattern QUANTITY = Pattern.compile("\\s*([0-9]+)\\s*([A-Za-z]*)\\s*");

    private UnitText() {
    }

    /** {@code text} in the base unit of {@code unit}; throws {@link IllegalArgumentException} saying what is allowed. */
    public static long parse(String text, Quantity.Unit unit) {
        Matcher m = QUANTITY.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a whole number with an optional unit (" + allowed(unit)
                    + "), was '" + text + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is too large, was '" + text + "'", e);
        }
        String suffix = m.group(2);
        long factor = factor(suffix, unit, text);
        try {
            return Math.multiplyExact(amount, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("is too large, was '" + text + "'", e);
        }
    }

    /** {@code amount} base units written with the largest unit that divides it: {@code 60} seconds is {@code 1m}. */
    public static String format(long amount, Quantity.Unit unit) {
        switch (unit) {
            case SECONDS:
                if (amount != 0 && amount % 3600 == 0) {
                    return amount / 3600 + "h";
                }
                if (amount != 0 && amount % 60 == 0) {
                    return amount / 60 + "m";
                }
                return amount + "s";
            case BYTES:
                String[] names = {"TiB", "GiB", "MiB", "KiB"};
                long[] sizes = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
                for (int i = 0; i < names.length; i++) {
                    if (amount != 0 && amount % sizes[i] == 0) {
                        return amount / sizes[i] + names[i];
                    }
                }
                return amount + "B";
            default:
                return amount + "msg";
        }
    }

    private static long factor(String suffix, Quantity.Unit unit, String text) {
        if (suffix.isEmpty()) {
            return 1;
        }
        String s = suffix.toLowerCase(Locale.ROOT);
        switch (unit) {
            case SECONDS:
                switch (s) {
                    case "s":
                        return 1;
                    case "m":
                    case "min":
                        return 60;
                    case "h":
                        return 3600;
                    default:
                        break;
                }
                break;
            case BYTES:
                switch (suffix) {
                    case "B":
                        return 1;
                    case "KiB":
                        return 1L << 10;
                    case "MiB":
                        return 1L << 20;
                    case "GiB":
                        return 1L << 30;
                    case "TiB":
                        return 1L << 40;
                    default:
                        if (s.equals("kb") || s.equals("mb") || s.equals("gb") || s.equals("tb")) {
                            throw new IllegalArgumentException("uses the ambiguous unit '" + suffix + "'; write "
                                    + "binary units (KiB = 1024 B, MiB, GiB, TiB) or bytes, was '" + text + "'");
                        }
                        break;
                }
                break;
            default:
                if (s.equals("msg") || s.equals("sms")) {
                    return 1;
                }
                break;
        }
        throw new IllegalArgumentException("has unit '" + suffix + "', which is not one of " + allowed(unit)
                + ", was '" + text + "'");
    }

    private static String allowed(Quantity.Unit unit) {
        switch (unit) {
            case SECONDS:
                return "s, m, h";
            case BYTES:
                return "B, KiB, MiB, GiB, TiB";
            default:
                return "msg";
        }
    }
}
