package dev.dabba.jobs;

import dev.dabba.clock.NodeId;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Where the towers are, for cloned-SIM alerts: a tower id and its latitude and longitude in degrees (WGS 84).
 *
 * <p>The file format is one tower per line, {@code TOWER_ID,LATITUDE,LONGITUDE}; blank lines and lines starting
 * with {@code #} are ignored. Towers not in the directory have no distance to anything and never raise an alert.
 */
public final class TowerDirectory implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final double EARTH_RADIUS_KM = 6371.0088;

    private final Map<String, double[]> positions;

    private TowerDirectory(Map<String, double[]> positions) {
        this.positions = positions;
    }

    /** The seed's four Mumbai towers. */
    public static TowerDirectory seedTowers() {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("MUMBAI_BKC", new double[] {19.0660, 72.8656});
        m.put("MUMBAI_ANDHERI", new double[] {19.1197, 72.8468});
        m.put("MUMBAI_BANDRA", new double[] {19.0544, 72.8402});
        m.put("MUMBAI_DADAR", new double[] {19.0178, 72.8478});
        return new TowerDirectory(m);
    }

    /** A directory of the given towers, each {@code {latitude, longitude}}. */
    public static TowerDirectory of(Map<String, double[]> towers) {
        Map<String, double[]> m = new LinkedHashMap<>();
        towers.forEach((id, pos) -> m.put(NodeId.of(id).value(), check(id, pos[0], pos[1])));
        return new TowerDirectory(m);
    }

    /**
     * Reads a tower file.
     *
     * @throws IllegalArgumentException naming the file and line of a malformed entry
     */
    public static TowerDirectory read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tower file " + file + ": " + e.getMessage(), e);
        }
        Map<String, double[]> m = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            String where = file + " line " + (i + 1);
            if (f.length != 3) {
                throw new IllegalArgumentException(where + ": expected TOWER_ID,LATITUDE,LONGITUDE, was '" + line + "'");
            }
            String id = f[0].strip();
            if (!NodeId.isValid(id)) {
                throw new IllegalArgumentException(where + ": tower id '" + id + "' is not a valid node id");
            }
            double lat;
            double lon;
            try {
                lat = Double.parseDouble(f[1].strip());
                lon = Double.parseDouble(f[2].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": latitude and longitude must be numbers, was '" + line
                        + "'", e);
            }
            try {
                check(id, lat, lon);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            if (m.put(id, new double[] {lat, lon}) != null) {
                throw new IllegalArgumentException(where + ": tower " + id + " is listed twice");
            }
        }
        return new TowerDirectory(m);
    }

    private static double[] check(String id, double lat, double lon) {
        if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("tower " + id + " latitude must be in [-90, 90] and longitude in "
                    + "[-180, 180], was " + lat + ", " + lon);
        }
        return new double[] {lat, lon};
    }

    /** The number of towers. */
    public int size() {
        return positions.size();
    }

    /** The great-circle distance between two towers in km, empty when either is unknown. */
    public OptionalDouble distanceKm(String a, String b) {
        double[] p = positions.get(a);
        double[] q = positions.get(b);
        if (p == null || q == null) {
            return OptionalDouble.empty();
        }
        double lat1 = Math.toRadians(p[0]);
        double lat2 = Math.toRadians(q[0]);
        double dLat = lat2 - lat1;
        double dLon = Math.toRadians(q[1] - p[1]);
        double h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return OptionalDouble.of(2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h))));
    }
}
