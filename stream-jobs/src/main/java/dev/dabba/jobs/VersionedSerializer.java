package dev.dabba.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of the job's Flink serializers for immutable values: every value starts with a format version byte, so a
 * newer layout reads the state an older one wrote without a serializer migration (each subclass lists the versions
 * it reads). Subclasses are stateless singletons with a public {@code Snapshot} class, as Flink restores them.
 */
abstract class VersionedSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    /** The version written now. */
    abstract int version();

    /** Writes the value's fields after the version byte. */
    abstract void write(T value, DataOutputView out) throws IOException;

    /** Reads the fields of a value written with {@code version}; throws for versions it does not read. */
    abstract T read(int version, DataInputView in) throws IOException;

    /** The name used in errors. */
    abstract String what();

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final T createInstance() {
        return null;
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final void serialize(T value, DataOutputView out) throws IOException {
        out.writeByte(version());
        write(value, out);
    }

    @Override
    public final T deserialize(DataInputView in) throws IOException {
        return read(in.readUnsignedByte(), in);
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /** The exception for a version this serializer does not read. */
    final IOException unknownVersion(int version) {
        return new IOException(what() + " serializer reads versions up to " + version() + ", found " + version);
    }

    static void writeLongs(DataOutputView out, long[] values) throws IOException {
        out.writeInt(values.length);
        for (long v : values) {
            out.writeLong(v);
        }
    }

    static long[] readLongs(DataInputView in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 24) {
            throw new IOException(what + ": bad length " + n);
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readLong();
        }
        return values;
    }

    static void writeNullableUtf(DataOutputView out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    static String readNullableUtf(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
