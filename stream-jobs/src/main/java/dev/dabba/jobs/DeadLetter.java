package dev.dabba.jobs;

/**
 * Input the job could not use, with the reason and where it came from; written to the dead-letter topic.
 *
 * @param reason why it was rejected, naming the field
 * @param source where it came from ({@code topic/partition@offset})
 * @param payload the raw bytes, unchanged
 */
public record DeadLetter(String reason, String source, byte[] payload) {
}
