package dev.dabba.agent.internal.publish;

import dev.dabba.record.UsageRecord;
import java.util.function.BiFunction;

/**
 * The most recently stored records by outbox index, so the publisher need not decode what was just encoded; a
 * fixed ring, so memory stays bounded whatever the backlog (older entries are decoded from the outbox). Thread-safe.
 */
public final class RecentRecords implements Publisher.RecordSource {

    private final long[] indices;
    private final UsageRecord[] records;
    private final int mask;
    private final BiFunction<Long, byte[], UsageRecord> decoder;

    /** @param capacity a power of two */
    public RecentRecords(int capacity, BiFunction<Long, byte[], UsageRecord> decoder) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        this.indices = new long[capacity];
        java.util.Arrays.fill(indices, -1);
        this.records = new UsageRecord[capacity];
        this.mask = capacity - 1;
        this.decoder = decoder;
    }

    /** Remembers {@code records}, stored from outbox index {@code first} on. */
    public synchronized void put(long first, java.util.List<UsageRecord> stored) {
        for (int i = 0; i < stored.size(); i++) {
            int slot = (int) ((first + i) & mask);
            indices[slot] = first + i;
            records[slot] = stored.get(i);
        }
    }

    @Override
    public synchronized boolean has(long index) {
        return indices[(int) (index & mask)] == index;
    }

    @Override
    public UsageRecord record(long index, byte[] payload) {
        synchronized (this) {
            int slot = (int) (index & mask);
            if (indices[slot] == index) {
                return records[slot];
            }
        }
        return payload == null ? null : decoder.apply(index, payload);
    }
}
