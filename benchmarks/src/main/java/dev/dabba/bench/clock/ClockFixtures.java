package dev.dabba.bench.clock;

import dev.dabba.clock.Causality;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Shared fixtures: tower ids like a real network's, and the same clock in the three representations. */
final class ClockFixtures {

    static final String FROM = "MUMBAI_BKC_0001";
    static final String TO = "MUMBAI_ANDHERI_0002";
    static final String SUBSCRIBER = "+919876543210";
    static final long HLC_WALL = 1_700_000_000_123L;
    static final int HLC_LOGICAL = 2;

    private ClockFixtures() {
    }

    /** {@code count} tower ids, {@code TOWER_00000} upwards. */
    static List<String> towers(int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(String.format("TOWER_%05d", i));
        }
        return ids;
    }

    /** {@code n} distinct towers out of 10,000, in random order. */
    static List<String> pick(int n, Random random) {
        List<String> all = towers(10_000);
        Collections.shuffle(all, random);
        return new ArrayList<>(all.subList(0, n));
    }

    /** A copy with fresh string instances, as a decoder would produce (no shared identity to profit from). */
    static Map<String, Long> fresh(Map<String, Long> m) {
        Map<String, Long> out = new HashMap<>();
        m.forEach((k, v) -> out.put(new String(k.toCharArray()), v));
        return out;
    }

    static HashMapClock hashMap(Map<String, Long> m) {
        return new HashMapClock(new HashMap<>(m));
    }

    static SortedMapClock sortedMap(Map<String, Long> m) {
        return new SortedMapClock(new TreeMap<>(m));
    }

    /** Maps a baseline's int relation onto {@link Causality}, to check that all three agree in setup. */
    static Causality causality(int relation) {
        return switch (relation) {
            case -1 -> Causality.BEFORE;
            case 1 -> Causality.AFTER;
            case 0 -> Causality.EQUAL;
            default -> Causality.CONCURRENT;
        };
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark setup: " + what);
        }
    }
}
