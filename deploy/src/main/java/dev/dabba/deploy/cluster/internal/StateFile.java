package dev.dabba.deploy.cluster.internal;

import dev.dabba.deploy.cluster.ClusterException;
import dev.dabba.deploy.cluster.Component;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code WORK/cluster.properties}: what a running cluster is made of (process ids, endpoints, which services it owns,
 * the settings it was started with), so that a later {@code dabba cluster status|down} finds it. Written atomically.
 */
public final class StateFile {

    public static final String NAME = "cluster.properties";

    private final Path file;
    private final Properties p;

    private StateFile(Path file, Properties p) {
        this.file = file;
        this.p = p;
    }

    /** A new, empty state for {@code workDir}. */
    public static StateFile create(Path workDir) {
        return new StateFile(workDir.resolve(NAME), new Properties());
    }

    /** The state in {@code workDir}, if a cluster was started from it and not brought down. */
    public static Optional<StateFile> read(Path workDir) {
        Path f = workDir.resolve(NAME);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        } catch (IOException e) {
            throw new ClusterException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return Optional.of(new StateFile(f, p));
    }

    public String get(String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new ClusterException(file + " lacks '" + key + "'; remove the file if no cluster runs");
        }
        return v;
    }

    public Optional<String> find(String key) {
        return Optional.ofNullable(p.getProperty(key));
    }

    public synchronized void set(String key, Object value) {
        p.setProperty(key, String.valueOf(value));
    }

    /** The process ids recorded for a component (empty if none). */
    public List<Long> pids(Component c) {
        List<Long> out = new ArrayList<>();
        for (String s : p.getProperty(c.key() + ".pids", "").split(",")) {
            if (!s.isBlank()) {
                out.add(Long.parseLong(s.trim()));
            }
        }
        return out;
    }

    public synchronized void pids(Component c, List<Long> pids) {
        p.setProperty(c.key() + ".pids", String.join(",", pids.stream().map(String::valueOf).toList()));
    }

    public boolean managed(Component c) {
        return Boolean.parseBoolean(p.getProperty(c.key() + ".managed", "true"));
    }

    public synchronized void managed(Component c, boolean managed) {
        p.setProperty(c.key() + ".managed", String.valueOf(managed));
    }

    /** Writes the file (temp file, then rename). */
    public synchronized void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(NAME + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Dabba local cluster: process ids and endpoints (dabba cluster status|down read this)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ClusterException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file: no cluster runs from this directory. */
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ClusterException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
