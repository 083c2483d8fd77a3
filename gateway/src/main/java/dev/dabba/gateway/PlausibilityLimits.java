package dev.dabba.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds past which a decodable batch is rejected as {@link RejectReason#IMPLAUSIBLE}: no tower stamps such values,
 * and letting them through would let one device poison everyone's watermarks (a hybrid timestamp years ahead) or
 * overflow exact rating downstream (a call of 2^62 seconds).
 *
 * @param maxAhead how far a record's start or hybrid timestamp may be ahead of the gateway's clock (agents' clock
 *     skew plus the network); default one day
 * @param maxCallSeconds the longest call (or call part) in seconds; default 30 days
 * @param maxDataBytes the most bytes (uplink plus downlink) of one data record; default 1 TiB
 * @param maxRecordBytes the largest standalone encoding of one record (the Kafka record value); default 256 KiB,
 *     far above a record with a dense clock of 10,000 towers and far below Kafka's default 1 MiB record limit: a
 *     batch whose zstd body expands into one huge record would otherwise fail the producer on every redelivery
 */
public record PlausibilityLimits(Duration maxAhead, long maxCallSeconds, long maxDataBytes, int maxRecordBytes) {

    /** One day ahead, 30-day calls, 1 TiB data records, 256 KiB records. */
    public static final PlausibilityLimits DEFAULT = new PlausibilityLimits(Duration.ofDays(1), 30L * 24 * 3600,
            1L << 40, 256 * 1024);

    public PlausibilityLimits {
        Objects.requireNonNull(maxAhead, "maxAhead");
        if (maxAhead.isNegative()) {
            throw new IllegalArgumentException("maxAhead must not be negative, was " + maxAhead);
        }
        if (maxCallSeconds <= 0) {
            throw new IllegalArgumentException("maxCallSeconds must be positive, was " + maxCallSeconds);
        }
        if (maxDataBytes <= 0) {
            throw new IllegalArgumentException("maxDataBytes must be positive, was " + maxDataBytes);
        }
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
        }
    }
}
