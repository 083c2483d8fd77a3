package dev.dabba.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dabba.record.CausalOrder;
import dev.dabba.record.Msisdn;
import dev.dabba.record.UsageRecord;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code rate} command: rates a JSON-lines record file under a tariff file without the pipeline, for rerating
 * and checks. Records are grouped by subscriber and billing cycle, each group sorted with {@link CausalOrder#sort}
 * and rated into a bill exactly as the stream job would; without {@code --records} it only checks the plan and
 * prints it in canonical form.
 */
@Command(
        name = "rate",
        description = "Rates a JSON-lines record file (docs/record-jsonl.md) under a tariff plan (docs/tariff-format.md) "
                + "without the pipeline: one bill per subscriber and cycle, in causal order. Without --records, "
                + "checks the plan file and prints it in canonical form.",
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:rated (or the plan is valid)",
            "2:invalid options; the message names the option",
            "3:the plan or record file is invalid; the message names the file, line and field"})
public final class RateCommand implements Callable<Integer> {

    /** Rated, or the plan is valid. */
    public static final int EXIT_OK = 0;
    /** The options were invalid. */
    public static final int EXIT_USAGE = 2;
    /** The plan or record file is invalid. */
    public static final int EXIT_BAD_INPUT = 3;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Option(names = "--plan", paramLabel = "FILE.yaml", order = 1,
            description = "Tariff file. Default: the seed plan (" + Tariff.SEED_RESOURCE + ").")
    private Path plan;

    @Option(names = "--plan-id", paramLabel = "ID", order = 2,
            description = "Which plan of the file to use, when it holds several.")
    private String planId;

    @Option(names = "--records", paramLabel = "FILE.jsonl", order = 3,
            description = "Records, one JSON object per line; '-' reads standard input.")
    private String records;

    @Option(names = "--format", paramLabel = "table|json|csv", order = 4, defaultValue = "table",
            converter = dev.dabba.billing.internal.CliConverters.FormatConverter.class,
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    private BillFormat format;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Shows this help and exits.")
    private boolean help;

    private final Clock clock;

    /** A command stamping bills with the system clock. */
    public RateCommand() {
        this(Clock.systemUTC());
    }

    /** A command stamping bills with {@code clock} (tests fix it). */
    public RateCommand(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** Parses {@code args}, prints bills to {@code out} and problems to {@code err}; returns an exit code. */
    public int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    /** A picocli command line for this command, for embedding it as a subcommand of a larger CLI. */
    public CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.setExecutionExceptionHandler((e, c, parseResult) -> {
            if (e instanceof CommandLine.ParameterException) {
                return Commands.usageError(c, e);
            }
            c.getErr().println("rate: " + e.getMessage());
            c.getErr().flush();
            return e instanceof IllegalArgumentException ? EXIT_BAD_INPUT : 1;
        });
        return cl;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Tariff tariff;
        if (plan == null) {
            if (planId != null && !planId.equals(Tariff.SEED_DEFAULT_ID)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Option '--plan-id' needs --plan: the default file holds only " + Tariff.SEED_DEFAULT_ID);
            }
            tariff = TariffFile.seedResource();
        } else {
            tariff = TariffFile.readPlan(plan, planId);
        }
        if (records == null) {
            out.println("# plan " + tariff.id() + " is valid (" + (plan == null ? Tariff.SEED_RESOURCE : plan) + ")");
            out.print(TariffFile.write(List.of(tariff)));
            out.flush();
            return EXIT_OK;
        }
        List<UsageRecord> all = records.equals("-")
                ? RecordFile.read(new InputStreamReader(System.in, StandardCharsets.UTF_8), "(stdin)")
                : RecordFile.read(Path.of(records));
        List<Bill> bills = rate(all, tariff, clock.instant());
        out.print(render(bills, tariff));
        out.flush();
        return EXIT_OK;
    }

    /** One bill per subscriber and cycle of {@code records}, by subscriber then cycle, each in causal order. */
    public static List<Bill> rate(List<UsageRecord> records, Tariff tariff, Instant at) {
        Map<Msisdn, Map<YearMonth, List<UsageRecord>>> groups = new TreeMap<>();
        for (UsageRecord r : records) {
            groups.computeIfAbsent(r.subscriber(), s -> new TreeMap<>())
                    .computeIfAbsent(BillingCycle.of(r.start()), c -> new ArrayList<>()).add(r);
        }
        List<Bill> bills = new ArrayList<>();
        groups.forEach((subscriber, cycles) -> cycles.forEach((cycle, group) -> bills.add(Bill.compute(subscriber,
                cycle, group.size(), BillStatus.PROVISIONAL, CausalOrder.sort(group), tariff, at))));
        return bills;
    }

    private String render(List<Bill> bills, Tariff tariff) {
        switch (format) {
            case JSON: {
                ObjectNode root = MAPPER.createObjectNode();
                root.put("tariffId", tariff.id());
                root.put("rounding", tariff.rounding().toString());
                ArrayNode list = root.putArray("bills");
                bills.forEach(b -> list.add(BillRenderer.billJson(b)));
                return BillRenderer.write(root) + "\n";
            }
            case CSV: {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < bills.size(); i++) {
                    String csv = BillRenderer.csv(bills.get(i));
                    sb.append(i == 0 ? csv : csv.substring(csv.indexOf("\r\n") + 2));
                }
                return sb.toString();
            }
            default: {
                StringBuilder sb = new StringBuilder();
                long total = 0;
                for (Bill b : bills) {
                    sb.append(BillRenderer.table(b)).append('\n');
                    total += b.total().paisa();
                }
                sb.append(bills.size()).append(bills.size() == 1 ? " bill" : " bills").append(" under plan ")
                        .append(tariff.id()).append(" (rounding ").append(tariff.rounding()).append("), total ")
                        .append(Money.ofPaisa(total)).append('\n');
                return sb.toString();
            }
        }
    }
}
