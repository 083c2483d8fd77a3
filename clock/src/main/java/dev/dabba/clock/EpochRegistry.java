package dev.dabba.clock;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The epochs a node or the stream job knows, checked as they arrive: numbers may skip, but every epoch must extend
 * the member table of the one before it and have a base at least as high, entry by entry. Clock comparisons across
 * epochs rely on that. Thread-safe.
 *
 * <p>Only a move to a newer {@linkplain Epoch#lineage() lineage} ({@link #acceptLineage}) breaks that chain: the
 * epochs of the earlier lineage stay known (records stored against them must still be read), the newer lineage's
 * epochs chain on from its first known one, and an epoch of an earlier lineage arriving after that is refused.
 */
public final class EpochRegistry implements EpochResolver {

    private final NavigableMap<Long, Epoch> epochs = new TreeMap<>();

    /** A registry that knows the genesis epoch. */
    public EpochRegistry() {
        epochs.put(Epoch.GENESIS.number(), Epoch.GENESIS);
    }

    /**
     * Adds an epoch. Accepting an epoch already known (same number, same content) is a no-op.
     *
     * @return whether the epoch was new
     * @throws IllegalArgumentException naming the conflict if the epoch contradicts a known one: the same number
     *     with other content, a member table that does not extend its predecessor's (or is not extended by its
     *     successor's), or a base lower than its predecessor's
     */
    public synchronized boolean accept(Epoch epoch) {
        Epoch known = epochs.get(epoch.number());
        if (known != null) {
            if (!known.equals(epoch)) {
                throw new IllegalArgumentException("epoch " + epoch.number() + " is already known with other content");
            }
            return false;
        }
        Map.Entry<Long, Epoch> before = epochs.lowerEntry(epoch.number());
        if (before != null && !before.getValue().precedes(epoch)) {
            throw new IllegalArgumentException("epoch " + epoch.number() + " does not follow epoch "
                    + before.getKey() + ": its member table must extend the earlier one and its base must be at "
                    + "least the earlier base");
        }
        Map.Entry<Long, Epoch> after = epochs.higherEntry(epoch.number());
        if (after != null && !epoch.precedes(after.getValue())) {
            throw new IllegalArgumentException("epoch " + epoch.number() + " does not precede the known epoch "
                    + after.getKey());
        }
        epochs.put(epoch.number(), epoch);
        return true;
    }

    /**
     * Whether {@code epoch} belongs to a newer lineage than the latest known epoch: a higher number and a higher
     * lineage. Such an epoch does not extend the latest one; a node moves to it with {@link #acceptLineage}. A node
     * that knows only genesis is in no lineage yet: any first epoch extends genesis and is simply accepted.
     */
    public synchronized boolean isNewerLineage(Epoch epoch) {
        Epoch latest = latest();
        return latest.number() != Epoch.GENESIS.number() && epoch.number() > latest.number()
                && epoch.lineage() > latest.lineage();
    }

    /**
     * Adds the first known epoch of a newer lineage; later epochs of that lineage must then extend it, and epochs of
     * earlier lineages are refused from now on. The epochs already known stay resolvable.
     *
     * @return whether the epoch was new
     * @throws IllegalArgumentException if {@code epoch} is not of a newer lineage ({@link #isNewerLineage})
     */
    public synchronized boolean acceptLineage(Epoch epoch) {
        if (!isNewerLineage(epoch)) {
            throw new IllegalArgumentException("epoch " + epoch.number() + " of lineage " + epoch.lineage()
                    + " is not of a newer lineage than the latest known epoch " + latest().number() + " of lineage "
                    + latest().lineage());
        }
        epochs.put(epoch.number(), epoch);
        return true;
    }

    /**
     * Adds an epoch read back from storage, in number order: as {@link #accept}, or as {@link #acceptLineage} when it
     * is of a newer lineage than those before it (the node had moved to it).
     */
    public synchronized boolean acceptStored(Epoch epoch) {
        return isNewerLineage(epoch) ? acceptLineage(epoch) : accept(epoch);
    }

    @Override
    public synchronized Epoch resolve(long number) {
        return epochs.get(number);
    }

    /** The epoch numbered {@code number}, if known. */
    public Optional<Epoch> get(long number) {
        return Optional.ofNullable(resolve(number));
    }

    /** The latest known epoch (genesis when none other is known). */
    public synchronized Epoch latest() {
        return epochs.lastEntry().getValue();
    }

    /** Forgets every epoch before {@code number} except genesis, to bound memory; returns how many were dropped. */
    public synchronized int forgetBefore(long number) {
        int dropped = 0;
        for (Long n : epochs.headMap(number, false).keySet().toArray(new Long[0])) {
            if (n != Epoch.GENESIS.number()) {
                epochs.remove(n);
                dropped++;
            }
        }
        return dropped;
    }

    /** The number of known epochs. */
    public synchronized int size() {
        return epochs.size();
    }
}
