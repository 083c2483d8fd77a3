package dev.dabba.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A record holds exactly what its wire format carries, so encoding never loses or rejects what a record accepted. */
class UsageRecordTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final RecordCodec CODEC = RecordCodec.standard();

    private static UsageRecord startingAt(Instant start) {
        return new UsageRecord(new EventId(BKC, 1), Msisdn.of("+919876543210"), start, HybridTimestamp.ZERO,
                VectorClock.empty().increment(BKC), new Usage.Sms(Msisdn.of("+919876543211")));
    }

    @Test // regression: a microsecond start was truncated by the encoder, so the decoded record differed
    void start_isKeptToTheMillisecond_soTheRecordSurvivesEncoding() {
        UsageRecord r = startingAt(Instant.ofEpochMilli(1_700_000_000_123L).plusNanos(456_789));
        assertThat(r.start()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(CODEC.decodeRecord(CODEC.encodeRecord(r), EpochResolver.GENESIS_ONLY)).isEqualTo(r);
    }

    @Test // regression: a start before 1970 was encoded, and then its whole batch failed to decode at the gateway
    void start_before1970_isRejectedWhenStamped_namingTheField() {
        assertThatThrownBy(() -> startingAt(Instant.ofEpochMilli(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record start");
    }

    @Test // regression: a start beyond a long of milliseconds made the encoder throw ArithmeticException
    void start_beyondTheWireRange_isRejectedWhenStamped() {
        assertThatThrownBy(() -> startingAt(Instant.MAX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record start");
        UsageRecord latest = startingAt(Instant.ofEpochMilli(Long.MAX_VALUE));
        RecordBatch batch = new RecordBatch(BKC, List.of(latest));
        assertThat(CODEC.decodeBatch(CODEC.encodeBatch(batch), EpochResolver.GENESIS_ONLY)).isEqualTo(batch);
        UsageRecord earliest = startingAt(Instant.EPOCH);
        assertThat(CODEC.decodeRecord(CODEC.encodeRecord(earliest), EpochResolver.GENESIS_ONLY)).isEqualTo(earliest);
    }
}
