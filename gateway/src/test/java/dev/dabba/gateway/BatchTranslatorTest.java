package dev.dabba.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.EventId;
import dev.dabba.record.KafkaTopics;
import dev.dabba.record.MqttTopics;
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
    private static final String BKC_TOPIC = "dabba/v1/records/MUMBAI_BKC";
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final RecordCodec CODEC = RecordCodec.standard();
    private final BatchTranslator translator = BatchTranslator.withDefaults();
    private final BatchTranslator strict = new BatchTranslator(MqttTopics.DEFAULT, KafkaTopics.RECORDS,
            KafkaTopics.DEAD_LETTERS, BatchTranslator.DEFAULT_MAX_PAYLOAD_BYTES,
            new IdentityPolicy(IdentityPolicy.Mode.TOPIC_AND_USER_PROPERTY, "dabba-client-id", "dabba-agent-"));

    private static UsageRecord sms(long seq, String subscriber) {
        return new UsageRecord(new EventId(BKC, seq), Msisdn.of(subscriber), NOW, new HybridTimestamp(1, 0),
                VectorClock.of(Map.of("MUMBAI_BKC", seq)), new Usage.Sms(Msisdn.of("+919999999999")));
    }

    private static byte[] bkcBatch() {
        return CODEC.encodeBatch(new RecordBatch(BKC, List.of(sms(1, "+919876543210"), sms(2, "+919876543211"))));
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static BatchTranslator.Rejected rejected(BatchTranslator.Translation t) {
        assertThat(t).isInstanceOf(BatchTranslator.Rejected.class);
        return (BatchTranslator.Rejected) t;
    }

    @Test
    void translate_emitsOneRecordPerUsage_keyedBySubscriber_withEventIdAndOriginHeaders() {
        BatchTranslator.Translation t = translator.translate(BKC_TOPIC, bkcBatch(), null, NOW);
        assertThat(t).isInstanceOf(BatchTranslator.Accepted.class);
        assertThat(t.records()).hasSize(2);
        ProducerRecord<byte[], byte[]> second = t.records().get(1);
        assertThat(second.topic()).isEqualTo(KafkaTopics.RECORDS);
        assertThat(second.timestamp()).isEqualTo(NOW.toEpochMilli());
        assertThat(new String(second.key(), StandardCharsets.UTF_8)).isEqualTo("+919876543211");
        assertThat(header(second, KafkaTopics.HEADER_EVENT_ID)).isEqualTo("MUMBAI_BKC#2");
        assertThat(header(second, KafkaTopics.HEADER_ORIGIN)).isEqualTo("MUMBAI_BKC");
        assertThat(CODEC.decodeRecord(second.value(), EpochResolver.GENESIS_ONLY)).isEqualTo(sms(2, "+919876543211"));
    }

    @Test
    void translate_isDeterministic_soARedeliveredMessageGivesTheSameRecords() {
        byte[] payload = bkcBatch();
        List<ProducerRecord<byte[], byte[]>> first = translator.translate(BKC_TOPIC, payload, null, NOW).records();
        List<ProducerRecord<byte[], byte[]>> again = translator.translate(BKC_TOPIC, payload, null,
                NOW.plusSeconds(60)).records();
        for (int i = 0; i < first.size(); i++) {
            assertThat(again.get(i).value()).isEqualTo(first.get(i).value());
            assertThat(again.get(i).key()).isEqualTo(first.get(i).key());
            assertThat(header(again.get(i), KafkaTopics.HEADER_EVENT_ID))
                    .isEqualTo(header(first.get(i), KafkaTopics.HEADER_EVENT_ID));
        }
    }

    @Test
    void translate_deadLettersForgedBatch_whoseOriginDisagreesWithTheTopic() {
        byte[] payload = bkcBatch();
        BatchTranslator.Rejected r = rejected(translator.translate("dabba/v1/records/MUMBAI_DADAR", payload, null,
                NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.FORGED_ORIGIN);
        ProducerRecord<byte[], byte[]> dead = r.deadLetter();
        assertThat(dead.topic()).isEqualTo(KafkaTopics.DEAD_LETTERS);
        assertThat(dead.value()).isEqualTo(payload);
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("dabba/v1/records/MUMBAI_DADAR");
        assertThat(header(dead, KafkaTopics.HEADER_DLQ_REASON)).startsWith("forged-origin: ")
                .contains("MUMBAI_BKC").contains("MUMBAI_DADAR");
        assertThat(header(dead, KafkaTopics.HEADER_DLQ_SOURCE)).isEqualTo("mqtt:dabba/v1/records/MUMBAI_DADAR");
        assertThat(header(dead, KafkaTopics.HEADER_DLQ_STAGE)).isEqualTo("gateway");
    }

    @Test
    void translate_deadLettersMalformedBytes_withTheDecoderReason() {
        byte[] garbage = {0x44, 0x42, 0x07, 0x00};
        BatchTranslator.Rejected r = rejected(translator.translate(BKC_TOPIC, garbage, null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED);
        assertThat(r.message()).startsWith("malformed: malformed batch").contains("version");
    }

    @Test
    void translate_deadLettersTruncatedBatch() {
        byte[] payload = bkcBatch();
        byte[] truncated = java.util.Arrays.copyOf(payload, payload.length - 3);
        assertThat(rejected(translator.translate(BKC_TOPIC, truncated, null, NOW)).reason())
                .isEqualTo(RejectReason.MALFORMED);
    }

    @Test
    void translate_deadLettersMessagesOnForeignTopics() {
        BatchTranslator.Rejected r = rejected(translator.translate("some/other/topic", new byte[] {1}, null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.FOREIGN_TOPIC);
        assertThat(r.message()).contains("not a record topic");
    }

    @Test
    void translate_deadLettersOversizedPayloads_beforeDecoding() {
        BatchTranslator small = new BatchTranslator(MqttTopics.DEFAULT, KafkaTopics.RECORDS,
                KafkaTopics.DEAD_LETTERS, 8);
        BatchTranslator.Rejected r = rejected(small.translate(BKC_TOPIC, bkcBatch(), null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.OVERSIZED);
        assertThat(r.message()).contains("exceeds the limit of 8");
    }

    @Test
    void translate_deadLettersBatch_whosePublisherClientIsAnotherAgent() {
        BatchTranslator.Rejected r = rejected(translator.translate(BKC_TOPIC, bkcBatch(), "dabba-agent-MUMBAI_DADAR",
                NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.FORGED_CLIENT);
        assertThat(r.message()).contains("'dabba-agent-MUMBAI_DADAR'").contains("'dabba-agent-MUMBAI_BKC'");
    }

    @Test
    void translate_acceptsBatch_whosePublisherClientIsItsOrigin() {
        assertThat(translator.translate(BKC_TOPIC, bkcBatch(), "dabba-agent-MUMBAI_BKC", NOW))
                .isInstanceOf(BatchTranslator.Accepted.class);
        assertThat(strict.translate(BKC_TOPIC, bkcBatch(), "dabba-agent-MUMBAI_BKC", NOW))
                .isInstanceOf(BatchTranslator.Accepted.class);
    }

    @Test
    void translate_withUserPropertyIdentity_deadLettersBatchWithoutIdentity() {
        BatchTranslator.Rejected r = rejected(strict.translate(BKC_TOPIC, bkcBatch(), null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.MISSING_IDENTITY);
        assertThat(r.message()).contains("dabba-client-id");
    }

    @Test
    void translate_deadLettersBatch_carryingTwoClaimedIdentities() {
        BatchTranslator.Rejected r = rejected(strict.translate(BKC_TOPIC, bkcBatch(),
                "dabba-agent-MUMBAI_BKC, dabba-agent-MUMBAI_BKC", NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.FORGED_CLIENT);
    }

    private static UsageRecord record(long seq, Instant start, Usage usage) {
        return new UsageRecord(new EventId(BKC, seq), Msisdn.of("+919876543210"), start,
                new HybridTimestamp(start.toEpochMilli(), 0), VectorClock.of(Map.of("MUMBAI_BKC", seq)), usage);
    }

    private BatchTranslator.Rejected implausible(UsageRecord... records) {
        byte[] payload = CODEC.encodeBatch(new RecordBatch(BKC, List.of(records)));
        BatchTranslator.Rejected r = rejected(translator.translate(BKC_TOPIC, payload, null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.IMPLAUSIBLE);
        assertThat(header(r.deadLetter(), KafkaTopics.HEADER_DLQ_REASON)).startsWith("implausible: ");
        assertThat(r.deadLetter().value()).isEqualTo(payload);
        return r;
    }

    @Test
    void translate_rejectsAsImplausible_sequencesThatDoNotStrictlyIncrease() {
        Usage sms = new Usage.Sms(Msisdn.of("+919999999999"));
        assertThat(implausible(record(5, NOW, sms), record(3, NOW, sms)).message()).contains("MUMBAI_BKC#3")
                .contains("strictly increase");
        implausible(record(4, NOW, sms), record(4, NOW, new Usage.Sms(Msisdn.of("+919999999998"))));
    }

    @Test
    void translate_rejectsAsImplausible_recordsStampedFarInTheFuture_butAcceptsOrdinarySkew() {
        Usage sms = new Usage.Sms(Msisdn.of("+919999999999"));
        assertThat(implausible(record(1, Instant.parse("2100-01-01T00:00:00Z"), sms)).message())
                .contains("in the future");
        byte[] skewed = CODEC.encodeBatch(new RecordBatch(BKC, List.of(record(1, NOW.plusSeconds(600), sms))));
        assertThat(translator.translate(BKC_TOPIC, skewed, null, NOW)).isInstanceOf(BatchTranslator.Accepted.class);
    }

    @Test
    void translate_rejectsAsImplausible_callsAndDataBeyondTheLimits_thatWouldOverflowRating() {
        Msisdn callee = Msisdn.of("+919999999999");
        assertThat(implausible(record(1, NOW, new Usage.Call(callee, dev.dabba.record.CallType.VIDEO,
                Long.MAX_VALUE / 2))).message()).contains("durationSeconds");
        implausible(record(1, NOW, new Usage.Data(dev.dabba.record.RadioType.G3, Long.MAX_VALUE / 2, 1)));
        byte[] longCall = CODEC.encodeBatch(new RecordBatch(BKC, List.of(record(1, NOW,
                new Usage.Call(callee, dev.dabba.record.CallType.VOICE, PlausibilityLimits.DEFAULT.maxCallSeconds())))));
        assertThat(translator.translate(BKC_TOPIC, longCall, null, NOW)).isInstanceOf(BatchTranslator.Accepted.class);
    }

    @Test
    void deadLetters_fitKafkasDefaultRecordLimit_cuttingLargePayloads_andSayHowLongTheyWere() {
        byte[] garbage = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(garbage, (byte) 7);
        BatchTranslator.Rejected r = rejected(translator.translate(BKC_TOPIC, garbage, null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED);
        assertThat(r.deadLetter().value()).hasSize(BatchTranslator.MAX_DEAD_LETTER_PAYLOAD_BYTES);
        assertThat(header(r.deadLetter(), BatchTranslator.HEADER_DLQ_PAYLOAD_BYTES)).isEqualTo("3145728");
        byte[] small = "x".getBytes(StandardCharsets.UTF_8);
        BatchTranslator.Rejected s = rejected(translator.translate(BKC_TOPIC, small, null, NOW));
        assertThat(s.deadLetter().value()).isEqualTo(small);
        assertThat(header(s.deadLetter(), BatchTranslator.HEADER_DLQ_PAYLOAD_BYTES)).isEqualTo("1");
    }

    @Test
    void translate_rejectsAsImplausible_aRecordThatExpandsBeyondTheRecordLimit() {
        java.util.Map<String, Long> clock = new java.util.HashMap<>();
        for (int i = 0; i < 30_000; i++) {
            clock.put("TOWER_" + i, 1L);
        }
        clock.put("MUMBAI_BKC", 1L);
        UsageRecord huge = new UsageRecord(new EventId(BKC, 1), Msisdn.of("+919876543210"), NOW,
                new HybridTimestamp(NOW.toEpochMilli(), 0), VectorClock.of(clock),
                new Usage.Sms(Msisdn.of("+919999999999")));
        byte[] payload = CODEC.encodeBatch(new RecordBatch(BKC, List.of(huge)));
        assertThat(payload.length).as("zstd keeps the message itself small").isLessThan(BatchTranslator.DEFAULT_MAX_PAYLOAD_BYTES);
        BatchTranslator.Rejected r = rejected(translator.translate(BKC_TOPIC, payload, null, NOW));
        assertThat(r.reason()).isEqualTo(RejectReason.IMPLAUSIBLE);
        assertThat(r.message()).contains("encodes to");
    }
}
