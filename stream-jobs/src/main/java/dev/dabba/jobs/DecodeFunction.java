package dev.dabba.jobs;

import dev.dabba.clock.EpochResolver;
import dev.dabba.clock.UnknownEpochException;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.UsageRecord;
import dev.dabba.record.WireFormatException;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes Kafka values into usage records; anything that does not decode goes to the dead-letter side output. */
public final class DecodeFunction extends ProcessFunction<KafkaInput, UsageRecord> {

    private static final long serialVersionUID = 1L;
    private static final RecordCodec CODEC = RecordCodec.standard();

    /** The side output of inputs that failed to decode. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    private static final RecordCodec CODEC = RecordCodec.standard();
    };

    /** The stream-jobs issue replaces this with the epoch history the job keeps in state. */
    private static final EpochResolver EPOCHS = EpochResolver.GENESIS_ONLY;

    @Override
    public void processElement(KafkaInput input, Context ctx, Collector<UsageRecord> out) {
        if (input.value() == null) {
            ctx.output(DEAD_LETTERS, new DeadLetter("record value is null (a tombstone?)", input.source(), new byte[0]));
            return;
        }
        try {
            out.collect(CODEC.decodeRecord(input.value(), EPOCHS));
        } catch (UnknownEpochException e) {
            // The job does not track epochs yet (stream-jobs issue); until it does, agents stay in genesis.
            ctx.output(DEAD_LETTERS, new DeadLetter("unknown epoch: " + e.getMessage(), input.source(),
                    input.value()));
        } catch (WireFormatException e) {
            ctx.output(DEAD_LETTERS, new DeadLetter("malformed record: " + e.getMessage(), input.source(),
                    input.value()));
        }
    }
}
