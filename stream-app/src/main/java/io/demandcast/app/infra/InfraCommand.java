package io.demandcast.app.infra;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code forecaster infra up|status|down}: the local Kafka broker and schema registry. */
@Command(name = "infra",
        description = "Run a local single-node Kafka (KRaft) and a Confluent-compatible schema registry "
                + "(Apicurio) as background processes on 127.0.0.1.",
        synopsisSubcommandLabel = "(up | status | down)",
        subcommands = {InfraCommand.Up.class, InfraCommand.Status.class, InfraCommand.Down.class})
public final class InfraCommand implements Runnable {

    /** Exit code of {@code status} when not every server runs (as with LSB init scripts). */
    public static final int EXIT_NOT_RUNNING = 3;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: up, status or down.");
    }

    /** The run folder, shared by all three subcommands. */
    static final class RunDirOption {
        @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = ".demandcast",
                description = "Folder of the servers' data, logs and pid files (default: ${DEFAULT-VALUE}).")
        Path runDir;
    }

    @Command(name = "up", description = "Start the broker and the registry (those not running yet) and wait until "
            + "both answer; prints the bootstrap servers and the registry URL.")
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RunDirOption runDir;
        @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "" + InfraSettings.DEFAULT_KAFKA_PORT,
                description = "Kafka's client port (default: ${DEFAULT-VALUE}).")
        int kafkaPort;
        @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "" + InfraSettings.DEFAULT_CONTROLLER_PORT,
                description = "Kafka's KRaft controller port (default: ${DEFAULT-VALUE}).")
        int controllerPort;
        @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "" + InfraSettings.DEFAULT_REGISTRY_PORT,
                description = "The schema registry's HTTP port (default: ${DEFAULT-VALUE}).")
        int registryPort;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
                description = "How long to wait for both servers to answer (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Override
        public Integer call() {
            quietKafkaClientLogs();
            InfraSettings settings = new InfraSettings(runDir.runDir, kafkaPort, controllerPort, registryPort);
            PrintWriter out = spec.commandLine().getOut();
            LocalInfra infra = new LocalInfra(settings);
            if (infra.running()) {
                out.println("Already running (run folder " + settings.runDir() + ").");
            } else {
                out.println("Starting Kafka and the schema registry in " + settings.runDir() + " ...");
                out.flush();
                LocalInfra.Started started = infra.up(InfraDistribution.fromBuild(),
                        Duration.ofSeconds(timeoutSeconds));
                started.alreadyRunning().forEach(name -> out.println("The " + name + " was already running."));
                started.startedNow().forEach(name -> out.println("Started the " + name + "."));
            }
            InfraEndpoints endpoints = infra.endpoints();
            out.println("bootstrap servers:   " + endpoints.bootstrapServers());
            out.println("schema registry URL: " + endpoints.schemaRegistryUrl());
            out.println("Stop both with: forecaster infra down" + runDirArgument(settings.runDir()));
            return 0;
        }
    }

    @Command(name = "status", description = "Say whether the broker and the registry run. Exit code 0 when both run, "
            + EXIT_NOT_RUNNING + " otherwise.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RunDirOption runDir;

        @Override
        public Integer call() {
            LocalInfra infra = new LocalInfra(settingsFor(runDir.runDir));
            List<LocalInfra.ServerStatus> status = infra.status();
            status.forEach(s -> spec.commandLine().getOut().println(s.describe()));
            return status.stream().allMatch(s -> s.state() == LocalInfra.State.RUNNING) ? 0 : EXIT_NOT_RUNNING;
        }
    }

    @Command(name = "down", description = "Stop the broker and the registry that `up` started from this run folder; "
            + "their data stays unless --purge.")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RunDirOption runDir;
        @Option(names = "--purge", description = "Also delete their data: topics, schemas and logs.")
        boolean purge;

        @Override
        public Integer call() {
            LocalInfra infra = new LocalInfra(settingsFor(runDir.runDir));
            PrintWriter out = spec.commandLine().getOut();
            infra.down().forEach(out::println);
            if (purge) {
                infra.purge();
                out.println("Deleted the data in " + infra.settings().runDir() + ".");
            }
            return 0;
        }
    }

    /** Status and down read everything from the pid files; the ports do not matter to them. */
    private static InfraSettings settingsFor(Path runDir) {
        InfraSettings defaults = InfraSettings.defaults();
        return new InfraSettings(runDir, defaults.kafkaPort(), defaults.controllerPort(), defaults.registryPort());
    }

    private static String runDirArgument(Path runDir) {
        Path defaultDir = InfraSettings.DEFAULT_RUN_DIR.toAbsolutePath().normalize();
        return runDir.equals(defaultDir) ? "" : " --run-dir " + runDir;
    }

    /**
     * The Admin client that probes the broker logs its whole configuration and its life cycle at INFO; in this
     * short-lived command that is noise on the console. An explicit setting wins.
     */
    private static void quietKafkaClientLogs() {
        String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }
}
