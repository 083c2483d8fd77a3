package dev.dabba.billing;

import dev.dabba.billing.internal.CliConverters;
import dev.dabba.billing.internal.StoreOptions;
import dev.dabba.record.Msisdn;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code bill} command: prints a subscriber's bill from the billing store as a table, JSON or CSV, or the
 * history of its versions.
 *
 * <p>Standalone ({@link #BillCommand()}, {@link #main}) it connects to {@code --jdbc-url}; embedded
 * ({@link #BillCommand(DataSource)}) it reads the given data source, and the connection options are rejected.
 * Run it with {@link #execute(PrintWriter, PrintWriter, String...)}, which returns one of the {@code EXIT_} codes.
 */
@Command(
        name = "bill",
        description = "Prints a subscriber's bill for a billing cycle (a calendar month in Asia/Kolkata), with its "
                + "causal timeline and rating breakdown; or, with --history, how the bill changed version by version.",
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the bill was printed",
            "1:the bill store could not be read",
            "2:invalid options; the message names the option",
            "3:no bill for that subscriber (and cycle)"})
public final class BillCommand implements Callable<Integer> {

    /** The bill was printed. */
    public static final int EXIT_OK = 0;
    /** The store could not be read (unreachable, not migrated, ...). */
    public static final int EXIT_STORE_ERROR = 1;
    /** The options were invalid; the message names the option. */
    public static final int EXIT_USAGE = 2;
    /** There is no bill for the subscriber (and cycle). */
    public static final int EXIT_NOT_FOUND = 3;

    /** The database the standalone command reads unless told otherwise. */
    public static final String DEFAULT_JDBC_URL = StoreOptions.DEFAULT_JDBC_URL;

    @Spec
    private CommandSpec spec;

    @Option(names = "--user", required = true, paramLabel = "MSISDN", order = 1,
            converter = CliConverters.MsisdnConverter.class,
            description = "Subscriber, international format: +91-9876543210.")
    private Msisdn user;

    @Option(names = "--cycle", paramLabel = "YYYY-MM", order = 2, converter = CliConverters.CycleConverter.class,
            description = "Billing cycle. Default: the subscriber's newest.")
    private YearMonth cycle;

    @Option(names = "--format", paramLabel = "table|json|csv", order = 3, defaultValue = "table",
            converter = CliConverters.FormatConverter.class,
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    private BillFormat format;

    @Option(names = "--history", order = 4,
            description = "Print every stored version of the bill, newest first, with what changed in each.")
    private boolean history;

    @Mixin
    private StoreOptions store;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Shows this help and exits.")
    private boolean help;

    private final DataSource dataSource;

    /** A standalone command that connects to {@code --jdbc-url}. */
    public BillCommand() {
        this.dataSource = null;
    }

    /** An embedded command that reads bills from {@code dataSource}. */
    public BillCommand(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    /** Runs the standalone command and exits the JVM with its exit code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(new BillCommand().execute(out, err, args));
    }

    /** Parses {@code args}, prints the bill to {@code out} and problems to {@code err}; returns an exit code. */
    public int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    /** A picocli command line for this command, for embedding it as a subcommand of a larger CLI. */
    public CommandLine commandLine() {
        return Commands.withStoreErrors(new CommandLine(this), "bill", EXIT_STORE_ERROR);
    }

    @Override
    public Integer call() {
        BillQuery query = new BillQuery(store.dataSource(dataSource, spec), store.schema());
        Optional<Bill> bill = query.find(user, Optional.ofNullable(cycle));
        if (bill.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("bill: no bill for " + user + (cycle == null ? "" : " in cycle " + cycle)
                    + " in schema " + store.schema());
            err.flush();
            return EXIT_NOT_FOUND;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (history) {
            List<BillVersion> versions = query.versions(user, bill.get().cycle());
            out.print(BillRenderer.render(versions, format));
        } else {
            out.print(BillRenderer.render(bill.get(), format));
        }
        out.flush();
        return EXIT_OK;
    }
}
