package io.demandcast.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.infra.InfraDistribution;
import io.demandcast.app.infra.InfraException;
import io.demandcast.app.infra.InfraForCommand;
import io.demandcast.app.infra.InfraSettings;
import io.demandcast.app.infra.LocalInfra;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code forecaster bench [pipeline|cycle|all]}: streaming performance against a baseline in the same run. */
@Command(name = "bench",
        description = {"Measure the streaming forecaster on the local broker and registry (started if not running, "
                + "stopped again if the bench started them):",
                "  pipeline  the whole pipeline's throughput against a bare Kafka Streams windowed count over the "
                        + "same pre-produced orders;",
                "  cycle     the forecast cycle on a bucket close for each --series count, LSTM against the "
                        + "seasonal naive fallback and a bare Kafka Streams close writing the same records, and the "
                        + "app's peak RSS (a child JVM);",
                "  all       both (the default);",
                "  soak      the app in a child JVM fed orders at a live rate for --soak-minutes, a day every "
                        + "--soak-seconds-per-day: RSS, live heap, state size and lag over time, and whether each "
                        + "levels off (not part of all).",
                "Prints a table and writes the results as JSON (--out). Timings on a shared machine are noisy: "
                        + "the load average is recorded with them."})
public final class BenchCommand implements Callable<Integer> {

