package io.demandcast.app.demo;

import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.infra.InfraDistribution;
import io.demandcast.app.infra.InfraEndpoints;
import io.demandcast.app.infra.InfraException;
import io.demandcast.app.infra.InfraForCommand;
import io.demandcast.app.infra.InfraSettings;
import io.demandcast.app.infra.LocalInfra;
import io.demandcast.app.replay.OrderReplay;
import io.demandcast.app.replay.ReplayRefused;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code forecaster demo}: the whole job on the shipped Online Retail data, in one command. */
@Command(name = "demo",
        description = "Run the whole job on the Online Retail data: start the local Kafka and schema registry "
                + "(or reuse running ones), train an LSTM on the first nine months, send the file's orders to the "
                + "demo's orders topic as `produce` does (those it does not hold yet), replay the last three months "
                + "with the model's warm-up through the production topology as `replay` does (its own application "
                + "id and topics, a progress line, all deleted at the end), then score the streamed forecasts "
                + "against the actuals (MASE, WAPE, P10-P90 coverage; LSTM vs seasonal naive), write report.html "
                + "with plots and a restock what-if to --out, and stop what it started.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", defaultValue = "data/online_retail/order_lines.csv.gz",
            description = "The order-lines file (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = ".demandcast",
            description = "The local servers' run folder, as for `infra` (default: ${DEFAULT-VALUE}); the replay "
                    + "keeps its state in its demo/ folder while it runs.")
    Path runDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "" + InfraSettings.DEFAULT_KAFKA_PORT,
            description = "Kafka's client port when the demo starts Kafka (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT",
            defaultValue = "" + InfraSettings.DEFAULT_CONTROLLER_PORT,
            description = "Kafka's KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "" + InfraSettings.DEFAULT_REGISTRY_PORT,
            description = "The schema registry's port when the demo starts it (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Use this Kafka instead of the local servers (with --schema-registry-url).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Use this schema registry (Confluent API) instead of the local servers.")
    String schemaRegistryUrl;

    @Option(names = "--products", paramLabel = "N", defaultValue = "100",
            description = "Products trained on and scored: the N that sold on the most days before the split "
                    + "(default: ${DEFAULT-VALUE}). The app forecasts every product either way.")
    int products;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Serve this exported model instead of training one (implies --skip-train).")
    Path model;

    @Option(names = "--skip-train",
            description = "Serve the newest model an earlier demo exported under --out/models instead of training.")
    boolean skipTrain;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/demo",
            description = "Where report.html, its plots, summary.txt, forecasts.csv and the trained model go "
                    + "(default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--keep-infra", description = "Leave Kafka and the registry running when the demo started them.")
    boolean keepInfra;

    @Option(names = "--orders-topic", paramLabel = "TOPIC", defaultValue = DemoRun.DEFAULT_ORDERS_TOPIC,
            description = "The topic the file's orders go to and are replayed from (default: ${DEFAULT-VALUE}); "
                    + "it stays for the next demo, which sends only what it lacks. Give another --data another topic.")
    String ordersTopic;

    @Option(names = "--keep-topics", description = "Keep the replay's topics, consumer group, registry subjects and "
            + "work folder (deleted at the end by default).")
    boolean keepTopics;

    @Option(names = "--split", paramLabel = "DATE", defaultValue = "2011-09-01",
            description = "First day the model never sees: trained before, replayed and scored from (default: "
                    + "${DEFAULT-VALUE}, after the data's first nine months).")
    LocalDate split;

    @Option(names = "--train-from", paramLabel = "DATE", description = "First day trained on (default: the data's).")
    LocalDate trainFrom;

    @Option(names = "--until", paramLabel = "DATE",
            description = "First day not scored; the replay reads on to the orders that close the day before "
                    + "(default: score up to the last day the data's orders close).")
    LocalDate until;

    @Option(names = "--warmup-days", paramLabel = "N",
            description = "Days before the split replayed too, so the app's histories are full when scoring "
                    + "starts (default: the model's lookback, 28 for the LSTM trained here).")
    Integer warmupDays;

    @Option(names = "--horizon", paramLabel = "H", defaultValue = "14",
            description = "Days each forecast covers (default: ${DEFAULT-VALUE}).")
    int horizon;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
            description = "Most training epochs; early stopping may end sooner (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--windows-per-product", paramLabel = "N", defaultValue = "128",
            description = "Training windows drawn per product and epoch (default: ${DEFAULT-VALUE}).")
    int windowsPerProduct;

    @Option(names = "--hidden-units", paramLabel = "N", defaultValue = "32",
            description = "Width of the LSTM layer (default: ${DEFAULT-VALUE}).")
    int hiddenUnits;

    @Option(names = "--plots", paramLabel = "N", defaultValue = "4",
            description = "Top products plotted in the report (default: ${DEFAULT-VALUE}).")
    int plots;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "Longest wait for the replay (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Europe/London",
            description = "Time zone of the file's invoice times (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Option(names = "--verbose", description = "Show the app's and Kafka's INFO logs.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if ((bootstrapServers == null) != (schemaRegistryUrl == null)) {
            throw new CommandFailure("--bootstrap-servers and --schema-registry-url go together; got only "
                    + (bootstrapServers == null ? "--schema-registry-url" : "--bootstrap-servers"));
        }
        if (!Files.isRegularFile(data)) {
            throw new CommandFailure("no order-lines file at " + data.toAbsolutePath()
                    + " (--data; run from the project's root, where data/online_retail/ is)");
        }
        DemoSettings settings;
        try {
            DemoSettings.Training training = new DemoSettings.Training(null, epochs, 5, windowsPerProduct,
                    hiddenUnits, 28, 42L);
            Path modelDir = model != null ? model : skipTrain ? newestModel(out) : null;
            if (modelDir != null) {
                training = training.withModelDir(modelDir);
            }
            settings = new DemoSettings(data, zone, trainFrom, split, until, warmupDays, products, horizon,
                    training, out.toAbsolutePath(), plots, Duration.ofSeconds(timeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }

        if (!verbose) {
            quiet("org.apache.kafka", "error");
            quiet("io.demandcast", "warn");
        }
        long start = System.nanoTime();
        InfraForCommand infra = null;
        InfraEndpoints endpoints;
        if (bootstrapServers != null) {
            endpoints = new InfraEndpoints(bootstrapServers, schemaRegistryUrl);
            stdout.println("Using Kafka at " + bootstrapServers + " and the schema registry at " + schemaRegistryUrl);
        } else {
            try {
                LocalInfra local = new LocalInfra(new InfraSettings(runDir, kafkaPort, controllerPort, registryPort));
                boolean bothRun = local.running();
                if (bothRun) {
                    stdout.println("Kafka and the schema registry already run (run folder "
                            + local.settings().runDir() + "): using them, and leaving them running.");
                } else {
                    stdout.println("Starting Kafka and the schema registry in " + local.settings().runDir()
                            + " (infra up) ...");
                }
                stdout.flush();
                infra = InfraForCommand.up(local, InfraDistribution.fromBuild(), Duration.ofSeconds(240), keepInfra,
                        stdout);
                if (!bothRun) {
                    infra.started().alreadyRunning().forEach(n -> stdout.println("  the " + n + " was already running"));
                }
                endpoints = infra.started().endpoints();
            } catch (InfraException e) {
                throw new CommandFailure(e.getMessage(), e);
            }
            stdout.println("  bootstrap servers " + endpoints.bootstrapServers() + ", schema registry "
                    + endpoints.schemaRegistryUrl());
        }
        stdout.flush();
        try {
            DemoRun.Target target = new DemoRun.Target(endpoints.bootstrapServers(), endpoints.schemaRegistryUrl(),
                    runDir.toAbsolutePath().resolve("demo"), ordersTopic, keepTopics, DemoRun.DEFAULT_PARTITIONS);
            DemoSummary summary = new DemoRun(settings, target, stdout, stderr).run();
            stdout.println();
            stdout.println("Summary");
            stdout.print(summary.text());
            stdout.printf(Locale.ROOT, "The demo took %.1f min.%n", (System.nanoTime() - start) / 60e9);
            // The replay said why above; a script must not take a demo cut short for a good one.
            return summary.replayed().complete() ? 0 : 1;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | SchemaRegistryException
                 | ReplayRefused | OrderReplay.ReplayException e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure("demo: " + e, e);
        } finally {
            if (infra != null) {
                infra.close();
            }
            stdout.flush();
        }
    }

    /** The newest model directory under {@code out/models} (by its model card's time). */
    static Path newestModel(Path out) {
        Path models = out.resolve("models");
        try (Stream<Path> dirs = Files.list(models)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("model-card.json")))
                    .max(Comparator.comparing(d -> d.getFileName().toString()))
                    .orElseThrow(() -> new IllegalArgumentException("--skip-train: no exported model under "
                            + models.toAbsolutePath() + "; run the demo once without it, or give --model DIR"));
        } catch (IOException e) {
            throw new IllegalArgumentException("--skip-train: cannot list " + models.toAbsolutePath()
                    + " (run the demo once without it, or give --model DIR): " + e.getMessage(), e);
        }
    }

    /** Kafka's clients and the app log at INFO; the demo's own lines are what a person should see. */
    private static void quiet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}
