package dev.dabba.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class BatchTranslatorTest {

    private static final NodeId BKC = NodeId.of("MUMBAI_BKC");
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final RecordCodec CODEC = RecordCodec.standard();
    private final BatchTranslator translator = BatchTranslator.withDefaults();

    private static UsageRecord sms(long seq, String subscriber) {
        return new UsageRecord(new EventId(BKC, seq), Msisdn.of(subscriber), NOW, new HybridTimestamp(1, 0),
                VectorClock.of(Map.of("MUMBAI_BKC", seq)), new Usage.Sms(Msisdn.of("+919999999999")));
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void translate_emitsOneRecordPerUsage_keyedBySubscriber_withEventIdHeader() {
        byte[] payload = CODEC.encodeBatch(new RecordBatch(BKC, List.of(sms(1, "+919876543210"),
                sms(2, "+919876543211"))));
        BatchTranslator.Translation t = translator.translate("dabba/v1/records/MUMBAI_BKC", payload, null, NOW);
        assertThat(t).isInstanceOf(BatchTranslator.Accepted.class);
        assertThat(t.records()).hasSize(2);
        ProducerRecord<byte[], byte[]> second = t.records().get(1);
        assertThat(second.topic()).isEqualTo(KafkaTopics.RECORDS);
        assertThat(new String(second.key(), StandardCharsets.UTF_8)).isEqualTo("+919876543211");
        assertThat(header(second, KafkaTopics.HEADER_EVENT_ID)).isEqualTo("MUMBAI_BKC#2");
        assertThat(CODEC.decodeRecord(second.value(), EpochResolver.GENESIS_ONLY)).isEqualTo(sms(2, "+919876543211"));
    }

    @Test
    void translate_deadLettersForgedBatch_whoseOriginDisagreesWithTheTopic() {
        byte[] payload = CODEC.encodeBatch(new RecordBatch(BKC, List.of(sms(1, "+919876543210"))));
        BatchTranslator.Translation t = translator.translate("dabba/v1/records/MUMBAI_DADAR", payload, null, NOW);
        assertThat(t).isInstanceOf(BatchTranslator.Rejected.class);
        ProducerRecord<byte[], byte[]> dead = t.records().get(0);
        assertThat(dead.topic()).isEqualTo(KafkaTopics.DEAD_LETTERS);
        assertThat(dead.value()).isEqualTo(payload);
        assertThat(header(dead, KafkaTopics.HEADER_DLQ_REASON)).contains("forged").contains("MUMBAI_DADAR");
    }

    @Test
    void translate_deadLettersMalformedBytes_withTheDecoderReason() {
        byte[] garbage = {0x44, 0x42, 0x07, 0x00};
        BatchTranslator.Translation t = translator.translate("dabba/v1/records/MUMBAI_BKC", garbage, null, NOW);
        assertThat(t).isInstanceOf(BatchTranslator.Rejected.class);
        assertThat(((BatchTranslator.Rejected) t).reason()).contains("malformed batch").contains("version");
    }

    @Test
    void translate_deadLettersMessagesOnForeignTopics() {
        BatchTranslator.Translation t = translator.translate("some/other/topic", new byte[] {1}, null, NOW);
        assertThat(t).isInstanceOf(BatchTranslator.Rejected.class);
        assertThat(((BatchTranslator.Rejected) t).reason()).contains("not a record topic");
    }

    @Test
    void translate_deadLettersOversizedPayloads_beforeDecoding() {
        BatchTranslator small = new BatchTranslator(dev.dabba.record.MqttTopics.DEFAULT, KafkaTopics.RECORDS, KafkaTopics.DEAD_LETTERS, 8);
        byte[] payload = CODEC.encodeBatch(new RecordBatch(BKC, List.of(sms(1, "+919876543210"))));
        BatchTranslator.Translation t = small.translate("dabba/v1/records/MUMBAI_BKC", payload, null, NOW);
        assertThat(((BatchTranslator.Rejected) t).reason()).contains("exceeds the limit of 8");
    }
}
