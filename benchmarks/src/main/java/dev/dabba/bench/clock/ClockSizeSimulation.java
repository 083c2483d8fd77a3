package dev.dabba.bench.clock;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.EpochRegistry;
import dev.dabba.clock.HybridTimestamp;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import dev.dabba.clock.VectorClock;
import dev.dabba.record.CallType;
import dev.dabba.record.CompressionDictionary;
import dev.dabba.record.EventId;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.RecordBatch;
import dev.dabba.record.RecordCodec;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The size benchmark: how many bytes a record's clock costs on the wire in a network of 10,000 towers and 1,000,000
 * subscribers, against the seed's encoding and a dense vector. Run with
 * {@code java -cp benchmarks/target/benchmarks.jar dev.dabba.bench.clock.ClockSizeSimulation [key=value ...]}.
 *
 * <p>The model (every parameter below can be changed on the command line):
 * <ul>
 *   <li>Towers on a 100 x 100 grid; a subscriber moves only to one of the 8 neighbouring cells. 60% of subscribers
 *       never move, 30% walk (a handover every {@code walkHandoverS} = 600 s on average), 10% drive (one every
 *       {@code driveHandoverS} = 60 s).</li>
 *   <li>Every subscriber makes a record (call, SMS or data session) every {@code recordIntervalS} seconds on average
 *       (Poisson); its current tower stamps it: the tower's own entry ticks, and the record carries the tower's clock.
 *       </li>
 *   <li>A move is a handover: the old tower sends its clock, the new tower merges it before it stamps anything else.
 *       </li>
 *   <li>Every {@code epochIntervalS} seconds the epoch authority (the stream job) announces an epoch whose base is the
 *       causal frontier of the records it has received, which lag {@code frontierLagS} seconds behind the towers: for
 *       each tower, the sequence of its last record stamped that long ago. The member table lists every tower (in the
 *       order the authority first saw them). Each tower receives the announcement after a relay delay of 0.2 to 1 s and
 *       adopts it (merges the base) before its next stamp or handover.</li>
 *   <li>Records are batched per tower as the edge agent does: a batch closes {@code linger} after its first record;
 *       two lingers are simulated, the agent's default 50 ms and 5 s.</li>
 * </ul>
 *
 * <p>What is counted as the clock's bytes: in the version-2 record body, the epoch offset (one byte) plus the clock
 * delta (its size varint and, per entry other than the record's own, a key varint, for a named node the id, and the
 * difference varint). The own entry costs nothing: it is implied by the sequence, which the record carries anyway as
 * its event id. A standalone record (a Kafka value) also carries the epoch number in its header; a batch carries it
 * once. The seed's encoding: its Python keeps, in every record, a dict over all the region's towers
 * ({@code {tower: 0 for tower in region_towers}}, copied into each record), and its own size estimates count 16 bytes
 * per entry (an 8-byte id and an 8-byte counter); we report that (16 x towers) and, kinder to the seed, a sparse clock
 * without epochs at 16 bytes per non-zero entry, its non-zero entries being the towers in the stamping tower's causal
 * past through handovers (tracked alongside as a bit set per tower). A dense vector is 8 bytes per tower.
 */
public final class ClockSizeSimulation {

    private final Map<String, String> params;
    private final int gridSide;
    private final int towers;
    private final int subscribers;
    private final double recordIntervalS;
    private final double epochIntervalS;
    private final double frontierLagS;
    private final double walkHandoverS;
    private final double driveHandoverS;
    private final double warmupS;
    private final double measureS;
    private final int batchSampleEvery;
    private final Random random;

    private final NodeId[] nodes;
    private final VectorClock[] clocks;
    /** Per tower, the towers in its causal past through handovers alone: a clock's non-zero entries without epochs. */
    private final java.util.BitSet[] pastWithoutEpochs;
    private final int[] adopted;
    private final long[] frontier;
    private final List<Epoch> epochs = new ArrayList<>();
    private final List<Long> announcedAtMs = new ArrayList<>();
    private final EpochRegistry registry = new EpochRegistry();
    private final int[] towerOf;
    private final byte[] mobility;
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    private NodeTable members;
    private int[] towerAtIndex;

    private final Stats clockBytes = new Stats();
    private final Stats standaloneClockBytes = new Stats();
    private final Stats deltaEntries = new Stats();
    private final Stats nonZeroEntries = new Stats();
    private final Stats sparseWithoutEpochs = new Stats();
    private final Stats recordBytes = new Stats();
    private long namedEntries;
    private long indexedEntries;
    private long handovers;
    private long records;
    private long checkedAgainstCodec;

