package dev.dabba.deploy.flink;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dabba flink up|submit|status|down}: a standalone Flink session cluster on this machine and the billing job. */
@Command(name = "flink", mixinStandardHelpOptions = true,
        description = "A real standalone Flink session cluster (JobManager and TaskManager JVMs from the Flink jars in "
                + "flink-session/target/lib) and the billing job submitted to it with Flink's own CLI.",
        subcommands = {FlinkCommand.Up.class, FlinkCommand.Submit.class, FlinkCommand.Status.class,
            FlinkCommand.Down.class})
public final class FlinkCommand implements Runnable {

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Cluster state, logs, checkpoints. "
            + "Default: .dabba/flink under the Dabba checkout.")
    Path workDir;

    @Option(names = "--lib-dir", paramLabel = "DIR", description = "Flink jars. Default: flink-session/target/lib.")
    Path libDir;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static Path home() {
        return Path.of(System.getProperty("dabba.home", "."));
    }

    Path workDir() {
        return workDir != null ? workDir : home().resolve(".dabba").resolve("flink");
    }

    Path libDir() {
        return libDir != null ? libDir : home().resolve("flink-session").resolve("target").resolve("lib");
    }

    Optional<FlinkSessionCluster> running() {
        return FlinkSessionCluster.attach(libDir(), workDir()).filter(FlinkSessionCluster::isAlive);
    }

    /** {@code dabba flink up}. */
    @Command(name = "up", mixinStandardHelpOptions = true, description = "Starts the session cluster.")
    static final class Up implements Callable<Integer> {
        @ParentCommand
        FlinkCommand parent;

        @Option(names = "--rest-port", defaultValue = "8081", description = "Default: ${DEFAULT-VALUE}.")
        int restPort;

        @Option(names = "--rpc-port", defaultValue = "6123", description = "Default: ${DEFAULT-VALUE}.")
        int rpcPort;

        @Option(names = "--slots", defaultValue = "2", description = "Task slots. Default: ${DEFAULT-VALUE}.")
        int slots;

        @Option(names = "--state-backend", defaultValue = "rocksdb", paramLabel = "rocksdb|hashmap",
                converter = StateBackendConverter.class,
                description = "Where jobs keep their state: rocksdb (on local disk, incremental checkpoints) or "
                        + "hashmap (on the heap, full checkpoints). Default: ${DEFAULT-VALUE}.")
        FlinkSessionCluster.StateBackend stateBackend;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            FlinkSessionCluster cluster = FlinkSessionCluster.start(new FlinkSessionCluster.Settings(parent.libDir(),
                    parent.workDir(), restPort, rpcPort, slots, Duration.ofSeconds(90)).withStateBackend(stateBackend));
            out.println("Flink session cluster up: REST and dashboard at " + cluster.restUrl() + ", processes "
                    + cluster.pids() + ", state backend " + stateBackend.name().toLowerCase(java.util.Locale.ROOT)
                    + ", logs in " + parent.workDir().resolve("log"));
            return 0;
        }
    }

    /** {@code rocksdb} or {@code hashmap}, case-insensitive; anything else is refused naming the choices. */
    static final class StateBackendConverter implements picocli.CommandLine.ITypeConverter<FlinkSessionCluster.StateBackend> {
        @Override
        public FlinkSessionCluster.StateBackend convert(String value) {
            for (FlinkSessionCluster.StateBackend b : FlinkSessionCluster.StateBackend.values()) {
                if (b.name().equalsIgnoreCase(value)) {
                    return b;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a state backend; use "
                    + "rocksdb or hashmap");
        }
    }

    /** {@code dabba flink submit}. */
    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = {"Submits the billing job jar with Flink's CLI. Arguments after -- go to the job, e.g.",
                "  dabba flink submit -- --bootstrap-servers 127.0.0.1:9092 --jdbc-url jdbc:postgresql://127.0.0.1:5432/dabba"})
    static final class Submit implements Callable<Integer> {
        @ParentCommand
        FlinkCommand parent;

        @Option(names = "--jar", paramLabel = "FILE", description = "Default: stream-jobs/target/*-job.jar.")
        Path jar;

        @Option(names = "--class", defaultValue = "dev.dabba.jobs.BillingJobMain", description = "Default: ${DEFAULT-VALUE}.")
        String mainClass;

        @Parameters(paramLabel = "JOB_ARGS", description = "Arguments for the job (see --help of dabba-billing-job).")
        List<String> jobArgs = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            PrintWriter out = parent.spec.commandLine().getOut();
            PrintWriter err = parent.spec.commandLine().getErr();
            Optional<FlinkSessionCluster> cluster = parent.running();
            if (cluster.isEmpty()) {
                err.println("no Flink session cluster runs from " + parent.workDir() + "; start one: dabba flink up");
                return 1;
            }
            Path jobJar = jar != null ? jar : defaultJar();
            String jobId = cluster.get().submit(jobJar, mainClass, jobArgs, Duration.ofMinutes(2));
            out.println("submitted " + jobJar.getFileName() + " as job " + jobId + "; follow it at "
                    + cluster.get().restUrl() + "/#/job/running/" + jobId + "/overview");
            return 0;
        }

        private static Path defaultJar() throws IOException {
            Path target = home().resolve("stream-jobs").resolve("target");
            try (Stream<Path> files = Files.list(target)) {
                return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
                        .orElseThrow(() -> new FlinkClusterException("no *-job.jar in " + target
                                + "; build it: ./mvnw -pl stream-jobs -am package -DskipTests"));
            }
        }
    }

    /** {@code dabba flink status}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the cluster overview.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        FlinkCommand parent;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            Optional<FlinkSessionCluster> cluster = parent.running();
            if (cluster.isEmpty()) {
                out.println("no Flink session cluster runs from " + parent.workDir());
                return 3;
            }
            out.println(cluster.get().restUrl() + " processes " + cluster.get().pids());
            out.println(cluster.get().overview());
            return 0;
        }
    }

    /** {@code dabba flink down}. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stops the cluster; running jobs stop too.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        FlinkCommand parent;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            Optional<FlinkSessionCluster> cluster = FlinkSessionCluster.attach(parent.libDir(), parent.workDir());
            if (cluster.isEmpty()) {
                out.println("no Flink session cluster to stop in " + parent.workDir());
                return 0;
            }
            cluster.get().stop();
            out.println("Flink session cluster stopped");
            return 0;
        }
    }
}
