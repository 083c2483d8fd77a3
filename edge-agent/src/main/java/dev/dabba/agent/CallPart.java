package dev.dabba.agent;

import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import java.time.Instant;
import java.util.Objects;

/**
 * One part of a call, as 3GPP partial CDRs cut a call that spans a handover: each tower records the part it
 * carried, numbered from 1, and the last part says so.
 *
 * @param callId the call's identity across all its parts and towers
 * @param caller who pays
 * @param callee who was called
 * @param type the bearer
 * @param callStart when the call began (at the first tower)
 * @param partStart when this part began
 * @param durationSeconds this part's whole seconds, counted from the call's start so that the parts of a call add up
 *     to the call's duration exactly
 * @param partNumber 1 for the first part
 * @param lastPart whether the call ended in this part
 */
public record CallPart(String callId, Msisdn caller, Msisdn callee, CallType type, Instant callStart,
        Instant partStart, long durationSeconds, int partNumber, boolean lastPart) {

    public CallPart {
        Objects.requireNonNull(callId, "callId must not be null");
        Objects.requireNonNull(caller, "caller must not be null");
        Objects.requireNonNull(callee, "callee must not be null");
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(callStart, "callStart must not be null");
        Objects.requireNonNull(partStart, "partStart must not be null");
        if (durationSeconds < 0) {
            throw new IllegalArgumentException("durationSeconds must be non-negative, was " + durationSeconds);
        }
        if (partNumber < 1) {
            throw new IllegalArgumentException("partNumber must be positive, was " + partNumber);
        }
    }
}
