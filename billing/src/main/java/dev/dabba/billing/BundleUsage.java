package dev.dabba.billing;

import java.util.Objects;

/** How much of one bundle's allowance a bill's records used, in the bundle's unit (seconds, messages or bytes). */
public record BundleUsage(String bundle, Quantity.Unit unit, long allowance, long used) {

    public BundleUsage {
        Objects.requireNonNull(bundle, "bundle usage bundle must not be null");
        Objects.requireNonNull(unit, "bundle usage unit must not be null (" + bundle + ")");
        if (allowance <= 0) {
            throw new IllegalArgumentException("bundle usage allowance must be positive, was " + allowance + " ("
                    + bundle + ")");
        }
        if (used < 0 || used > allowance) {
            throw new IllegalArgumentException("bundle usage used must be within 0.." + allowance + ", was " + used
                    + " (" + bundle + ")");
        }
    }

    /** What is left. */
    public long remaining() {
        return allowance - used;
    }
}
