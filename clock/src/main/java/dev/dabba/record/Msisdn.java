package dev.dabba.record;

import java.util.Objects;

/**
 * A subscriber's phone number in international format, canonicalized to {@code +} and digits.
 *
 * <p>{@code +91-9876543210}, {@code +91 98765 43210} and {@code +919876543210} are the same subscriber; the
 * canonical form {@code +919876543210} is what keys, stores and compares use.
 */
public record Msisdn(String value) implements Comparable<Msisdn> {

    /** Fewest digits accepted (short codes excluded). */
    public static final int MIN_DIGITS = 6;
    /** Most digits accepted (E.164 allows 15). */
    public static final int MAX_DIGITS = 15;

    public Msisdn {
        Objects.requireNonNull(value, "msisdn must not be null");
        if (!value.startsWith("+")) {
            throw new IllegalArgumentException("msisdn must be in international format starting with '+', was '"
                    + value + "'");
        }
        // Every number decoded from a record is canonical already: kept as given, no copy.
        if (!isCanonical(value)) {
            value = canonicalize(value);
        }
    }

    private static String canonicalize(String value) {
        StringBuilder digits = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c != '-' && c != ' ') {
                throw new IllegalArgumentException("msisdn may hold only digits, '-' and spaces after '+', was '"
                        + value + "'");
            }
        }
        if (digits.length() < MIN_DIGITS || digits.length() > MAX_DIGITS) {
            throw new IllegalArgumentException("msisdn must have " + MIN_DIGITS + "-" + MAX_DIGITS
                    + " digits, was '" + value + "'");
        }
        return "+" + digits;
    }

    private static boolean isCanonical(String value) {
        int n = value.length();
        if (n < MIN_DIGITS + 1 || n > MAX_DIGITS + 1) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses and canonicalizes {@code value}. */
    public static Msisdn of(String value) {
        return new Msisdn(value);
    }

    @Override
    public int compareTo(Msisdn o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
