package dev.dabba.jobs;

import dev.dabba.billing.Bill;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A bill version as published on {@code dabba.bill-updates}: the bill, and the positions (1-based, ascending) of the
 * lines this version added or changed against the previous version the job published for the bill. The update
 * carries those lines only ({@link dev.dabba.billing.BillRenderer#updateJson}), so a version costs what it changed.
 *
 * @param bill the version
 * @param changedPositions positions of the lines added or changed; every line's for a bill's first version
 */
public record BillUpdate(Bill bill, int[] changedPositions) {

    public BillUpdate {
        Objects.requireNonNull(bill, "bill update bill must not be null");
        Objects.requireNonNull(changedPositions, "bill update changedPositions must not be null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BillUpdate u && u.bill.equals(bill) && Arrays.equals(u.changedPositions, changedPositions);
    }

    @Override
    public int hashCode() {
        return bill.hashCode() * 31 + Arrays.hashCode(changedPositions);
    }

    @Override
    public String toString() {
        return "BillUpdate[" + bill.subscriber() + " " + bill.cycle() + " v" + bill.version() + ", changed "
                + Arrays.toString(changedPositions) + "]";
    }

    /** Versioned serializer: 1 = the bill ({@link BillSerializer}), the number of positions, the positions. */
    public static final class Serializer extends VersionedSerializer<BillUpdate> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        int version() {
            return 1;
        }

        @Override
        String what() {
            return "bill update";
        }

        @Override
        void write(BillUpdate v, DataOutputView out) throws IOException {
            BillSerializer.INSTANCE.serialize(v.bill(), out);
            out.writeInt(v.changedPositions().length);
            for (int p : v.changedPositions()) {
                out.writeInt(p);
            }
        }

        @Override
        BillUpdate read(int version, DataInputView in) throws IOException {
            if (version != 1) {
                throw unknownVersion(version);
            }
            Bill bill = BillSerializer.INSTANCE.deserialize(in);
            int n = in.readInt();
            if (n < 0 || n > bill.lines().size()) {
                throw new IOException("bill update of " + bill.subscriber() + " " + bill.cycle() + " names " + n
                        + " changed lines for a " + bill.lines().size() + "-line bill");
            }
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = in.readInt();
            }
            return new BillUpdate(bill, positions);
        }

        @Override
        public TypeSerializerSnapshot<BillUpdate> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the singleton; the layout version lives in every value. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<BillUpdate> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
