package dev.dabba.gateway.internal;

import dev.dabba.gateway.RejectReason;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A source record that remembers the MQTT message it was made from, so that Connect's per-record
 * {@code commitRecord} can count that message's outstanding records down.
 *
 * <p>It has no source partition or offset: MQTT cannot be re-read from an offset, the broker's persistent session
 * is the position, so Connect has nothing to commit for it.
 */
public final class TrackedSourceRecord extends SourceRecord {

    private final OrderedAckTracker.Delivery delivery;
    private final RejectReason rejected;

    private TrackedSourceRecord(ProducerRecord<byte[], byte[]> r, ConnectHeaders headers,
            OrderedAckTracker.Delivery delivery, RejectReason rejected) {
        super(null, null, r.topic(), r.partition(), Schema.BYTES_SCHEMA, r.key(), Schema.BYTES_SCHEMA, r.value(),
                r.timestamp(), headers);
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.rejected = rejected;
    }

    /**
     * The Connect form of a record the translator made: bytes key and value, headers as bytes.
     *
     * @param rejected why the message was dead-lettered, or null for a usage record
     */
    public static TrackedSourceRecord of(ProducerRecord<byte[], byte[]> r, OrderedAckTracker.Delivery delivery,
            RejectReason rejected) {
        ConnectHeaders headers = new ConnectHeaders();
        for (Header h : r.headers()) {
            headers.addBytes(h.key(), h.value());
        }
        return new TrackedSourceRecord(r, headers, delivery, rejected);
    }

    /** The MQTT message this record came from. */
    public OrderedAckTracker.Delivery delivery() {
        return delivery;
    }

    /** Whether this is a dead letter. */
    public boolean isDeadLetter() {
        return rejected != null;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
