package dev.dabba.jobs;

import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes Kafka values into usage records; anything that does not decode goes to the dead-letter side output. */
public final class DecodeFunction extends ProcessFunction<KafkaInput, UsageRecord> {

    private static final long serialVersionUID = 1L;

    /** The side output of inputs that failed to decode. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    @Override
    public void processElement(KafkaInput input, Context ctx, Collector<UsageRecord> out) {
        if (input.value() == null) {
            ctx.output(DEAD_LETTERS, new DeadLetter("record value is null (a tombstone?)", input.source(), new byte[0]));
            return;
        }
        try {
            out.collect(RecordCodec.decodeRecord(input.value()));
        } catch (WireFormatException e) {
            ctx.output(DEAD_LETTERS, new DeadLetter("malformed record: " + e.getMessage(), input.source(),
                    input.value()));
        }
    }
}