    public enum Part { pipeline, cycle, all, soak }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "PART",
            description = "pipeline, cycle, all or soak (default: ${DEFAULT-VALUE}).")
    Part part;

    @Option(names = "--products", defaultValue = "300", description = "Pipeline: products (default: ${DEFAULT-VALUE}).")
    int products;
    @Option(names = "--days", defaultValue = "365", description = "Pipeline: days of orders (default: ${DEFAULT-VALUE}).")
    int days;
    @Option(names = "--orders-per-day", defaultValue = "200",
            description = "Pipeline: orders a day (default: ${DEFAULT-VALUE}).")
    int ordersPerDay;
    @Option(names = "--lines-per-order", defaultValue = "3",
            description = "Pipeline: distinct products an order (default: ${DEFAULT-VALUE}).")
    int linesPerOrder;
    @Option(names = "--repetitions", defaultValue = "3",
            description = "Pipeline: runs of each application, alternating (default: ${DEFAULT-VALUE}).")
    int repetitions;
    @Option(names = "--no-window-close-variant", negatable = false,
            description = "Pipeline: skip the one run of the on-window-close count that counts lost results.")
    boolean noWindowCloseVariant;
    @Option(names = "--partitions", defaultValue = "2",
            description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;
    @Option(names = "--stream-threads", defaultValue = "2",
            description = "num.stream.threads of every app (default: ${DEFAULT-VALUE}).")
    int streamThreads;
    @Option(names = "--seed", defaultValue = "20250101", description = "Seed of the synthetic orders.")
    long seed;

    @Option(names = "--series", split = ",", defaultValue = "10000,100000",
            description = "Cycle: series counts, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> series;
    @Option(names = "--model", paramLabel = "DIR",
            description = "Cycle: a SavedModel directory to serve (default: train a tiny LSTM in seconds).")
    Path model;
    @Option(names = "--batch-size", description = "Cycle: the cycle's batch.size (default: the app's, 1024).")
    Integer batchSize;
    // 7, not 3: a running app closes bucket after bucket, and its first LSTM closes after the warm-up are still
    // warming (JIT, TensorFlow's allocator): the first timed close of 100,000 series took 2.2-2.7 s where the
    // later ones took 1.4-2.4 s (BENCHMARKS.md, history).
    @Option(names = "--cycle-repetitions", defaultValue = "7",
            description = "Cycle: timed closes per method after the warm-up closes (default: ${DEFAULT-VALUE}).")
    int cycleRepetitions;
    // 3, not 1: in a JFR recording of the cycle bench the JIT compiler threads were busy for the first 40 s of the
    // child (about the first six closes of 100,000 series), beside the stream threads on the same 2 cores.
    @Option(names = "--cycle-warm-up", defaultValue = "3",
            description = "Cycle: untimed closes per method before the timed ones, for JIT compilation and "
                    + "TensorFlow's first runs; printed, left out of the summary (default: ${DEFAULT-VALUE}).")
    int cycleWarmUp;
    @Option(names = "--history-buckets", defaultValue = "0",
            description = "Cycle: untimed fallback closes before the warm-up, each adding a bucket to every series' "
                    + "history; the state a close writes depends on its length (default: ${DEFAULT-VALUE}).")
    int historyBuckets;
    @Option(names = "--child-java-opts", defaultValue = "",
            description = "Cycle: JVM options of the child app process, e.g. -Xmx1g (default: none, as the "
                    + "launcher without DEMANDCAST_JAVA_OPTS).")
    String childJavaOpts;

    @Option(names = "--soak-minutes", defaultValue = "60",
            description = "Soak: how long orders are sent (default: ${DEFAULT-VALUE}).")
    double soakMinutes;
    @Option(names = "--soak-seconds-per-day", defaultValue = "10",
            description = "Soak: wall-clock seconds per day of orders (default: ${DEFAULT-VALUE}).")
    double soakSecondsPerDay;
    @Option(names = "--soak-sample-seconds", defaultValue = "60",
            description = "Soak: seconds between samples (default: ${DEFAULT-VALUE}).")
    double soakSampleSeconds;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "target/bench/results.json",
            description = "The JSON results (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = ".demandcast",
            description = "The infra's run folder, as for `infra up` (default: ${DEFAULT-VALUE}).")
    Path runDir;
    @Option(names = "--kafka-port", defaultValue = "" + InfraSettings.DEFAULT_KAFKA_PORT,
            description = "Kafka's port, if the bench starts it (default: ${DEFAULT-VALUE}).")
    int kafkaPort;
    @Option(names = "--controller-port", defaultValue = "" + InfraSettings.DEFAULT_CONTROLLER_PORT,
            description = "Kafka's controller port, if the bench starts it (default: ${DEFAULT-VALUE}).")
    int controllerPort;
    @Option(names = "--registry-port", defaultValue = "" + InfraSettings.DEFAULT_REGISTRY_PORT,
            description = "The registry's port, if the bench starts it (default: ${DEFAULT-VALUE}).")
    int registryPort;
    @Option(names = "--keep-infra", description = "Leave servers the bench started running.")
    boolean keepInfra;
    @Option(names = "--run-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "The longest one application run or one close may take (default: ${DEFAULT-VALUE}).")
    long runTimeoutSeconds;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        quietKafkaClientLogs();
        validate();
        LocalInfra local = new LocalInfra(new InfraSettings(runDir, kafkaPort, controllerPort, registryPort));
        InfraForCommand infra;
        try {
            infra = InfraForCommand.up(local, InfraDistribution.fromBuild(), Duration.ofSeconds(240), keepInfra, log);
        } catch (InfraException e) {
            throw new CommandFailure("cannot start the local broker and registry: " + e.getMessage(), e);
        }
        LocalInfra.Started started = infra.started();
        log.printf("Broker %s, registry %s (started now: %s; already running: %s)%n",
                started.endpoints().bootstrapServers(), started.endpoints().schemaRegistryUrl(),
                started.startedNow().isEmpty() ? "none" : String.join(", ", started.startedNow()),
                started.alreadyRunning().isEmpty() ? "none" : String.join(", ", started.alreadyRunning()));
        log.flush();
        Path workDir = out.toAbsolutePath().getParent();
        Files.createDirectories(workDir);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("command", "forecaster " + String.join(" ", spec.commandLine().getParseResult()
                .originalArgs()));
        results.put("started", Instant.now().toString());
        results.put("machine", machine());
        String prefix = "bench-" + STAMP.format(Instant.now());
        try (BenchCluster cluster = new BenchCluster(started.endpoints().bootstrapServers(),
                started.endpoints().schemaRegistryUrl(), prefix)) {
            try {
                if (part == Part.soak) {
                    results.put("loadBeforeSoak", loadAverage());
                    List<String> jvm = childJavaOpts.isBlank() ? List.of()
                            : List.of(childJavaOpts.trim().split("\\s+"));
                    SoakBench.Settings settings = new SoakBench.Settings(seconds(soakMinutes * 60), products,
                            ordersPerDay, linesPerOrder, seconds(soakSecondsPerDay), seconds(soakSampleSeconds),
                            jvm, seed);
                    results.put("soak", new SoakBench(cluster, settings, workDir, log).run());
                    results.put("loadAfterSoak", loadAverage());
                }
                if (part != Part.cycle && part != Part.soak) {
                    results.put("loadBeforePipeline", loadAverage());
                    PipelineBench.Settings settings = new PipelineBench.Settings(
                            new SyntheticOrders(products, days, ordersPerDay, linesPerOrder, seed,
                                    SyntheticOrders.DEFAULT_FIRST_DAY),
                            partitions, repetitions, streamThreads, !noWindowCloseVariant,
                            Duration.ofSeconds(runTimeoutSeconds));
                    PipelineBench.Result r = new PipelineBench(cluster, settings, workDir, log).run();
                    results.put("pipeline", r);
                    results.put("loadAfterPipeline", loadAverage());
                    write(results);
                }
                if (part == Part.cycle || part == Part.all) {
                    results.put("loadBeforeCycle", loadAverage());
                    results.put("cycle", runCycles(cluster, workDir, log));
                    results.put("loadAfterCycle", loadAverage());
                }
            } finally {
                results.put("finished", Instant.now().toString());
                write(results);
                int deleted = cluster.deleteTopics();
                log.printf("Deleted the bench's %d topics (%s-*).%n", deleted, prefix);
            }
        } finally {
            infra.close();
        }
        printTable(log, results);
        log.printf("Results: %s%n", out.toAbsolutePath());
        return 0;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private void validate() {
        if (soakMinutes <= 0 || soakSecondsPerDay <= 0 || soakSampleSeconds <= 0) {
            throw new CommandFailure("--soak-minutes, --soak-seconds-per-day and --soak-sample-seconds must be > 0");
        }
        if (partitions < 1 || streamThreads < 1 || repetitions < 1 || cycleRepetitions < 1) {
            throw new CommandFailure("--partitions, --stream-threads, --repetitions and --cycle-repetitions must be "
                    + ">= 1; got " + partitions + ", " + streamThreads + ", " + repetitions + ", " + cycleRepetitions);
        }
        if (cycleWarmUp < 0 || historyBuckets < 0) {
            throw new CommandFailure("--cycle-warm-up and --history-buckets must be >= 0; got " + cycleWarmUp + " and "
                    + historyBuckets);
        }
        // Checked before minutes of benchmarking, not when the results are written.
        if (Files.isDirectory(out)) {
            throw new CommandFailure("--out " + out + " is a directory; it takes the results file, e.g. " + out
                    .resolve("results.json"));
        }
        for (int n : series) {
            if (n < partitions) {
                throw new CommandFailure("--series " + n + " must be at least --partitions (" + partitions + ")");
            }
        }
        if (model != null && !Files.isRegularFile(model.resolve("saved_model.pb"))) {
            throw new CommandFailure("--model " + model + " holds no saved_model.pb");
        }
    }

    private List<CycleBench.Result> runCycles(BenchCluster cluster, Path workDir, PrintWriter log)
            throws IOException, InterruptedException {
        Path modelDir = model;
        if (modelDir == null) {
            modelDir = workDir.resolve("lstm-" + cluster.prefix());
            long t0 = System.nanoTime();
            String version = CycleBench.trainTinyModel(modelDir);
            log.printf("cycle: trained a small LSTM (%s) in %.1f s, exported to %s%n", version,
                    (System.nanoTime() - t0) / 1e9, modelDir);
            log.flush();
        }
        int batch = batchSize != null ? batchSize : AppConfig.defaults().batchSize();
        List<String> jvm = childJavaOpts.isBlank() ? List.of() : List.of(childJavaOpts.trim().split("\\s+"));
        List<CycleBench.Result> out = new ArrayList<>();
        for (int n : series) {
            CycleBench.Settings settings = new CycleBench.Settings(n, partitions, streamThreads, batch, modelDir,
                    historyBuckets, cycleWarmUp, cycleRepetitions, Duration.ofSeconds(runTimeoutSeconds));
            CycleBench.Result r = CycleBench.inChildJvm(cluster, settings, workDir, jvm, log);
            log.printf("cycle %,d series: peak RSS of the app process %,d MB%n", n, r.vmHwmKb() / 1024);
            log.flush();
            out.add(r);
        }
        return out;
    }

    private void write(Map<String, Object> results) {
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
        } catch (IOException e) {
            throw new CommandFailure("cannot write the results to " + out + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", Runtime.version().toString());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return m;
    }

    /** The 1, 5 and 15 minute load averages (Linux), to judge how quiet the machine was. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void quietKafkaClientLogs() {
        for (String logger : List.of("org.apache.kafka", "org.apache.avro")) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
        // The on-window-close count warns once per record of a window it already dropped, tens of thousands of lines
        // a run; the pipeline bench counts them from Kafka Streams' dropped-records metric instead.
        String windows = "org.slf4j.simpleLogger.log.org.apache.kafka.streams.kstream.internals.KStreamWindowAggregate";
        if (System.getProperty(windows) == null) {
            System.setProperty(windows, "error");
        }
    }

    private static void printTable(PrintWriter log, Map<String, Object> results) {
        log.println();
        if (results.get("pipeline") instanceof PipelineBench.Result p) {
            var e = p.expected();
            log.printf("Pipeline throughput: %,d orders (%,d order lines), %d partitions, %d stream threads, %s%n",
                    e.orders(), e.seriesSales(), p.partitions(), p.streamThreads(), p.processingGuarantee());
            log.printf("  %-40s %14s %14s %14s %12s%n", "application", "orders/s med", "min", "max",
                    "after 1st rec");
            row(log, "forecaster pipeline", p.pipelineRecordsPerSecond(), p.pipelineProcessingRecordsPerSecond());
            row(log, "bare windowed count (eager emit)", p.baselineRecordsPerSecond(),
                    p.baselineProcessingRecordsPerSecond());
            log.printf("  ratio pipeline / baseline (medians): %.2f start to end, %.2f after the first record "
                    + "(target >= 1.0)%n", p.ratio(), p.processingRatio());
            long pipelineDistinct = p.pipeline().stream().mapToLong(PipelineBench.Run::distinctResults).min().orElse(0);
            long pipelineDup = p.pipeline().stream().mapToLong(r -> r.emitted() - r.distinctResults()).max().orElse(0);
            long late = p.pipeline().stream().mapToLong(PipelineBench.Run::lateDeadLetters).max().orElse(0);
            log.printf("  closed (product, day) buckets on sales-actuals: %,d of %,d expected (least of the runs), "
                    + "%,d duplicates at most%n", pipelineDistinct, e.closedDays(), pipelineDup);
            log.printf("  series records dead-lettered as late: up to %,d of %,d (%.1f%%)%n", late, e.seriesSales(),
                    100.0 * late / e.seriesSales());
            long baselineDistinct = p.baseline().stream().mapToLong(PipelineBench.Run::distinctResults).min()
                    .orElse(0);
            long baselineDropped = p.baseline().stream().mapToLong(PipelineBench.Run::dropped).max().orElse(0);
            log.printf("  (product, day) keys the eager count emitted: %,d of %,d with a sale (least of the runs); "
                    + "records it dropped: up to %,d%n", baselineDistinct, e.salesDays(), baselineDropped);
            if (p.windowCloseVariant() != null) {
                PipelineBench.Run w = p.windowCloseVariant();
                double lost = 100.0 * (e.closedSalesDays() - w.distinctResults()) / e.closedSalesDays();
                log.printf("  on-window-close count: %,d closed (product, day) results of %,d expected (%.2f%% lost), "
                        + "%,d records dropped as late, %.0f orders/s%n", w.distinctResults(), e.closedSalesDays(),
                        lost, w.dropped(), w.recordsPerSecond());
            }
        }
        if (results.get("cycle") instanceof List<?> cycles && !cycles.isEmpty()) {
            log.println();
            log.printf("Forecast cycle on a bucket close (ms, median of timed closes [min-max])%n");
            log.printf("  %9s %20s %20s %20s %20s %20s %10s %20s %14s%n", "series", "LSTM cycle", "naive cycle",
                    "bare close", "LSTM order->visible", "naive order->visible", "peak RSS", "CPU LSTM/naive/bare",
                    "state B/series");
            for (Object o : cycles) {
                CycleBench.Result c = (CycleBench.Result) o;
                log.printf("  %,9d %20s %20s %20s %20s %20s %7d MB %20s %14.0f%n", c.series(), ms(c.lstmCycleMs()),
                        ms(c.fallbackCycleMs()), ms(c.bareCycleMs()), ms(c.lstmVisibleMs()),
                        ms(c.fallbackVisibleMs()), c.vmHwmKb() / 1024, String.format("%.0f/%.0f/%.0f",
                                medianCpu(c, true), medianCpu(c, false), medianBareCpu(c)), meanStateBytes(c));
            }
            for (Object o : cycles) {
                CycleBench.Result c = (CycleBench.Result) o;
                log.printf("  %,d series: naive cycle / bare close %.2f, LSTM cycle / bare close %.2f; bytes sent per "
                                + "series and close: app %.0f, bare %.0f%n", c.series(),
                        c.fallbackCycleMs().median() / c.bareCycleMs().median(),
                        c.lstmCycleMs().median() / c.bareCycleMs().median(), c.appBytesPerSeries(),
                        c.bareBytesPerSeries());
            }
            log.println("  bare close: Kafka Streams alone writing what a close writes (per series an actual, a "
                    + "forecast and a changelogged RocksDB state of the app's sizes, bytes made by copying), same "
                    + "series, partitions, threads and exactly-once settings, in the same process after the app; "
                    + "from its trigger on the broker to the last forecast forwarded. The floor of any close.");
            log.println("  state: bytes a timed close sent to the changelogs of the series' states and history bodies, "
                    + "per series (mean of timed closes): a tail of recent buckets and the forecast, and every 8-16 "
                    + "closes the history's body (--history-buckets builds long histories first).");
            log.println("  CPU: the app process's CPU ms per close (median of timed closes, all threads), which other "
                    + "loads barely change; on 2 cores a cycle takes at least half of it.");
            log.println("  cycle: from the closing record being readable by the bucket aggregator (committed on the "
                    + "repartition topic) to the last forecast handed to the producer (target at 100,000: LSTM "
                    + "< 1 s and < 2 s CPU, naive < 0.3 s).");
            log.println("  order->visible: from sending the closing orders to a read_committed consumer holding every "
                    + "forecast: adds two exactly-once hops (commit.interval.ms each).");
        }
        log.flush();
    }

    private static void row(PrintWriter log, String name, PipelineBench.Summary s, PipelineBench.Summary after) {
        log.printf("  %-40s %,14.0f %,14.0f %,14.0f %,12.0f%n", name, s.median(), s.min(), s.max(), after.median());
    }

    private static double medianCpu(CycleBench.Result r, boolean lstm) {
        double[] cpu = r.closes().stream().filter(c -> !c.warmUp() && c.method().startsWith("seasonal_naive") != lstm)
                .mapToDouble(CycleBench.Close::cpuMs).sorted().toArray();
        return cpu.length == 0 ? Double.NaN : cpu[cpu.length / 2];
    }

    private static double medianBareCpu(CycleBench.Result r) {
        double[] cpu = r.bareCloses().stream().filter(c -> !c.warmUp()).mapToDouble(CycleBench.BareTiming::cpuMs)
                .sorted().toArray();
        return cpu.length == 0 ? Double.NaN : cpu[cpu.length / 2];
    }

    /** The mean, not the median: bodies are folded every 8 to 16 closes, so closes alternate between light and heavy. */
    private static double meanStateBytes(CycleBench.Result r) {
        return r.closes().stream().filter(c -> !c.warmUp()).mapToDouble(CycleBench.Close::stateBytesPerSeries)
                .average().orElse(Double.NaN);
    }

    private static String ms(PipelineBench.Summary s) {
        return Double.isNaN(s.median()) ? "-" : String.format("%.0f [%.0f-%.0f]", s.median(), s.min(), s.max());
    }
}
