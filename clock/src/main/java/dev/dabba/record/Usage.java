package dev.dabba.record;

import java.util.Objects;

/** What a subscriber used: a call, an SMS or a data session. */
public sealed interface Usage {

    /** A call made by the subscriber; only the caller pays. */
    record Call(Msisdn callee, CallType type, long durationSeconds) implements Usage {
        public Call {
            Objects.requireNonNull(callee, "call callee must not be null");
            Objects.requireNonNull(type, "call type must not be null");
            if (durationSeconds < 0) {
                throw new IllegalArgumentException("call durationSeconds must be non-negative, was " + durationSeconds);
            }
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
