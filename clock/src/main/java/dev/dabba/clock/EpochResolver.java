package dev.dabba.clock;

/** Finds an epoch by number, for decoders; {@code null} when the epoch is not known (yet). */
@FunctionalInterface
public interface EpochResolver {

    /** Knows only the genesis epoch: enough for clocks of nodes that never adopted an epoch. */
    EpochResolver GENESIS_ONLY = number -> number == Epoch.GENESIS.number() ? Epoch.GENESIS : null;

    /** The epoch numbered {@code number}, or {@code null} when unknown. */
    Epoch resolve(long number);
}
