package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dabba.billing.Bill;
import dev.dabba.clock.Epoch;
import java.util.Collection;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The job graph as a cluster gets it: every operator named and uid'd, no Kryo anywhere, generic types off. */
class BillingJobGraphTest {

    /** An environment with the job built into it, its sinks discarding. */
    private static StreamExecutionEnvironment built(JobSettings settings) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BillingJob.builder(BillingJob.kafkaSource("127.0.0.1:9", "records", "g"),
                        BillingJob.epochSource("127.0.0.1:9", "epochs", "g-epochs"))
                .billStore(new DiscardingSink<Bill>())
                .deadLetters(new DiscardingSink<DeadLetter>())
                .epochSink(new DiscardingSink<Epoch>())
                .settings(settings)
                .build()
                .build(env);
        return env;
    }

    private static StreamGraph graph(JobSettings settings) {
        StreamExecutionEnvironment env = built(settings);
        SerializerConfig config = env.getConfig().getSerializerConfig();
        assertThat(config.hasGenericTypesDisabled()).as("generic types (Kryo) are disabled").isTrue();
        return env.getStreamGraph();
    }

    @Test
    void everyOperator_hasAUidAndAName_andNoSerializerIsKryo() {
        StreamGraph g = graph(JobSettings.defaults());
        Collection<StreamNode> nodes = g.getStreamNodes();
        assertThat(nodes).hasSizeGreaterThan(8);
        for (StreamNode n : nodes) {
            assertThat(n.getTransformationUID()).as("uid of %s", n.getOperatorName()).isNotBlank();
            assertThat(n.getOperatorName()).isNotBlank();
            for (TypeSerializer<?> in : n.getTypeSerializersIn()) {
                assertThat(in).as("input of %s", n.getOperatorName()).isNotInstanceOf(KryoSerializer.class);
            }
            if (n.getTypeSerializerOut() != null) {
                assertThat(n.getTypeSerializerOut()).as("output of %s", n.getOperatorName())
                        .isNotInstanceOf(KryoSerializer.class);
            }
        }
        assertThat(nodes).extracting(StreamNode::getTransformationUID).contains("kafka-records", "kafka-epochs",
                "decode", "event-time", "frontier", "epoch-authority", "epochs-sink", "causal-buffer", "bill",
                "bill-store-sink", "bill-updates-sink", "alerts-sink", "dead-letter-sink");
        assertThat(nodes).filteredOn(n -> "epoch-authority".equals(n.getTransformationUID()))
                .singleElement().satisfies(n -> assertThat(n.getParallelism()).isEqualTo(1));
    }

    @Test
    void networkBuffers_flushWithinTheSettingsTimeout_notFlinksDefault100Ms() {
        StreamExecutionEnvironment env = built(JobSettings.builder()
                .networkBufferTimeout(java.time.Duration.ofMillis(7)).build());

        assertThat(env.getBufferTimeout()).isEqualTo(7);
        assertThat(JobSettings.defaults().networkBufferTimeout()).isEqualTo(java.time.Duration.ofMillis(10));
    }

    @Test
    void theBaseline_withoutCausalBuffering_replacesOnlyTheBuffer() {
        StreamGraph g = graph(JobSettings.builder().causalBuffering(false).build());
        assertThat(g.getStreamNodes()).extracting(StreamNode::getTransformationUID)
                .contains("no-causal-buffer").doesNotContain("causal-buffer");
    }
}
