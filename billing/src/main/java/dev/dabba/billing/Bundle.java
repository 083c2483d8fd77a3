package dev.dabba.billing;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An allowance included in a plan for each billing cycle, such as 1 GiB of data or 100 minutes of calls: usage of
 * the covered services is free until it runs out.
 *
 * <p>Bundles are consumed in causal order, pulse by pulse, in the order the plan lists them: a pulse that starts
 * while a covering bundle has allowance left is free and draws its length (at most what is left) from the bundle,
 * so a bundle can run out in the middle of a record and the rest of that record is charged. The allowance is in the
 * services' base unit, so one bundle covers services of one kind only (calls, SMS or data). Connect fees are not
 * covered.
 */
public record Bundle(String id, Set<Service> services, long allowance) implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern VALID_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Bundle {
        Objects.requireNonNull(id, "bundle id must not be null");
        if (!VALID_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id: must be 1-64 characters of [a-z0-9._-] starting with a letter or "
                    + "digit, was '" + id + "'");
        }
        Objects.requireNonNull(services, "bundle services must not be null (bundle " + id + ")");
        if (services.isEmpty()) {
            throw new IllegalArgumentException("services: must name at least one service (bundle " + id + ")");
        }
        Set<Service> ordered = new LinkedHashSet<>();
        Service.Category category = null;
        for (Service s : Service.ALL) {
            if (services.contains(s)) {
                if (category != null && category != s.category()) {
                    throw new IllegalArgumentException("services: must all be of one kind (calls, SMS or data), "
                            + "since the allowance has one unit; bundle " + id + " mixes " + category + " and "
                            + s.category());
                }
                category = s.category();
                ordered.add(s);
            }
        }
        services = Collections.unmodifiableSet(ordered);
        if (allowance <= 0) {
            throw new IllegalArgumentException("allowance: must be positive, was " + allowance + " (bundle " + id
                    + ")");
        }
    }

    /** The unit of the allowance: that of the covered services. */
    public Quantity.Unit unit() {
        return services.iterator().next().unit();
    }

    /** Whether this bundle covers {@code service}. */
    public boolean covers(Service service) {
        return services.contains(service);
    }
}
