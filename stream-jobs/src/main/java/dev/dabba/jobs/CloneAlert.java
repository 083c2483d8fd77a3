package dev.dabba.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A cloned-SIM suspicion: two usage records of one subscriber, causally concurrent (neither tower knew of the
 * other's record, so no handover connects them), at towers {@code distanceKm} apart, at overlapping times.
 *
 * @param subscriber the MSISDN
 * @param cycle the billing cycle, YYYY-MM
 * @param firstEvent the event id earlier in the bill's causal order
 * @param firstTower its tower
 * @param firstStartMillis its start, epoch ms
 * @param secondEvent the other event id
 * @param secondTower its tower
 * @param secondStartMillis its start, epoch ms
 * @param distanceKm great-circle distance between the towers
 */
public record CloneAlert(String subscriber, String cycle, String firstEvent, String firstTower,
        long firstStartMillis, String secondEvent, String secondTower, long secondStartMillis, double distanceKm) {

    /** A stable id of the pair, the same whichever record arrived first: consumers deduplicate by it. */
    public String alertId() {
        return subscriber + "|" + firstEvent + "|" + secondEvent;
    }

    /** Versioned serializer: 1 = subscriber, cycle, first event/tower/start, second event/tower/start, distance. */
    public static final class Serializer extends VersionedSerializer<CloneAlert> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "clone alert";
        }

        @Override
        void write(CloneAlert v, DataOutputView out) throws IOException {
            out.writeUTF(v.subscriber());
            out.writeUTF(v.cycle());
            out.writeUTF(v.firstEvent());
            out.writeUTF(v.firstTower());
            out.writeLong(v.firstStartMillis());
            out.writeUTF(v.secondEvent());
            out.writeUTF(v.secondTower());
            out.writeLong(v.secondStartMillis());
            out.writeDouble(v.distanceKm());
        }

        @Override
        CloneAlert read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            return new CloneAlert(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(),
                    in.readUTF(), in.readUTF(), in.readLong(), in.readDouble());
        }

        @Override
        public TypeSerializerSnapshot<CloneAlert> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<CloneAlert> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
