package dev.dabba.deploy.demo;

import dev.dabba.agent.simulator.SeedScenario;
import dev.dabba.billing.Bill;
import dev.dabba.billing.BillCommand;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.billing.internal.CliConverters;
import dev.dabba.record.UsageRecord;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dabba demo}: the seed scenario end to end on embedded real components, then the subscriber's bill. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the seed scenario end to end: four tower agents publish over MQTT, the gateway bridges "
                + "to Kafka, the Flink billing job orders the records causally and bills them into PostgreSQL; "
                + "then prints the bill of " + "+91-9876543210 and shuts everything down.",
            "Everything runs in this JVM on embedded components with fresh temporary state."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--timeout", converter = CliConverters.PositiveDurationConverter.class, defaultValue = "PT2M",
            paramLabel = "DURATION",
            description = "How long to wait for the bill, ISO-8601. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    public DemoCommand() {
        this(Clock.systemUTC());
    }

    DemoCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(out);
        out.println("Dabba demo: " + SeedScenario.SUBSCRIBER + " moves MUMBAI_BKC -> MUMBAI_ANDHERI -> MUMBAI_BANDRA");
        out.flush();
        int exit;
        try (EmbeddedStack stack = EmbeddedStack.start(SeedScenario.TOWERS, progress)) {
            Instant journeyStart = journeyStart(clock);
            YearMonth cycle = BillingCycle.of(journeyStart);
            progress.step("running the seed scenario (handover passes each tower's clock to the next) ...");
            List<UsageRecord> records = SeedScenario.run(stack.agents(), journeyStart, Duration.ofSeconds(30),
                    progress::detail);
            progress.step("waiting for the billing job to bill all " + records.size() + " records ...");
            Bill bill = BillWatch.awaitBill(new BillStore(stack.database().dataSource(), EmbeddedStack.SCHEMA),
                    SeedScenario.SUBSCRIBER, cycle, records.stream().map(UsageRecord::id).toList(), timeout);
            progress.detail("bill version " + bill.version() + " is in the report store");
            out.println();
            out.println("$ ./dabba bill --user +91-9876543210 --cycle " + cycle);
            exit = new BillCommand(stack.database().dataSource()).execute(out, err, "--user",
                    SeedScenario.SUBSCRIBER.value(), "--cycle", cycle.toString());
            out.println();
            progress.step("shutting down ...");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("dabba demo: interrupted");
            return 130;
        } catch (RuntimeException e) {
            err.println("dabba demo failed: " + describe(e));
            return 1;
        }
        progress.step(exit == 0 ? "done" : "done, but printing the bill failed (exit " + exit + ")");
        return exit;
    }

    /** 10:00 today in Mumbai, or yesterday if that is still ahead: the journey stays inside one day and cycle. */
    static Instant journeyStart(Clock clock) {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(BillingCycle.ZONE));
        ZonedDateTime start = now.with(LocalTime.of(10, 0));
        if (start.isAfter(now)) {
            start = start.minusDays(1);
        }
        return start.toInstant();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append("\n  caused by: ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
