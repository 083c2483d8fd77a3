package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import dev.dabba.clock.Epoch;
import dev.dabba.record.UsageRecord;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information that always uses one given serializer: how Dabba's domain types (which know nothing of
 * Flink) get versioned serializers instead of Kryo.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    /** Usage records, serialized with the record codec. */
    public static final SerializerTypeInfo<UsageRecord> USAGE_RECORD =
            new SerializerTypeInfo<>(UsageRecord.class, UsageRecordSerializer.INSTANCE);
    /** Bills. */
    public static final SerializerTypeInfo<Bill> BILL = new SerializerTypeInfo<>(Bill.class, BillSerializer.INSTANCE);
    /** Bill versions as published, with the lines they changed. */
    public static final SerializerTypeInfo<BillUpdate> BILL_UPDATE =
            new SerializerTypeInfo<>(BillUpdate.class, BillUpdate.Serializer.INSTANCE);
    /** Kafka records before decoding. */
    public static final SerializerTypeInfo<KafkaInput> KAFKA_INPUT =
            new SerializerTypeInfo<>(KafkaInput.class, KafkaInput.Serializer.INSTANCE);
    /** Dead letters. */
    public static final SerializerTypeInfo<DeadLetter> DEAD_LETTER =
            new SerializerTypeInfo<>(DeadLetter.class, DeadLetter.Serializer.INSTANCE);
    /** A node's frontier, broadcast. */
    public static final SerializerTypeInfo<FrontierAdvance> FRONTIER_ADVANCE =
            new SerializerTypeInfo<>(FrontierAdvance.class, FrontierAdvance.Serializer.INSTANCE);
    /** A node's frontier state. */
    public static final SerializerTypeInfo<NodeFrontier> NODE_FRONTIER =
            new SerializerTypeInfo<>(NodeFrontier.class, NodeFrontier.Serializer.INSTANCE);
    /** Records waiting in (or watched by) the causal buffer. */
    public static final SerializerTypeInfo<HeldRecord> HELD_RECORD =
            new SerializerTypeInfo<>(HeldRecord.class, HeldRecord.Serializer.INSTANCE);
    /** Records released to billing. */
    public static final SerializerTypeInfo<ReleasedRecord> RELEASED_RECORD =
            new SerializerTypeInfo<>(ReleasedRecord.class, ReleasedRecord.Serializer.INSTANCE);
    /** Cloned-SIM alerts. */
    public static final SerializerTypeInfo<CloneAlert> CLONE_ALERT =
            new SerializerTypeInfo<>(CloneAlert.class, CloneAlert.Serializer.INSTANCE);
    /** Epoch announcements. */
    public static final SerializerTypeInfo<Epoch> EPOCH = new SerializerTypeInfo<>(Epoch.class, EpochSerializer.INSTANCE);

    private final Class<T> type;
    private final TypeSerializer<T> serializer;

    private SerializerTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this.type = Objects.requireNonNull(type);
        this.serializer = Objects.requireNonNull(serializer);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SerializerTypeInfo<?> other && other.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof SerializerTypeInfo;
    }
}