    private final Batcher shortLinger;
    private final Batcher longLinger;
    private final List<byte[]> dictionarySamples = new ArrayList<>();
    private RecordCodec dictionaryCodec;

    private ClockSizeSimulation(Map<String, String> params) {
        this.params = params;
        gridSide = (int) Math.round(Math.sqrt(intParam("towers", 10_000)));
        towers = gridSide * gridSide;
        subscribers = intParam("subscribers", 1_000_000);
        recordIntervalS = doubleParam("recordIntervalS", 120);
        epochIntervalS = doubleParam("epochIntervalS", 5);
        frontierLagS = doubleParam("frontierLagS", 2);
        walkHandoverS = doubleParam("walkHandoverS", 600);
        driveHandoverS = doubleParam("driveHandoverS", 60);
        warmupS = doubleParam("warmupS", 30);
        measureS = doubleParam("measureS", 300);
        batchSampleEvery = intParam("batchSampleEvery", 10);
        random = new Random(intParam("seed", 1));
        nodes = new NodeId[towers];
        for (int i = 0; i < towers; i++) {
            nodes[i] = NodeId.of(String.format("TOWER_%03d_%03d", i / gridSide, i % gridSide));
        }
        clocks = new VectorClock[towers];
        Arrays.fill(clocks, VectorClock.empty());
        pastWithoutEpochs = new java.util.BitSet[towers];
        for (int i = 0; i < towers; i++) {
            pastWithoutEpochs[i] = new java.util.BitSet(towers);
        }
        adopted = new int[towers];
        Arrays.fill(adopted, -1);
        frontier = new long[towers];
        towerOf = new int[subscribers];
        mobility = new byte[subscribers];
        for (int s = 0; s < subscribers; s++) {
            towerOf[s] = random.nextInt(towers);
            int m = random.nextInt(100);
            mobility[s] = (byte) (m < 60 ? 0 : m < 90 ? 1 : 2);
        }
        shortLinger = new Batcher(50);
        longLinger = new Batcher(5_000);
    }

