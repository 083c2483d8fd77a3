package dev.dabba.agent;

import dev.dabba.agent.AgentConfig.BatchSettings;
import dev.dabba.agent.AgentConfig.HandoverSettings;
import dev.dabba.agent.AgentConfig.HttpSettings;
import dev.dabba.agent.AgentConfig.MqttSettings;
import dev.dabba.agent.AgentConfig.OutboxSettings;
import dev.dabba.agent.AgentConfig.ReconnectSettings;
import dev.dabba.agent.AgentConfig.SensorSettings;
import dev.dabba.agent.AgentConfig.TlsSettings;
import dev.dabba.clock.NodeId;
import dev.dabba.record.MqttTopics;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@code agent.yaml} into an {@link AgentConfig}: every setting typed, defaulted as documented in
 * {@code docs/agent-config.md}, and validated, with every problem (unknown settings included: a typo must not
 * silently fall back to a default) reported at once, by setting path and line.
 *
 * <p>Durations are written {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or {@code 1d}; sizes {@code 65536},
 * {@code 64KiB}, {@code 8MiB} or {@code 1GiB}. Relative paths are relative to the config file's directory.
 */
public final class AgentConfigFile {

    /** Where the state lives unless {@code stateDirectory} says otherwise (systemd's StateDirectory). */
    public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/var/lib/dabba-agent");
    /** The input's default port. */
    public static final int DEFAULT_INPUT_PORT = 7741;
    /** The health endpoint's default port. */
    public static final int DEFAULT_HEALTH_PORT = 9741;

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    private AgentConfigFile() {
    }

    /** Reads and validates {@code file}. */
    public static AgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigException.Problem("file", 0,
                    "cannot read: " + e)));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base == null ? Path.of(".") : base);
    }

    /**
     * Parses and validates YAML text.
     *
     * @param source names the text in messages
     * @param baseDirectory what relative paths are relative to
     */
    public static AgentConfig parse(String yaml, String source, Path baseDirectory) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(options).compose(new StringReader(yaml));
        } catch (YAMLException e) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("yaml", 0,
                    "not valid YAML: " + e.getMessage())));
        }
        if (!(root instanceof MappingNode)) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("yaml", 0,
                    "the file must be a YAML mapping with at least node and mqtt.brokerUri")));
        }
        Section top = new Section("", (MappingNode) root, problems, baseDirectory);
        AgentConfig config = new Reader(top).read();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return config;
    }

    /** Reads the whole file's sections; collects problems instead of failing at the first. */
    private static final class Reader {
        private final Section top;

        Reader(Section top) {
            this.top = top;
        }

        AgentConfig read() {
            NodeId node = top.node("node", null, true);
            Profile profile = top.enumeration("profile", Profile.class, Profile.TOWER);
            Path state = top.path("stateDirectory", DEFAULT_STATE_DIRECTORY);

            Section m = top.section("mqtt", true);
            String brokerUri = m.string("brokerUri", null, true);
            String clientId = m.string("clientId", null, false);
            String username = m.string("username", null, false);
            String password = m.string("password", null, false);
            Path passwordFile = m.path("passwordFile", null);
            if (password != null && passwordFile != null) {
                m.problem("passwordFile", "set mqtt.password or mqtt.passwordFile, not both");
            } else if (passwordFile != null) {
                try {
                    password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    m.problem("passwordFile", "cannot read " + passwordFile + ": " + e.getMessage());
                }
            }
            String root = m.string("topicRoot", MqttTopics.DEFAULT.root(), false);
            MqttTopics topics = m.build("topicRoot", () -> new MqttTopics(root));
            MqttSettings d = MqttSettings.of("tcp://localhost:1883");
            Duration keepAlive = m.duration("keepAlive", d.keepAlive());
            Duration connectTimeout = m.duration("connectTimeout", d.connectTimeout());
            Duration sessionExpiry = m.duration("sessionExpiry", d.sessionExpiry());
            int window = m.integer("inflightWindow", d.inflightWindow(), 1, 1024);
            Duration publishTimeout = m.duration("publishTimeout", d.publishTimeout());
            Section r = m.section("reconnect", false);
            ReconnectSettings rd = ReconnectSettings.DEFAULTS;
            Duration initialDelay = r.duration("initialDelay", rd.initialDelay());
            Duration maxDelay = r.duration("maxDelay", rd.maxDelay());
            double jitter = r.decimal("jitter", rd.jitter(), 0, 1);
            r.finish();
            ReconnectSettings reconnect = r.build("maxDelay",
                    () -> new ReconnectSettings(initialDelay, maxDelay, jitter));
            TlsSettings tls = null;
            if (m.has("tls")) {
                Section t = m.section("tls", false);
                Path ca = t.path("caFile", null);
                Path cert = t.path("certFile", null);
                Path key = t.path("keyFile", null);
                boolean verify = t.bool("verifyHostname", true);
                t.finish();
                tls = t.build("certFile", () -> new TlsSettings(ca, cert, key, verify));
            }
            TlsSettings tlsSettings = tls;
            String pass = password;
            m.finish();
            MqttSettings mqtt = m.build("brokerUri", () -> new MqttSettings(brokerUri, clientId, username, pass,
                    topics, keepAlive, connectTimeout, sessionExpiry, window, publishTimeout, reconnect, tlsSettings));

            Section o = top.section("outbox", false);
            OutboxSettings od = OutboxSettings.DEFAULTS;
            long maxBytes = o.size("maxBytes", od.maxBytes());
            long segmentBytes = o.size("segmentBytes", od.segmentBytes());
            FsyncPolicy fsync = o.enumeration("fsync", FsyncPolicy.class, od.fsync());
            Duration fsyncInterval = o.duration("fsyncInterval", od.fsyncInterval());
            FullPolicy whenFull = o.enumeration("whenFull", FullPolicy.class, od.whenFull());
            Duration blockTimeout = o.duration("blockTimeout", od.blockTimeout());
            o.finish();
            OutboxSettings outbox = o.build("maxBytes", () -> new OutboxSettings(maxBytes, segmentBytes, fsync,
                    fsyncInterval, whenFull, blockTimeout));

            Section b = top.section("batch", false);
            BatchSettings bd = BatchSettings.DEFAULTS;
            int maxRecords = b.integer("maxRecords", bd.maxRecords(), 1, 100_000);
            long batchBytes = b.size("maxBytes", bd.maxBytes());
            Duration linger = b.duration0("linger", bd.linger());
            int zstd = b.integer("zstdLevel", bd.zstdLevel(), 1, 19);
            b.finish();
            BatchSettings batch = b.build("maxBytes", () -> new BatchSettings(maxRecords,
                    (int) Math.min(Integer.MAX_VALUE, batchBytes), linger, zstd));

            Section h = top.section("handover", false);
            HandoverSettings hd = HandoverSettings.DEFAULTS;
            List<NodeId> neighbours = h.nodes("neighbours");
            Duration arrivalWait = h.duration0("arrivalWait", hd.arrivalWait());
            Duration ackTimeout = h.duration("ackTimeout", hd.ackTimeout());
            Duration hold = h.duration("holdUnknownEpoch", hd.holdUnknownEpoch());
            int maxHeld = h.integer("maxHeld", hd.maxHeld(), 1, 60_000);
            h.finish();
            HandoverSettings handover = h.build("neighbours", () -> new HandoverSettings(neighbours, arrivalWait,
                    ackTimeout, hold, maxHeld));

            SensorSettings sensor = null;
            if (top.has("sensor")) {
                Section s = top.section("sensor", false);
                Msisdn msisdn = s.msisdn("msisdn");
                Duration gossip = s.duration("gossipInterval", Duration.ofSeconds(30));
                RadioType radio = s.radio("radio", RadioType.G4);
                s.finish();
                sensor = s.build("msisdn", () -> new SensorSettings(msisdn, gossip, radio));
            } else if (profile == Profile.SENSOR) {
                top.problem("sensor.msisdn", "must be set for profile sensor: a sensor meters its own usage under "
                        + "its own MSISDN");
            }

            HttpSettings input = http(top, "input", DEFAULT_INPUT_PORT);
            HttpSettings health = http(top, "health", DEFAULT_HEALTH_PORT);

            Section c = top.section("clock", false);
            Duration maxOffset = c.duration("maxOffset", AgentConfig.DEFAULT_MAX_CLOCK_OFFSET);
            c.finish();
            top.finish();

            SensorSettings sensorSettings = sensor;
            return top.build("node", () -> new AgentConfig(node, profile, state, mqtt, outbox, batch, handover,
                    sensorSettings, input, health, maxOffset));
        }

        private static HttpSettings http(Section top, String name, int defaultPort) {
            Section s = top.section(name, false);
            boolean enabled = s.bool("enabled", true);
            String host = s.string("host", "127.0.0.1", false);
            int port = s.integer("port", defaultPort, 0, 65535);
            long max = name.equals("input") ? s.size("maxRequestBytes", 4L << 20) : 4L << 20;
            if (max < 1024 || max > (256L << 20)) {
                s.problem("maxRequestBytes", "must be 1KiB-256MiB, was " + max);
                max = 4L << 20;
            }
            s.finish();
            long maxBytes = max;
            return s.build("port", () -> new HttpSettings(enabled, host, port, (int) maxBytes));
        }
    }

    /** One mapping of the file, with typed getters that record problems under the mapping's path. */
    private static final class Section {
        private final String path;
        private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
        private final List<String> used = new ArrayList<>();
        private final List<ConfigException.Problem> problems;
        private final Path base;
        private final int line;

        Section(String path, MappingNode node, List<ConfigException.Problem> problems, Path base) {
            this.path = path;
            this.problems = problems;
            this.base = base;
            this.line = node == null ? 0 : node.getStartMark().getLine() + 1;
            if (node != null) {
                for (NodeTuple t : node.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k) {
                        entries.put(k.getValue(), t);
                    } else {
                        problems.add(new ConfigException.Problem(path.isEmpty() ? "(key)" : path, line(t),
                                "keys must be plain names"));
                    }
                }
            }
        }

        private static int line(NodeTuple t) {
            return t.getKeyNode().getStartMark().getLine() + 1;
        }

        private String field(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        void problem(String key, String message) {
            NodeTuple t = entries.get(key);
            problems.add(new ConfigException.Problem(field(key), t == null ? line : line(t), message));
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        /** The scalar text of {@code key}, or null when absent (a problem when required). */
        private String scalar(String key, boolean required) {
            used.add(key);
            NodeTuple t = entries.get(key);
            if (t == null) {
                if (required) {
                    problem(key, "is required");
                }
                return null;
            }
            if (!(t.getValueNode() instanceof ScalarNode s)) {
                problem(key, "must be a single value, not a list or mapping");
                return null;
            }
            String v = s.getValue().strip();
            if (v.isEmpty() || v.equals("~") || v.equals("null")) {
                if (required) {
                    problem(key, "is required");
                }
                return null;
            }
            return v;
        }

        Section section(String key, boolean required) {
            used.add(key);
            NodeTuple t = entries.get(key);
            if (t == null) {
                if (required) {
                    problem(key, "is required");
                }
                return new Section(field(key), null, problems, base);
            }
            if (!(t.getValueNode() instanceof MappingNode mn)) {
                problem(key, "must be a mapping of settings");
                return new Section(field(key), null, problems, base);
            }
            return new Section(field(key), mn, problems, base);
        }

        String string(String key, String dflt, boolean required) {
            String v = scalar(key, required);
            return v == null ? dflt : v;
        }

        NodeId node(String key, NodeId dflt, boolean required) {
            String v = scalar(key, required);
            if (v == null) {
                return dflt;
            }
            if (!NodeId.isValid(v)) {
                problem(key, "must be 1-64 characters of [A-Za-z0-9_.-], was '" + v + "'");
                return dflt;
            }
            return NodeId.of(v);
        }

        Msisdn msisdn(String key) {
            String v = scalar(key, true);
            if (v == null) {
                return null;
            }
            try {
                return Msisdn.of(v);
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                return null;
            }
        }

        RadioType radio(String key, RadioType dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            try {
                return RadioType.parse(v);
            } catch (IllegalArgumentException e) {
                problem(key, "must be 3G, 4G or 5G, was '" + v + "'");
                return dflt;
            }
        }

        Path path(String key, Path dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            try {
                Path p = Path.of(v);
                return p.isAbsolute() ? p : base.resolve(p).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                problem(key, "is not a valid path: " + e.getMessage());
                return dflt;
            }
        }

        boolean bool(String key, boolean dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            switch (v.toLowerCase(Locale.ROOT)) {
                case "true":
                case "yes":
                case "on":
                    return true;
                case "false":
                case "no":
                case "off":
                    return false;
                default:
                    problem(key, "must be true or false, was '" + v + "'");
                    return dflt;
            }
        }

        int integer(String key, int dflt, int min, int max) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            try {
                int n = Integer.parseInt(v.replace("_", ""));
                if (n < min || n > max) {
                    problem(key, "must be " + min + "-" + max + ", was " + n);
                    return dflt;
                }
                return n;
            } catch (NumberFormatException e) {
                problem(key, "must be a whole number " + min + "-" + max + ", was '" + v + "'");
                return dflt;
            }
        }

        double decimal(String key, double dflt, double min, double max) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    problem(key, "must be between " + min + " and " + max + ", was " + v);
                    return dflt;
                }
                return d;
            } catch (NumberFormatException e) {
                problem(key, "must be a number between " + min + " and " + max + ", was '" + v + "'");
                return dflt;
            }
        }

        /** A positive duration. */
        Duration duration(String key, Duration dflt) {
            Duration d = duration0(key, dflt);
            if (d != null && d.isZero() && entries.containsKey(key)) {
                problem(key, "must be positive, was 0");
                return dflt;
            }
            return d;
        }

        /** A duration that may be zero. */
        Duration duration0(String key, Duration dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            Matcher mt = DURATION.matcher(v);
            if (!mt.matches()) {
                problem(key, "must be a duration like 500ms, 30s, 2m, 1h or 1d, was '" + v + "'");
                return dflt;
            }
            long n = Long.parseLong(mt.group(1));
            switch (mt.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }

        long size(String key, long dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            Matcher mt = SIZE.matcher(v);
            if (!mt.matches()) {
                problem(key, "must be a size like 65536, 64KiB, 8MiB or 1GiB, was '" + v + "'");
                return dflt;
            }
            try {
                long n = Long.parseLong(mt.group(1));
                String unit = mt.group(2) == null ? "B" : mt.group(2);
                int shift = unit.equals("KiB") ? 10 : unit.equals("MiB") ? 20 : unit.equals("GiB") ? 30 : 0;
                if (n > (Long.MAX_VALUE >> shift)) {
                    problem(key, "is too large: '" + v + "'");
                    return dflt;
                }
                return n << shift;
            } catch (NumberFormatException e) {
                problem(key, "is too large: '" + v + "'");
                return dflt;
            }
        }

        <E extends Enum<E>> E enumeration(String key, Class<E> type, E dflt) {
            String v = scalar(key, false);
            if (v == null) {
                return dflt;
            }
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(v)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase(Locale.ROOT));
            }
            problem(key, "must be one of " + String.join(", ", names) + ", was '" + v + "'");
            return dflt;
        }

        List<NodeId> nodes(String key) {
            used.add(key);
            NodeTuple t = entries.get(key);
            if (t == null) {
                return List.of();
            }
            if (!(t.getValueNode() instanceof SequenceNode seq)) {
                problem(key, "must be a list of node ids, like [MUMBAI_ANDHERI, MUMBAI_DADAR]");
                return List.of();
            }
            List<NodeId> out = new ArrayList<>();
            for (Node n : seq.getValue()) {
                String v = n instanceof ScalarNode s ? s.getValue() : null;
                if (v == null || !NodeId.isValid(v)) {
                    problem(key, "entry '" + v + "' is not a node id of 1-64 characters [A-Za-z0-9_.-]");
                } else {
                    out.add(NodeId.of(v));
                }
            }
            return out;
        }

        /** Reports keys nobody asked for: typos must not fall back to defaults silently. */
        void finish() {
            for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
                if (!used.contains(e.getKey())) {
                    problems.add(new ConfigException.Problem(field(e.getKey()), line(e.getValue()),
                            "is not a setting" + suggestion(e.getKey())));
                }
            }
        }

        private String suggestion(String key) {
            for (String u : used) {
                if (u.equalsIgnoreCase(key)) {
                    return " (did you mean " + field(u) + "?)";
                }
            }
            return "";
        }

        /**
         * Builds a value whose constructor validates across settings; its message (which names its setting) becomes
         * a problem under {@code key}. Returns null when there were problems already or the build failed.
         */
        <T> T build(String key, Supplier<T> builder) {
            boolean clean = problems.stream().noneMatch(p -> path.isEmpty() || p.field().startsWith(path + "."));
            if (!clean) {
                try {
                    return builder.get();
                } catch (RuntimeException e) {
                    return null;
                }
            }
            try {
                return builder.get();
            } catch (IllegalArgumentException | NullPointerException e) {
                String msg = String.valueOf(e.getMessage());
                String first = msg.contains(" ") ? msg.substring(0, msg.indexOf(' ')) : msg;
                String field = first.contains(".") ? first : field(key);
                problems.add(new ConfigException.Problem(field, line, msg));
                return null;
            }
        }
    }
}
