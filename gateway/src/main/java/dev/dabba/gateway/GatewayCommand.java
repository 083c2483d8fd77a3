package dev.dabba.gateway;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code gateway} command: runs the embedded gateway (MQTT source and epoch relay) from one properties file
 * until the process is told to stop, logging its counters periodically; or, with {@code --check}, validates the
 * file and prints the configuration.
 */
@Command(
        name = "gateway",
        description = "Runs the MQTT -> Kafka gateway (and the epoch relay back to MQTT) without a Kafka Connect "
                + "worker, from a properties file with the connector's keys (see deploy/connect/README.md).",
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped on request (or --check found the configuration valid)",
            "1:the gateway could not start or failed",
            "2:invalid options or configuration; the message names the key"})
public final class GatewayCommand implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", order = 1,
            description = "The gateway properties file.")
    private Path config;

    @Option(names = "--check", order = 2, description = "Validate the configuration, print it, and exit.")
    private boolean check;

    @Option(names = "--status-interval", paramLabel = "SECONDS", order = 3, defaultValue = "60",
            description = "Seconds between status lines with the counters; 0 for none. Default: ${DEFAULT-VALUE}.")
    private long statusSeconds;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 99, description = "Shows this help and exits.")
    private boolean help;

    /** This command as a picocli command line. */
    public CommandLine commandLine() {
        return new CommandLine(this);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig cfg;
        try {
            cfg = GatewayConfig.load(config);
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("gateway: invalid configuration " + config + ": " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        if (check) {
            out.println("gateway: " + config + " is valid: " + cfg.sourceTasks() + " source task(s) on "
                    + cfg.source(0).subscription() + " from " + cfg.source(0).mqtt().serverUris() + " to "
                    + cfg.kafkaClientProperties().get("bootstrap.servers") + ", epoch relay "
                    + (cfg.epochRelay() ? "from " + cfg.epochsTopic() + " to " + cfg.source(0).mqtt().topics().epochs()
                            : "off"));
            out.flush();
            return EXIT_OK;
        }
        EmbeddedGateway gateway;
        try {
            gateway = EmbeddedGateway.start(cfg);
        } catch (GatewayException e) {
            err.println("gateway: " + e.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "dabba-gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("gateway: running (" + cfg.sourceTasks() + " source task(s)); stop with Ctrl-C or SIGTERM");
        out.flush();
        Duration interval = Duration.ofSeconds(statusSeconds);
        while (!stopped.await(statusSeconds > 0 ? interval.toMillis() : Long.MAX_VALUE, TimeUnit.MILLISECONDS)) {
            out.println("gateway: " + gateway.metrics().byName());
            out.flush();
        }
        return EXIT_OK;
    }
}
