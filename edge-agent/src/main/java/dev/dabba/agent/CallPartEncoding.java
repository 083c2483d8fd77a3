package dev.dabba.agent;

import dev.dabba.record.Usage;

/**
 * How a {@link CallPart} becomes the usage of a record.
 *
 * <p>{@link #PARTIAL_RECORDS}, the default, stamps each part as a partial call record ({@code Usage.CallPart}: call
 * reference, part number, last part), as 3GPP partial CDRs are. {@link #DURATION_ONLY} stamps plain calls of the
 * parts' durations: per-second rating bills them as the whole call, but per-call terms cannot see that they belong
 * together.
 */
@FunctionalInterface
public interface CallPartEncoding {

    /** Each part as a plain call of the part's duration, without saying it is a part (for old readers). */
    CallPartEncoding DURATION_ONLY = part -> new Usage.Call(part.callee(), part.type(), part.durationSeconds());

    /**
     * Each part as a partial call record: the part's duration plus the call reference, the part number and whether
     * it is the last, so that billing applies per-call terms (connect fee, per-call rounding) over all parts.
     */
    CallPartEncoding PARTIAL_RECORDS = part -> new Usage.Call(part.callee(), part.type(), part.durationSeconds(),
            new Usage.CallPart(part.callId(), part.partNumber(), part.lastPart()));

    /** The usage to stamp for {@code part}. */
    Usage usageOf(CallPart part);
}
