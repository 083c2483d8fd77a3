package dev.dabba.record;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;
import java.util.Arrays;
import java.util.Collection;

/**
 * A zstd dictionary trained on typical batches, identified on the wire by zstd's own dictionary id.
 *
 * <p>Small batches compress poorly on their own because zstd has nothing to learn from; a dictionary trained on past
 * batches (node ids, MSISDN prefixes, record layouts) gives them that context. Both ends must hold the same
 * dictionary; a batch names the one it needs in its header.
 */
public final class CompressionDictionary {

    private final long id;
    private final byte[] bytes;
    private final ZstdDictCompress compress;
    private final ZstdDictDecompress decompress;

    private CompressionDictionary(byte[] bytes, int level) {
        this.bytes = bytes.clone();
        this.id = Zstd.getDictIdFromDict(this.bytes);
        if (id == 0) {
            throw new IllegalArgumentException("not a zstd dictionary (no dictionary id in its header)");
        }
        this.compress = new ZstdDictCompress(this.bytes, level);
        this.decompress = new ZstdDictDecompress(this.bytes);
    }

    /** A dictionary from bytes produced by zstd's trainer (or {@link #train}). */
    public static CompressionDictionary of(byte[] bytes) {
        return new CompressionDictionary(bytes, RecordCodec.DEFAULT_ZSTD_LEVEL);
    }

    /**
     * Trains a dictionary of at most {@code maxBytes} on sample payloads (uncompressed batch bodies, as
     * {@link RecordCodec#withoutCompression()} writes them).
     */
    public static CompressionDictionary train(Collection<byte[]> samples, int maxBytes) {
        long total = 0;
        for (byte[] s : samples) {
            total += s.length;
        }
        ZstdDictTrainer trainer = new ZstdDictTrainer((int) Math.min(Integer.MAX_VALUE, total), maxBytes);
        for (byte[] s : samples) {
            trainer.addSample(s);
        }
        return of(trainer.trainSamples());
    }

    /** zstd's id of this dictionary, written in the header of batches compressed with it. */
    public long id() {
        return id;
    }

    /** The dictionary bytes, to ship to the other end. */
    public byte[] bytes() {
        return bytes.clone();
    }

    ZstdDictCompress forCompression() {
        return compress;
    }

    ZstdDictDecompress forDecompression() {
        return decompress;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompressionDictionary d && Arrays.equals(d.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "zstd dictionary " + id + " (" + bytes.length + " bytes)";
    }
}
