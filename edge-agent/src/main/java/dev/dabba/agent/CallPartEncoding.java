package dev.dabba.agent;

import dev.dabba.record.Usage;

/**
 * How a {@link CallPart} becomes the usage of a record.
 *
 * <p>The record model ({@code Usage.Call}) has no call id, part number or last-part flag yet, so
 * {@link #DURATION_ONLY} records each part as a call of the part's duration: per-second rating bills the parts
 * exactly as the whole call (the durations add up to the call's), but per-call terms (connect fees, minimum charges,
 * per-call rounding) cannot see that the parts belong together. When the record model carries the part fields, an
 * encoding that fills them replaces it here and nothing else in the agent changes.
 */
@FunctionalInterface
public interface CallPartEncoding {

    /** Each part as a plain call of the part's duration. */
    CallPartEncoding DURATION_ONLY = part -> new Usage.Call(part.callee(), part.type(), part.durationSeconds());

    /** The usage to stamp for {@code part}. */
    Usage usageOf(CallPart part);
}