    public static void main(String[] args) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, was " + a);
            }
            params.put(a.substring(0, eq), a.substring(eq + 1));
        }
        long t0 = System.nanoTime();
        ClockSizeSimulation sim = new ClockSizeSimulation(params);
        sim.run();
        sim.report((System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------------- model

    private void run() {
        // The authority has seen every tower before the measurement starts: one member table, shuffled order.
        List<NodeId> order = new ArrayList<>(Arrays.asList(nodes));
        Collections.shuffle(order, random);
        members = NodeTable.of(order);
        Map<NodeId, Integer> towerOfNode = new java.util.HashMap<>();
        for (int i = 0; i < towers; i++) {
            towerOfNode.put(nodes[i], i);
        }
        towerAtIndex = new int[towers];
        for (int i = 0; i < towers; i++) {
            towerAtIndex[i] = towerOfNode.get(members.nodeAt(i));
        }
        double recordRate = subscribers / recordIntervalS;
        int walkers = 0;
        int drivers = 0;
        for (byte m : mobility) {
            walkers += m == 1 ? 1 : 0;
            drivers += m == 2 ? 1 : 0;
        }
        double walkRate = walkers / walkHandoverS;
        double driveRate = drivers / driveHandoverS;
        int[] walkerIds = new int[walkers];
        int[] driverIds = new int[drivers];
        for (int s = 0, w = 0, d = 0; s < subscribers; s++) {
            if (mobility[s] == 1) {
                walkerIds[w++] = s;
            } else if (mobility[s] == 2) {
                driverIds[d++] = s;
            }
        }
        double end = warmupS + measureS;
        double nextRecord = exp(recordRate);
        double nextMove = exp(walkRate + driveRate);
        double nextEpoch = 0;
        while (true) {
            double t = Math.min(nextRecord, Math.min(nextMove, nextEpoch));
            if (t > end) {
                break;
            }
            if (t == nextEpoch) {
                announce(t);
                nextEpoch += epochIntervalS;
            } else if (t == nextRecord) {
                stamp(random.nextInt(subscribers), t);
                nextRecord += exp(recordRate);
            } else {
                int s = random.nextDouble() * (walkRate + driveRate) < walkRate
                        ? walkerIds[random.nextInt(walkers)] : driverIds[random.nextInt(drivers)];
                move(s, t);
                nextMove += exp(walkRate + driveRate);
            }
        }
    }

    private double exp(double rate) {
        return -Math.log(1 - random.nextDouble()) / rate;
    }

    private void announce(double t) {
        long cut = (long) ((t - frontierLagS) * 1000);
        while (!inFlight.isEmpty() && inFlight.peekFirst()[0] <= cut) {
            long[] r = inFlight.pollFirst();
            frontier[(int) r[1]] = r[2];
        }
        long[] byIndex = new long[towers];
        for (int i = 0; i < towers; i++) {
            byIndex[i] = frontier[towerAtIndex[i]];
        }
        Epoch e = Epoch.of(epochs.size() + 1L, members, byIndex);
        registry.accept(e); // the registry checks that bases are monotone and tables extend
        epochs.add(e);
        announcedAtMs.add((long) (t * 1000));
    }

    /** The tower's clock after adopting the latest epoch that has reached it by {@code t}. */
    private VectorClock adopt(int tower, double t) {
        long now = (long) (t * 1000);
        int latest = adopted[tower];
        for (int k = epochs.size() - 1; k > adopted[tower]; k--) {
            if (announcedAtMs.get(k) + relayDelayMs(tower, k) <= now) {
                latest = k;
                break;
            }
        }
        if (latest > adopted[tower]) {
            clocks[tower] = clocks[tower].merge(epochs.get(latest).baseClock());
            adopted[tower] = latest;
        }
        return clocks[tower];
    }

    private static long relayDelayMs(int tower, int epoch) {
        int h = (tower * 0x9E3779B1) ^ (epoch * 0x85EBCA6B);
        h ^= h >>> 15;
        return 200 + Math.floorMod(h, 800);
    }

    private void move(int subscriber, double t) {
        int from = towerOf[subscriber];
        int row = from / gridSide;
        int col = from % gridSide;
        int to;
        do {
            int r = row + random.nextInt(3) - 1;
            int c = col + random.nextInt(3) - 1;
            to = r < 0 || c < 0 || r >= gridSide || c >= gridSide ? from : r * gridSide + c;
        } while (to == from);
        VectorClock sent = adopt(from, t); // the handover carries the old tower's clock
        clocks[to] = adopt(to, t).merge(sent);
        pastWithoutEpochs[to].or(pastWithoutEpochs[from]);
        towerOf[subscriber] = to;
        handovers++;
    }

    private void stamp(int subscriber, double t) {
        int tower = towerOf[subscriber];
        VectorClock clock = adopt(tower, t).increment(nodes[tower]);
        clocks[tower] = clock;
        pastWithoutEpochs[tower].set(tower);
        long seq = clock.get(nodes[tower]);
        long ms = (long) (t * 1000);
        inFlight.addLast(new long[] {ms, tower, seq});
        UsageRecord record = new UsageRecord(new EventId(nodes[tower], seq), msisdn(subscriber),
                Instant.ofEpochMilli(1_700_000_000_000L + ms), new HybridTimestamp(1_700_000_000_000L + ms + 3, 0),
                clock, usage(subscriber));
        boolean measuring = t >= warmupS;
        if (measuring) {
            measure(record, tower);
            sparseWithoutEpochs.add(pastWithoutEpochs[tower].cardinality());
        }
        if (tower % batchSampleEvery == 0) {
            shortLinger.add(tower, record, ms, measuring);
            longLinger.add(tower, record, ms, measuring);
        }
        if (!measuring && tower % batchSampleEvery == 0 && dictionarySamples.size() < 3_000 && random.nextInt(4) == 0) {
            dictionarySamples.add(RecordCodec.withoutCompression().encodeBatch(new RecordBatch(nodes[tower],
                    List.of(record))));
        }
        if (measuring && dictionaryCodec == null) {
            CompressionDictionary dict = CompressionDictionary.train(dictionarySamples, 16 * 1024);
            dictionaryCodec = RecordCodec.standard().withCompression(0, 3).withDictionary(dict);
        }
    }

    private static Msisdn msisdn(int subscriber) {
        return Msisdn.of("+9198" + (10_000_000 + subscriber));
    }

    private Usage usage(int subscriber) {
        int kind = random.nextInt(100);
        if (kind < 35) {
            return new Usage.Call(msisdn((subscriber * 7 + 13) % subscribers), CallType.values()[random.nextInt(3)],
                    1 + random.nextInt(600));
        }
        if (kind < 40) {
            return new Usage.Sms(msisdn((subscriber * 11 + 5) % subscribers));
        }
        return new Usage.Data(random.nextBoolean() ? RadioType.G4 : RadioType.G5, random.nextInt(2_000_000),
                random.nextInt(50_000_000));
    }

    // ---------------------------------------------------------------------------------------------- measuring

    private void measure(UsageRecord record, int tower) {
        records++;
        VectorClock clock = record.clock();
        Epoch epoch = clock.epoch();
        int bytes = 1; // epoch offset
        int entries = 0;
        for (int i = 0; i < clock.deltaSize(); i++) {
            String id = clock.deltaIdAt(i);
            if (id.equals(nodes[tower].value())) {
                continue; // implied by the sequence
            }
            entries++;
            int index = epoch.members().indexOf(id);
            if (index >= 0) {
                bytes += varintSize(index + 1L);
                indexedEntries++;
            } else {
                bytes += 1 + varintSize(id.length()) + id.length();
                namedEntries++;
            }
            bytes += varintSize(clock.deltaCounterAt(i) - epoch.base(id));
        }
        bytes += varintSize(entries);
        clockBytes.add(bytes);
        standaloneClockBytes.add(bytes + varintSize(epoch.number()));
        deltaEntries.add(entries);
        nonZeroEntries.add(clock.size());
        byte[] encoded = RecordCodec.withoutCompression().encodeRecord(record);
        recordBytes.add(encoded.length);
        if (records % 1_000 == 1) { // the count above is what the codec writes: check it against the codec
            VectorClock ownOnly = VectorClock.of(epoch, Map.of(record.origin().value(), record.id().sequence()));
            UsageRecord bare = new UsageRecord(record.id(), record.subscriber(), record.start(), record.hlc(), ownOnly,
                    record.usage());
            int bareLength = RecordCodec.withoutCompression().encodeRecord(bare).length;
            if (encoded.length - bareLength + 2 != bytes) {
                throw new IllegalStateException("clock bytes counted " + bytes + ", the codec wrote "
                        + (encoded.length - bareLength + 2) + " for " + record);
            }
            checkedAgainstCodec++;
        }
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Batches per tower, closed {@code lingerMs} after their first record, as the edge agent does. */
    private final class Batcher {
        final long lingerMs;
        final Map<Integer, List<UsageRecord>> pending = new java.util.HashMap<>();
        final Map<Integer, Long> firstAt = new java.util.HashMap<>();
        final Stats recordsPerBatch = new Stats();
        long plainBytes;
        long zstdBytes;
        long dictBytes;
        long batchedRecords;

        Batcher(long lingerMs) {
            this.lingerMs = lingerMs;
        }

        void add(int tower, UsageRecord record, long ms, boolean measuring) {
            Long first = firstAt.get(tower);
            if (first != null && ms >= first + lingerMs) {
                flush(tower, measuring);
            }
            pending.computeIfAbsent(tower, k -> new ArrayList<>()).add(record);
            firstAt.putIfAbsent(tower, ms);
        }

        void flush(int tower, boolean measuring) {
            List<UsageRecord> batch = pending.remove(tower);
            firstAt.remove(tower);
            if (!measuring || batch == null || dictionaryCodec == null) {
                return;
            }
            RecordBatch b = new RecordBatch(nodes[tower], batch);
            plainBytes += RecordCodec.withoutCompression().encodeBatch(b).length;
            zstdBytes += RecordCodec.standard().encodeBatch(b).length;
            dictBytes += dictionaryCodec.encodeBatch(b).length;
            batchedRecords += batch.size();
            recordsPerBatch.add(batch.size());
        }
    }

    // ------------------------------------------------------------------------------------------------- report

    private void report(double seconds) {
        int p50 = clockBytes.percentile(50);
        int p99 = clockBytes.percentile(99);
        System.out.printf(Locale.ROOT, "Clock size simulation: %d towers, %d subscribers, record every %.0f s per "
                        + "subscriber, handover every %.0f s (walking) / %.0f s (driving), epoch every %.1f s, "
                        + "frontier lag %.1f s, relay 0.2-1 s; %.0f s warm-up, %.0f s measured; seed %s%n",
                towers, subscribers, recordIntervalS, walkHandoverS, driveHandoverS, epochIntervalS, frontierLagS,
                warmupS, measureS, params.getOrDefault("seed", "1"));
        System.out.printf(Locale.ROOT, "records measured: %,d; handovers: %,d (%.2f per tower per second); epochs: "
                        + "%d; checked against the codec: %,d records; %.0f s%n", records, handovers,
                handovers / (towers * (warmupS + measureS)), epochs.size(), checkedAgainstCodec, seconds);
        System.out.println();
        System.out.println("| per record | median | p90 | p99 | max | mean |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        row("clock bytes in the record body (epoch offset + delta; own entry implied)", clockBytes);
        row("clock bytes of a standalone record (+ epoch number in its header)", standaloneClockBytes);
        row("delta entries written (own entry excluded)", deltaEntries);
        row("non-zero entries of the full clock (the base included)", nonZeroEntries);
        row("non-zero entries of a clock without epochs (causal past through handovers)", sparseWithoutEpochs);
        rowFixed("seed encoding, whole region dict (16 B x " + towers + " towers)", 16L * towers);
        row16("sparse map clock without epochs, 16 B per non-zero entry", sparseWithoutEpochs);
        rowFixed("dense vector (8 B x " + towers + " towers)", 8L * towers);
        row("whole record, standalone, uncompressed", recordBytes);
        System.out.println();
        System.out.printf(Locale.ROOT, "entries written by index: %,d; by name: %,d; records with no entry but their "
                + "own: %.1f%%%n", indexedEntries, namedEntries, 100.0 * deltaEntries.countAtMost(0) / records);
        System.out.printf(Locale.ROOT, "median %d B (goal <= 8), p99 %d B (goal <= 32); at the median %.0fx smaller "
                        + "than the seed's whole-region dict, %.0fx than a sparse 16-byte-entry clock without epochs, "
                        + "%.0fx than a dense vector%n", p50, p99, 16.0 * towers / p50,
                16.0 * sparseWithoutEpochs.percentile(50) / p50, 8.0 * towers / p50);
        System.out.println();
        System.out.println("| batches (every " + batchSampleEvery + "th tower) | records per batch, median | bytes per "
                + "record, uncompressed | zstd (level 3, from 256 B) | zstd + 16 KiB dictionary |");
        System.out.println("|---|---:|---:|---:|---:|");
        batchRow("linger 50 ms (agent default)", shortLinger);
        batchRow("linger 5 s", longLinger);
    }

    private void row(String what, Stats s) {
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.2f |%n", what, s.percentile(50), s.percentile(90),
                s.percentile(99), s.max(), s.mean());
    }

    private void row16(String what, Stats s) {
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.0f |%n", what, 16L * s.percentile(50),
                16L * s.percentile(90), 16L * s.percentile(99), 16L * s.max(), 16 * s.mean());
    }

    private void rowFixed(String what, long bytes) {
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", what, bytes, bytes, bytes, bytes, bytes);
    }

    private void batchRow(String what, Batcher b) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", what, b.recordsPerBatch.percentile(50),
                (double) b.plainBytes / b.batchedRecords, (double) b.zstdBytes / b.batchedRecords,
                (double) b.dictBytes / b.batchedRecords);
    }

    /** A histogram of small non-negative ints (larger values share the last bucket's count but keep the max). */
    private static final class Stats {
        private final long[] counts = new long[1 << 16];
        private long n;
        private long sum;
        private int max;

        void add(int v) {
            counts[Math.min(v, counts.length - 1)]++;
            n++;
            sum += v;
            max = Math.max(max, v);
        }

        int percentile(double p) {
            long rank = (long) Math.ceil(p / 100.0 * n);
            long seen = 0;
            for (int v = 0; v < counts.length; v++) {
                seen += counts[v];
                if (seen >= rank && seen > 0) {
                    return v;
                }
            }
            return max;
        }

        long countAtMost(int v) {
            long c = 0;
            for (int i = 0; i <= v; i++) {
                c += counts[i];
            }
            return c;
        }

        int max() {
            return max;
        }

        double mean() {
            return n == 0 ? 0 : (double) sum / n;
        }
    }

    private int intParam(String key, int dflt) {
        return params.containsKey(key) ? Integer.parseInt(params.get(key)) : dflt;
    }

    private double doubleParam(String key, double dflt) {
        return params.containsKey(key) ? Double.parseDouble(params.get(key)) : dflt;
    }
}
