package dev.dabba.billing;

import dev.dabba.billing.internal.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code serve} command: runs the {@link BillServer} (HTTP JSON API and web page) over a report store until the
 * process is stopped.
 */
@Command(
        name = "serve",
        description = "Serves the bill HTTP JSON API and the web page (a bill and its causal timeline) until stopped.",
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped",
            "1:the server could not start (port taken, store unreachable)",
            "2:invalid options; the message names the option"})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", order = 1, defaultValue = "8080",
            description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", order = 2, defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
    private String bind;

    @Option(names = "--token-file", paramLabel = "FILE", order = 3, required = true,
            description = "File whose first line is the API token (at least " + BillServer.MIN_TOKEN_LENGTH
                    + " characters); clients send 'Authorization: Bearer TOKEN'.")
    private Path tokenFile;

    @Option(names = "--threads", paramLabel = "N", order = 4, defaultValue = "8",
            description = "Request threads. Default: ${DEFAULT-VALUE}.")
    private int threads;

    @Mixin
    private StoreOptions store;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Shows this help and exits.")
    private boolean help;

    private final DataSource dataSource;
    private final CountDownLatch stop;

    /** A standalone command that connects to {@code --jdbc-url} and serves until the JVM stops. */
    public ServeCommand() {
        this.dataSource = null;
        this.stop = new CountDownLatch(1);
    }

    /** An embedded command over {@code dataSource} that serves until {@code stop} opens (tests, demo). */
    public ServeCommand(DataSource dataSource, CountDownLatch stop) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.stop = Objects.requireNonNull(stop, "stop must not be null");
    }

    /** A picocli command line for this command. */
    public CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.setExecutionExceptionHandler((e, c, parseResult) -> {
            if (e instanceof CommandLine.ParameterException) {
                return Commands.usageError(c, e);
            }
            c.getErr().println("serve: " + e.getMessage());
            c.getErr().flush();
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        String token = readToken();
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--port': must be within "
                    + "0..65535, was " + port);
        }
        BillServer.Config config;
        try {
            config = new BillServer.Config(new InetSocketAddress(bind, port), store.dataSource(dataSource, spec),
                    store.schema(), token, threads);
        } catch (IllegalArgumentException e) {
            String option = e.getMessage().startsWith("token") ? "--token-file"
                    : e.getMessage().startsWith("threads") ? "--threads" : "--bind";
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': "
                    + e.getMessage());
        }
        new BillStore(config.dataSource(), config.schema()).list(BillFilter.ALL, PageRequest.first(1));
        PrintWriter out = spec.commandLine().getOut();
        try (BillServer server = BillServer.start(config)) {
            out.println("serve: bills of schema " + config.schema() + " at " + server.uri()
                    + " (API under " + server.uri() + "api/v1/, token from " + tokenFile + "); Ctrl-C stops");
            out.flush();
            Thread hook = new Thread(stop::countDown, "dabba-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stop.await();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is stopping; the hook already ran.
                }
            }
        }
        return 0;
    }

    private String readToken() {
        try {
            String text = Files.readString(tokenFile, StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("").trim();
            if (first.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--token-file': "
                        + tokenFile + " is empty; put the API token on its first line");
            }
            return first;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--token-file': cannot read "
                    + tokenFile + ": " + e.getMessage());
        }
    }
}
