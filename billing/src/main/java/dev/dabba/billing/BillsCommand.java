package dev.dabba.billing;

import dev.dabba.billing.internal.CliConverters;
import dev.dabba.billing.internal.StoreOptions;
import java.io.PrintWriter;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code bills} command: lists stored bills, newest cycle first then by subscriber, filtered by cycle, status,
 * minimum total and subscriber prefix, a page at a time (a cursor from the previous page, or an offset).
 */
@Command(
        name = "bills",
        description = "Lists bills in the report store, newest cycle first, then by subscriber.",
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the list was printed (possibly empty)",
            "1:the bill store could not be read",
            "2:invalid options; the message names the option"})
public final class BillsCommand implements Callable<Integer> {

    /** The list was printed. */
    public static final int EXIT_OK = 0;
    /** The store could not be read. */
    public static final int EXIT_STORE_ERROR = 1;
    /** The options were invalid. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--cycle", paramLabel = "YYYY-MM", order = 1, converter = CliConverters.CycleConverter.class,
            description = "Only bills of this cycle.")
    private YearMonth cycle;

    @Option(names = "--status", paramLabel = "PROVISIONAL|FINAL", order = 2,
            converter = CliConverters.StatusConverter.class, description = "Only bills with this status.")
    private BillStatus status;

    @Option(names = "--min-total", paramLabel = "RUPEES", order = 3, converter = CliConverters.MoneyConverter.class,
            description = "Only bills totalling at least this many rupees, e.g. 20.00.")
    private Money minTotal;

    @Option(names = "--subscriber-prefix", paramLabel = "+DIGITS", order = 4,
            converter = CliConverters.PrefixConverter.class,
            description = "Only subscribers whose number starts with this, e.g. +91-98.")
    private String prefix;

    @Option(names = "--limit", paramLabel = "N", order = 5, defaultValue = "50",
            description = "Bills per page, 1.." + PageRequest.MAX_LIMIT + ". Default: ${DEFAULT-VALUE}.")
    private int limit;

    @Option(names = "--cursor", paramLabel = "TOKEN", order = 6,
            description = "Continue after the previous page (its 'More: --cursor' line or nextCursor).")
    private String cursor;

    @Option(names = "--offset", paramLabel = "N", order = 7, defaultValue = "0",
            description = "Skip this many bills instead (not with --cursor). Default: ${DEFAULT-VALUE}.")
    private int offset;

    @Option(names = "--format", paramLabel = "table|json|csv", order = 8, defaultValue = "table",
            converter = CliConverters.FormatConverter.class,
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    private BillFormat format;

    @Mixin
    private StoreOptions store;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Shows this help and exits.")
    private boolean help;

    private final DataSource dataSource;

    /** A standalone command that connects to {@code --jdbc-url}. */
    public BillsCommand() {
        this.dataSource = null;
    }

    /** An embedded command that reads bills from {@code dataSource}. */
    public BillsCommand(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    /** Parses {@code args}, prints the page to {@code out} and problems to {@code err}; returns an exit code. */
    public int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    /** A picocli command line for this command, for embedding it as a subcommand of a larger CLI. */
    public CommandLine commandLine() {
        return Commands.withStoreErrors(new CommandLine(this), "bills", EXIT_STORE_ERROR);
    }

    @Override
    public Integer call() {
        BillFilter filter = BillFilter.ALL;
        if (cycle != null) {
            filter = filter.withCycle(cycle);
        }
        if (status != null) {
            filter = filter.withStatus(status);
        }
        if (minTotal != null) {
            filter = filter.withMinTotal(minTotal);
        }
        if (prefix != null) {
            filter = filter.withSubscriberPrefix(prefix);
        }
        PageRequest page;
        try {
            page = new PageRequest(limit, Optional.ofNullable(cursor), offset);
        } catch (IllegalArgumentException e) {
            String option = e.getMessage().startsWith("limit") ? "--limit"
                    : e.getMessage().startsWith("offset") ? "--offset" : "--cursor";
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': "
                    + e.getMessage());
        }
        BillStore billStore = new BillStore(store.dataSource(dataSource, spec), store.schema());
        PrintWriter out = spec.commandLine().getOut();
        out.print(BillRenderer.render(billStore.list(filter, page), format));
        out.flush();
        return EXIT_OK;
    }
}
