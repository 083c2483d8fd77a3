package dev.dabba.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dabba.billing.internal.UnitText;
import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads tariff plans from YAML tariff files (format: {@code docs/tariff-format.md}), checking every field and
 * reporting every problem at once, each by its path: {@code plans[0].calls.VOLTE.increment: must be positive, was 0}.
 *
 * <p>Numbers are read from their text as exact decimals, never through binary floating point, so {@code 0.1} paisa
 * is exactly one tenth. Unknown fields are errors, so a misspelt term never silently takes its default.
 */
public final class TariffFile {

    /** The format tag a file may declare in its {@code format} field. */
    public static final String FORMAT = "dabba-tariff/1";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private TariffFile() {
    }

    /** The plans in the tariff file at {@code file}. */
    public static List<Tariff> read(Path file) {
        Objects.requireNonNull(file, "tariff file must not be null");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TariffFileException(file.toString(), List.of("cannot read the file: " + e));
        }
        return parse(text, file.toString());
    }

    /** The plan {@code planId} in the tariff file at {@code file}, or its only plan when {@code planId} is null. */
    public static Tariff readPlan(Path file, String planId) {
        return select(read(file), planId, file.toString());
    }

    /** The plans in {@code yaml}; {@code source} names it in messages. */
    public static List<Tariff> parse(String yaml, String source) {
        Objects.requireNonNull(yaml, "tariff text must not be null");
        Objects.requireNonNull(source, "source must not be null");
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new TariffFileException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        Reader reader = new Reader();
        List<Tariff> plans = reader.file(root);
        if (!reader.problems.isEmpty()) {
            throw new TariffFileException(source, reader.problems);
        }
        return plans;
    }

    /** The plan with id {@code planId} among {@code plans}, or the only one when {@code planId} is null. */
    public static Tariff select(List<Tariff> plans, String planId, String source) {
        if (planId == null) {
            if (plans.size() != 1) {
                throw new TariffFileException(source, List.of("plans: holds " + plans.size() + " plans "
                        + ids(plans) + "; say which one to use"));
            }
            return plans.get(0);
        }
        for (Tariff t : plans) {
            if (t.id().equals(planId)) {
                return t;
            }
        }
        throw new TariffFileException(source, List.of("plans: has no plan '" + planId + "', only " + ids(plans)));
    }

    /** The seed plan as shipped in {@value Tariff#SEED_RESOURCE}. */
    public static Tariff seedResource() {
        try (InputStream in = TariffFile.class.getResourceAsStream(Tariff.SEED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + Tariff.SEED_RESOURCE + " is missing");
            }
            return select(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Tariff.SEED_RESOURCE), null,
                    Tariff.SEED_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + Tariff.SEED_RESOURCE, e);
        }
    }

    /**
     * {@code plans} as a tariff file in canonical form: every term written out, defaults included, so that
     * {@code parse(write(plans))} equals {@code plans}.
     */
    public static String write(List<Tariff> plans) {
        StringBuilder sb = new StringBuilder("format: ").append(FORMAT).append("\nplans:\n");
        for (Tariff t : plans) {
            sb.append("  - id: ").append(t.id()).append('\n');
            sb.append("    name: ").append(quote(t.name())).append('\n');
            sb.append("    zone: ").append(t.zone().getId()).append('\n');
            sb.append("    rounding: {scope: ").append(t.rounding().scope().fileName()).append(", direction: ")
                    .append(t.rounding().direction().fileName()).append("}\n");
            if (!t.windows().isEmpty()) {
                sb.append("    windows:\n");
                for (TimeWindow w : t.windows()) {
                    List<String> days = new ArrayList<>();
                    w.days().forEach(d -> days.add(d.name().substring(0, 3)));
                    sb.append("      - {name: ").append(w.name()).append(", days: ").append(days)
                            .append(", from: \"").append(w.from()).append("\", to: \"").append(w.to())
                            .append("\"}\n");
                }
            }
            String section = "";
            for (Service s : Service.ALL) {
                String path = Tariff.path(s);
                int dot = path.indexOf('.');
                String head = dot < 0 ? path : path.substring(0, dot);
                if (!head.equals(section) && dot >= 0) {
                    sb.append("    ").append(head).append(":\n");
                }
                section = head;
                sb.append(dot < 0 ? "    " + head + ": " : "      " + quote(path.substring(dot + 1)) + ": ");
                writeRate(sb, t.rate(s), s.unit());
            }
            if (!t.bundles().isEmpty()) {
                sb.append("    bundles:\n");
                for (Bundle b : t.bundles()) {
                    List<String> services = new ArrayList<>();
                    b.services().forEach(x -> services.add(quote(x.label())));
                    sb.append("      - {id: ").append(b.id()).append(", services: ").append(services)
                            .append(", allowance: ").append(UnitText.format(b.allowance(), b.unit())).append("}\n");
                }
            }
        }
        return sb.toString();
    }

    private static void writeRate(StringBuilder sb, ServiceRate r, Quantity.Unit unit) {
        sb.append("{unit: ").append(UnitText.format(r.unit(), unit))
                .append(", increment: ").append(UnitText.format(r.increment(), unit))
                .append(", firstIncrement: ").append(UnitText.format(r.firstIncrement(), unit))
                .append(", connectFee: ").append(r.connectFee().toPlainString())
                .append(", tierBasis: ").append(r.tierBasis().name().toLowerCase(Locale.ROOT))
                .append(", prices: [");
        for (int i = 0; i < r.prices().size(); i++) {
            Price p = r.prices().get(i);
            sb.append(i == 0 ? "" : ", ").append("{");
            if (p.window() != null) {
                sb.append("window: ").append(p.window()).append(", ");
            }
            sb.append("from: ").append(UnitText.format(p.from(), unit)).append(", price: ")
                    .append(p.price().toPlainString()).append("}");
        }
        sb.append("]}\n");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String ids(List<Tariff> plans) {
        List<String> ids = new ArrayList<>();
        plans.forEach(t -> ids.add(t.id()));
        return ids.toString();
    }

    /** Walks the tree, collecting problems instead of stopping at the first. */
    private static final class Reader {
        final List<String> problems = new ArrayList<>();

        List<Tariff> file(JsonNode root) {
            List<Tariff> plans = new ArrayList<>();
            if (root == null || root.isMissingNode() || root.isNull()) {
                problems.add("(file): is empty; expected a mapping with 'plans'");
                return plans;
            }
            if (!object(root, "(file)", "format", "plans")) {
                return plans;
            }
            JsonNode format = root.get("format");
            if (format != null && !FORMAT.equals(format.asText())) {
                problems.add("format: must be " + FORMAT + ", was '" + format.asText() + "'");
            }
            JsonNode list = root.get("plans");
            if (list == null || !list.isArray() || list.isEmpty()) {
                problems.add("plans: must be a non-empty list of plans");
                return plans;
            }
            Set<String> ids = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Tariff t = plan(list.get(i), "plans[" + i + "]");
                if (t != null) {
                    if (!ids.add(t.id())) {
                        problems.add("plans[" + i + "].id: '" + t.id() + "' is already used by another plan");
                    }
                    plans.add(t);
                }
            }
            return plans;
        }

        Tariff plan(JsonNode node, String path) {
            if (!object(node, path, "id", "name", "zone", "rounding", "windows", "calls", "sms", "data",
                    "bundles")) {
                return null;
            }
            int before = problems.size();
            String id = text(node, path, "id", true);
            String name = text(node, path, "name", false);
            ZoneId zone = zone(node.get("zone"), path + ".zone");
            RoundingRule rounding = rounding(node.get("rounding"), path + ".rounding");
            List<TimeWindow> windows = windows(node.get("windows"), path + ".windows");
            Tariff.Builder builder = Tariff.builder(id == null ? "invalid" : id);
            if (name != null) {
                builder.name(name);
            }
            JsonNode calls = node.get("calls");
            if (calls == null || !object(calls, path + ".calls", "VOICE", "VIDEO", "VOLTE")) {
                if (calls == null) {
                    problems.add(path + ".calls: is missing; every call type needs a rate");
                }
            } else {
                for (CallType type : CallType.values()) {
                    ServiceRate r = rate(calls.get(type.name()), path + ".calls." + type.name(),
                            Quantity.Unit.SECONDS);
                    if (r != null) {
                        builder.rate(Service.call(type), r);
                    }
                }
            }
            ServiceRate sms = rate(node.get("sms"), path + ".sms", Quantity.Unit.MESSAGES);
            if (sms != null) {
                builder.rate(Service.sms(), sms);
            }
            JsonNode data = node.get("data");
            if (data == null || !object(data, path + ".data", "3G", "4G", "5G")) {
                if (data == null) {
                    problems.add(path + ".data: is missing; every radio type needs a rate");
                }
            } else {
                for (RadioType radio : RadioType.values()) {
                    ServiceRate r = rate(data.get(radio.label()), path + ".data." + radio.label(),
                            Quantity.Unit.BYTES);
                    if (r != null) {
                        builder.rate(Service.data(radio), r);
                    }
                }
            }
            bundles(node.get("bundles"), path + ".bundles", builder);
            if (zone != null) {
                builder.zone(zone);
            }
            if (rounding != null) {
                builder.rounding(rounding);
            }
            windows.forEach(builder::window);
            if (problems.size() > before) {
                return null;
            }
            try {
                return builder.build();
            } catch (IllegalArgumentException e) {
                problems.add(path + "." + e.getMessage());
                return null;
            }
        }

        ZoneId zone(JsonNode node, String path) {
            if (node == null) {
                problems.add(path + ": is missing; name the zone the plan's times are in, such as Asia/Kolkata");
                return null;
            }
            try {
                return ZoneId.of(node.asText());
            } catch (DateTimeException e) {
                problems.add(path + ": must be a time zone id such as Asia/Kolkata or UTC, was '" + node.asText()
                        + "'");
                return null;
            }
        }

        RoundingRule rounding(JsonNode node, String path) {
            if (node == null) {
                problems.add(path + ": is missing; say where (per-increment, per-record, per-bill) and how (up, "
                        + "down, half-up) amounts are rounded");
                return null;
            }
            if (!object(node, path, "scope", "direction")) {
                return null;
            }
            RoundingRule.Scope scope = enumValue(node, path, "scope", RoundingRule.Scope.class);
            RoundingRule.Direction direction = enumValue(node, path, "direction", RoundingRule.Direction.class);
            return scope == null || direction == null ? null : new RoundingRule(scope, direction);
        }

        List<TimeWindow> windows(JsonNode node, String path) {
            List<TimeWindow> out = new ArrayList<>();
            if (node == null) {
                return out;
            }
            if (!node.isArray()) {
                problems.add(path + ": must be a list of windows");
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                String p = path + "[" + i + "]";
                JsonNode w = node.get(i);
                if (!object(w, p, "name", "days", "from", "to")) {
                    continue;
                }
                int before = problems.size();
                String name = text(w, p, "name", true);
                if (name != null && !name.matches("[a-z][a-z0-9_-]{0,31}")) {
                    problems.add(p + ".name: must be 1-32 characters of [a-z0-9_-] starting with a letter, was '"
                            + name + "'");
                }
                Set<DayOfWeek> days = days(w.get("days"), p + ".days");
                LocalTime from = time(w, p, "from");
                LocalTime to = time(w, p, "to");
                if (problems.size() == before) {
                    out.add(new TimeWindow(name, days, from, to));
                }
            }
            return out;
        }

        Set<DayOfWeek> days(JsonNode node, String path) {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            if (node == null || !node.isArray() || node.isEmpty()) {
                problems.add(path + ": must be a non-empty list of days such as [MON, TUE] or [MON-FRI] or [ALL]");
                return days;
            }
            for (int i = 0; i < node.size(); i++) {
                String text = node.get(i).asText().trim().toUpperCase(Locale.ROOT);
                try {
                    if (text.equals("ALL")) {
                        days.addAll(EnumSet.allOf(DayOfWeek.class));
                    } else if (text.contains("-")) {
                        String[] ends = text.split("-", 2);
                        DayOfWeek d = day(ends[0]);
                        DayOfWeek last = day(ends[1]);
                        days.add(d);
                        while (d != last) {
                            d = d.plus(1);
                            days.add(d);
                        }
                    } else {
                        days.add(day(text));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(path + "[" + i + "]: must be a day (MON..SUN), a range (MON-FRI) or ALL, was '"
                            + node.get(i).asText() + "'");
                }
            }
            return days;
        }

        DayOfWeek day(String text) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().equals(text) || d.name().substring(0, 3).equals(text)) {
                    return d;
                }
            }
            throw new IllegalArgumentException(text);
        }

        LocalTime time(JsonNode node, String path, String field) {
            JsonNode value = node.get(field);
            if (value == null) {
                problems.add(path + "." + field + ": is missing; a local time such as \"09:00\"");
                return null;
            }
            String text = value.asText().trim();
            if (text.equals("24:00")) {
                return LocalTime.MIDNIGHT;
            }
            if (value.isNumber() || !text.matches("[0-9]{2}:[0-9]{2}(:[0-9]{2})?")) {
                problems.add(path + "." + field + ": must be a quoted local time HH:MM such as \"09:00\", was '"
                        + text + "'");
                return null;
            }
            try {
                return LocalTime.parse(text);
            } catch (DateTimeParseException e) {
                problems.add(path + "." + field + ": must be a local time HH:MM such as \"09:00\", was '" + text
                        + "'");
                return null;
            }
        }

        ServiceRate rate(JsonNode node, String path, Quantity.Unit unit) {
            if (node == null) {
                problems.add(path + ": is missing; every service needs a rate");
                return null;
            }
            if (!object(node, path, "unit", "increment", "firstIncrement", "connectFee", "tierBasis", "price",
                    "prices")) {
                return null;
            }
            int before = problems.size();
            long rateUnit = quantity(node, path, "unit", unit, 1);
            long increment = quantity(node, path, "increment", unit, 1);
            long first = quantity(node, path, "firstIncrement", unit, increment);
            BigDecimal connectFee = node.has("connectFee") ? decimal(node.get("connectFee"), path + ".connectFee")
                    : BigDecimal.ZERO;
            TierBasis basis = node.has("tierBasis") ? enumValue(node, path, "tierBasis", TierBasis.class)
                    : TierBasis.RECORD;
            List<Price> prices = new ArrayList<>();
            if (node.has("price") && node.has("prices")) {
                problems.add(path + ": has both price and prices; use price for one flat price, prices for a list");
            } else if (node.has("price")) {
                BigDecimal p = decimal(node.get("price"), path + ".price");
                if (p != null) {
                    prices.add(Price.of(p));
                }
            } else if (node.has("prices") && node.get("prices").isArray() && !node.get("prices").isEmpty()) {
                JsonNode list = node.get("prices");
                for (int i = 0; i < list.size(); i++) {
                    Price p = price(list.get(i), path + ".prices[" + i + "]", unit);
                    if (p != null) {
                        prices.add(p);
                    }
                }
            } else {
                problems.add(path + ": needs price (one flat price) or prices (a non-empty list)");
            }
            if (problems.size() > before) {
                return null;
            }
            try {
                return new ServiceRate(rateUnit, increment, first, connectFee, basis, prices);
            } catch (IllegalArgumentException e) {
                problems.add(path + "." + e.getMessage());
                return null;
            }
        }

        Price price(JsonNode node, String path, Quantity.Unit unit) {
            if (!object(node, path, "window", "from", "price")) {
                return null;
            }
            int before = problems.size();
            String window = node.has("window") ? text(node, path, "window", true) : null;
            long from = quantity(node, path, "from", unit, 0);
            BigDecimal price = node.has("price") ? decimal(node.get("price"), path + ".price") : null;
            if (!node.has("price")) {
                problems.add(path + ".price: is missing; paisa per rate unit");
            }
            if (problems.size() > before || price == null) {
                return null;
            }
            return new Price(window, from, price);
        }

        void bundles(JsonNode node, String path, Tariff.Builder builder) {
            if (node == null) {
                return;
            }
            if (!node.isArray()) {
                problems.add(path + ": must be a list of bundles");
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                String p = path + "[" + i + "]";
                JsonNode b = node.get(i);
                if (!object(b, p, "id", "services", "allowance")) {
                    continue;
                }
                int before = problems.size();
                String id = text(b, p, "id", true);
                Set<Service> services = services(b.get("services"), p + ".services");
                Quantity.Unit unit = services.isEmpty() ? Quantity.Unit.BYTES : services.iterator().next().unit();
                long allowance = quantity(b, p, "allowance", unit, -1);
                if (!b.has("allowance")) {
                    problems.add(p + ".allowance: is missing");
                }
                if (problems.size() > before) {
                    continue;
                }
                try {
                    builder.bundle(new Bundle(id, services, allowance));
                } catch (IllegalArgumentException e) {
                    problems.add(p + "." + e.getMessage());
                }
            }
        }

        Set<Service> services(JsonNode node, String path) {
            Set<Service> out = new LinkedHashSet<>();
            if (node == null || !node.isArray() || node.isEmpty()) {
                problems.add(path + ": must be a non-empty list such as [DATA], [\"DATA 4G\"], [CALL] or [SMS]");
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                String text = node.get(i).asText().trim();
                boolean matched = false;
                for (Service s : Service.ALL) {
                    if (s.label().equalsIgnoreCase(text) || s.category().name().equalsIgnoreCase(text)) {
                        out.add(s);
                        matched = true;
                    }
                }
                if (!matched) {
                    problems.add(path + "[" + i + "]: must be CALL, SMS, DATA or one service such as \"CALL VOICE\""
                            + " or \"DATA 4G\", was '" + text + "'");
                }
            }
            return out;
        }

        long quantity(JsonNode node, String path, String field, Quantity.Unit unit, long otherwise) {
            JsonNode value = node.get(field);
            if (value == null) {
                return otherwise;
            }
            if (!(value.isTextual() || value.isIntegralNumber())) {
                problems.add(path + "." + field + ": must be a whole number with an optional unit, was '"
                        + value.asText() + "'");
                return otherwise;
            }
            try {
                return UnitText.parse(value.asText(), unit);
            } catch (IllegalArgumentException e) {
                problems.add(path + "." + field + ": " + e.getMessage());
                return otherwise;
            }
        }

        BigDecimal decimal(JsonNode value, String path) {
            BigDecimal d = null;
            if (value.isNumber()) {
                d = value.decimalValue();
            } else if (value.isTextual()) {
                try {
                    d = new BigDecimal(value.asText().trim());
                } catch (NumberFormatException e) {
                    d = null;
                }
            }
            if (d == null) {
                problems.add(path + ": must be a decimal number of paisa such as 0.5, was '" + value.asText() + "'");
                return null;
            }
            if (d.signum() < 0) {
                problems.add(path + ": must be non-negative, was " + d.toPlainString());
                return null;
            }
            return d;
        }

        <E extends Enum<E>> E enumValue(JsonNode node, String path, String field, Class<E> type) {
            JsonNode value = node.get(field);
            if (value == null) {
                problems.add(path + "." + field + ": is missing");
                return null;
            }
            try {
                return RoundingRule.parseEnum(type, value.asText(), "");
            } catch (IllegalArgumentException e) {
                problems.add(path + "." + field + ":" + e.getMessage());
                return null;
            }
        }

        String text(JsonNode node, String path, String field, boolean required) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                if (required) {
                    problems.add(path + "." + field + ": is missing");
                }
                return null;
            }
            if (!value.isValueNode() || value.asText().isBlank()) {
                problems.add(path + "." + field + ": must be non-blank text");
                return null;
            }
            return value.asText();
        }

        /** Whether {@code node} is a mapping with only {@code fields}; records problems otherwise. */
        boolean object(JsonNode node, String path, String... fields) {
            if (node == null || !node.isObject()) {
                problems.add(path + ": must be a mapping with fields " + String.join(", ", fields));
                return false;
            }
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                String key = property.getKey();
                boolean known = false;
                for (String f : fields) {
                    known |= f.equals(key);
                }
                if (!known) {
                    problems.add(path + "." + key + ": unknown field; expected one of " + String.join(", ", fields));
                }
            }
            return true;
        }
    }
}
