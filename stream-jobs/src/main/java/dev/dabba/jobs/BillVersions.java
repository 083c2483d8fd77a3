package dev.dabba.jobs;

/**
 * The version of a bill as a function of what it is made of, so that replays reproduce versions and the store's
 * "only newer versions" rule gives an exactly-once effect:
 *
 * <pre>
 * version = 4 * records - 2 * incomplete + (final ? 1 : 0)
 * </pre>
 *
 * <p>Every change a bill can go through raises it: a record added complete (+4), a record added incomplete (+2),
 * an incomplete record's dependencies arriving (+2), the cycle closing (+1). It is at least 2 for a bill with a
 * record. Two bills with the same record set, flags and status have the same version.
 */
public final class BillVersions {

    private BillVersions() {
    }

    /** The version of a bill of {@code records} records, {@code incomplete} of them released incomplete. */
    public static long of(int records, int incomplete, boolean closed) {
        if (records < 1 || incomplete < 0 || incomplete > records) {
            throw new IllegalArgumentException("a bill needs at least one record and at most as many incomplete, "
                    + "was " + records + " records, " + incomplete + " incomplete");
        }
        return 4L * records - 2L * incomplete + (closed ? 1 : 0);
    }
}
