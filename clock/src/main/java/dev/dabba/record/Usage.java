package dev.dabba.record;

import java.util.Objects;

/** What a subscriber used: a call, an SMS or a data session. */
public sealed interface Usage {

    /**
     * A call made by the subscriber; only the caller pays.
     *
     * <p>A call that spans a handover is recorded as partial records, one per tower, as 3GPP partial CDRs are: each
     * carries the part of the call its tower carried and a {@link CallPart} naming the call and the part. A call
     * recorded whole has no part ({@code part() == null}).
     */
    record Call(Msisdn callee, CallType type, long durationSeconds, CallPart part) implements Usage {
        public Call {
            Objects.requireNonNull(callee, "call callee must not be null");
            Objects.requireNonNull(type, "call type must not be null");
            if (durationSeconds < 0) {
                throw new IllegalArgumentException("call durationSeconds must be non-negative, was " + durationSeconds);
            }
        }

        /** A call recorded whole, by one tower. */
        public Call(Msisdn callee, CallType type, long durationSeconds) {
            this(callee, type, durationSeconds, null);
        }

        /** Whether this record is one part of a call cut at handovers. */
        public boolean isPartial() {
            return part != null;
        }
    }

    /**
     * Which part of which call a partial call record is.
     *
     * @param callReference the call's identity across all its parts and towers: 1-96 of {@code [A-Za-z0-9_.-]}
     * @param sequence the part's number, 1 for the first
     * @param last whether the call ended in this part
     */
    record CallPart(String callReference, int sequence, boolean last) {

        /** Longest call reference, in characters. */
        public static final int MAX_REFERENCE_LENGTH = 96;

        public CallPart {
            Objects.requireNonNull(callReference, "call part callReference must not be null");
            if (!isValidReference(callReference)) {
                throw new IllegalArgumentException("call part callReference must be 1-" + MAX_REFERENCE_LENGTH
                        + " characters of [A-Za-z0-9_.-], was '" + callReference + "'");
            }
            if (sequence < 1) {
                throw new IllegalArgumentException("call part sequence must be at least 1, was " + sequence);
            }
        }

        private static boolean isValidReference(String reference) {
            if (reference.isEmpty() || reference.length() > MAX_REFERENCE_LENGTH) {
                return false;
            }
            for (int i = 0; i < reference.length(); i++) {
                char c = reference.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                        || c == '.' || c == '-')) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An SMS sent by the subscriber. */
    record Sms(Msisdn recipient) implements Usage {
        public Sms {
            Objects.requireNonNull(recipient, "sms recipient must not be null");
        }
    }

    /** A data session: bytes sent (uplink) and received (downlink). */
    record Data(RadioType radio, long uplinkBytes, long downlinkBytes) implements Usage {
        public Data {
            Objects.requireNonNull(radio, "data radio must not be null");
            if (uplinkBytes < 0) {
                throw new IllegalArgumentException("data uplinkBytes must be non-negative, was " + uplinkBytes);
            }
            if (downlinkBytes < 0) {
                throw new IllegalArgumentException("data downlinkBytes must be non-negative, was " + downlinkBytes);
            }
            if (uplinkBytes > Long.MAX_VALUE - downlinkBytes) {
                throw new IllegalArgumentException("data uplinkBytes + downlinkBytes overflows: " + uplinkBytes
                        + " + " + downlinkBytes);
            }
        }

        /** Uplink plus downlink. */
        public long totalBytes() {
            return uplinkBytes + downlinkBytes;
        }
    }
}
