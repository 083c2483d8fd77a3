package dev.dabba.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Helpers for operator test harnesses. */
final class Harnesses {

    private Harnesses() {
    }

    /**
     * An open harness for a keyed process function whose output goes through {@code out}'s serializer (as on a
     * cluster, never Kryo).
     */
    static <K, I, O> KeyedOneInputStreamOperatorTestHarness<K, I, O> keyed(KeyedProcessFunction<K, I, O> fn,
            KeySelector<I, K> key, TypeInformation<K> keyType, TypeInformation<O> out) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, I, O> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(fn), key, keyType, 1, 1, 0);
        h.setup(out.createSerializer(new SerializerConfigImpl()));
        h.open();
        return h;
    }

    /**
     * {@link #keyed} on {@code backend}, set up but not opened: call {@code initializeState} (to restore a snapshot)
     * and {@code open} next.
     */
    static <K, I, O> KeyedOneInputStreamOperatorTestHarness<K, I, O> keyedUnopened(
            org.apache.flink.runtime.state.StateBackend backend, KeyedProcessFunction<K, I, O> fn,
            KeySelector<I, K> key, TypeInformation<K> keyType, TypeInformation<O> out) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, I, O> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(fn), key, keyType, 1, 1, 0);
        h.setStateBackend(backend);
        h.setup(out.createSerializer(new SerializerConfigImpl()));
        return h;
    }

    /** An open harness for a keyed broadcast process function, as {@link #keyed}. */
    static <K, I, B, O> KeyedBroadcastOperatorTestHarness<K, I, B, O> keyedBroadcast(
            KeyedBroadcastProcessFunction<K, I, B, O> fn, KeySelector<I, K> key, TypeInformation<K> keyType,
            TypeInformation<O> out, MapStateDescriptor<?, ?>... states) throws Exception {
        KeyedBroadcastOperatorTestHarness<K, I, B, O> h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(fn, List.of(states)), key, keyType, 1, 1, 0);
        h.setup(out.createSerializer(new SerializerConfigImpl()));
        h.open();
        return h;
    }

    /** The number of keyed state entries (all states, all keys) of a harness's operator on the heap backend. */
    static int keyedStateEntries(AbstractStreamOperatorTestHarness<?> h) {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) h.getOperator();
        return ((HeapKeyedStateBackend<?>) op.getKeyedStateBackend()).numKeyValueStateEntries();
    }

    /** The side output's values, and clears it. */
    static <T> List<T> drain(AbstractStreamOperatorTestHarness<?> h, OutputTag<T> tag) {
        List<T> out = new ArrayList<>();
        var queue = h.getSideOutput(tag);
        if (queue != null) {
            for (StreamRecord<T> r : queue) {
                out.add(r.getValue());
            }
            queue.clear();
        }
        return out;
    }

    /** The main output's values, and clears it. */
    @SuppressWarnings("unchecked")
    static <T> List<T> drain(AbstractStreamOperatorTestHarness<T> h) {
        List<T> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?>) {
                out.add(((StreamRecord<T>) o).getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }
}
