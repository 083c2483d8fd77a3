package dev.dabba.reliability.corpus;

import java.util.Objects;

/**
 * One malformed or hostile MQTT message of the corpus, and the dead-letter reason the gateway must give it.
 *
 * @param category what kind of attack or damage it is (the report groups by it)
 * @param description this variant, for the report and failure messages
 * @param topicLevel the last level of the topic it is published on ({@code ROOT/records/LEVEL}): a node id, or a
 *     level that is not one
 * @param payload the message body
 * @param expectedReason the code the {@code dabba.dlq.reason} header must start with, e.g. {@code malformed}
 */
public record HostilePayload(Category category, String description, String topicLevel, byte[] payload,
        String expectedReason) {

    /** The kinds of hostile input the corpus holds. */
    public enum Category {
        EMPTY("empty or tiny payloads"),
        TRUNCATED("valid batches cut short, plain and zstd"),
        GARBLED_ZSTD("zstd bodies with broken frames or lying lengths"),
        WRONG_VERSION("wrong magic, kind, version or flags"),
        OVERSIZED("payloads over the gateway's size limit, and dead letters over Kafka's record limit"),
        HUGE_VARINT("overlong varints, absurd counts and lengths"),
        BOGUS_CLOCK("clocks no agent writes: unordered, repeated, zero or invalid entries, epochs from the future"),
        REGRESSING_CLOCK("sequences that go backwards or repeat within a batch, non-positive sequences"),
        FUTURE_TIME("starts and hybrid timestamps decades ahead"),
        BAD_QUANTITY("negative, overflowing or absurd durations and byte counts"),
        UNKNOWN_TYPE("unknown usage tags, call types, radios, call-part flags"),
        BAD_IDENTITY("invalid subscriber numbers, node ids and strings"),
        FORGED_ORIGIN("genuine batches published on another tower's topic"),
        FOREIGN_TOPIC("topics whose last level is not a node id"),
        RANDOM_GARBAGE("random bytes");

        private final String what;

        Category(String what) {
            this.what = what;
        }

        /** What the category holds, in words. */
        public String what() {
            return what;
        }
    }

    public HostilePayload {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(topicLevel, "topicLevel");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expectedReason, "expectedReason");
    }
}
