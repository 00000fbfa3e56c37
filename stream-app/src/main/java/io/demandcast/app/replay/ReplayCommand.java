package io.demandcast.app.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelArchive;
import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.registry.RegistryException;
import io.demandcast.app.registry.Releases;
import io.demandcast.app.run.AppConfigOptions;
import io.demandcast.app.run.StartupException;
import io.demandcast.model.Bucket;
import io.demandcast.model.lstm.ModelCard;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code forecaster replay}: a backtest replayed from the {@code orders} topic through the production topology. */
@Command(name = "replay",
        description = {
            "Backtest model versions on what is already on the orders topic: read it from --from minus the warm-up "
                + "to --to (by record timestamp), copy that range to a topic of the replay's own and run the "
                + "production topology over it under an application id of its own (demandcast-replay-ID: its "
                + "topics, consumer group and internal topics all start with it), once per model version, then score "
                + "the forecasts against the actuals the replay published, beside the seasonal naive on the same "
                + "origins, and delete every topic, consumer group and schema registry subject the replay "
                + "created.",
            "It never writes to a production topic, never joins the production consumer group and leaves orders and "
                + "its committed offsets as they were.",
            "Writes to --out: forecasts.csv (series,bucket_start,step,method,actual,p10,p50,p90,model_version), "
                + "metrics.json (per version and method), report.html (error by step, a few series) and prints a "
                + "verdict per candidate against the champion (MASE, WAPE, coverage, the promotion gate).",
            "Exit status: 0 done; 1 nothing to replay (no orders topic, no orders in the range, a range older than "
                + "the topic's retention), a replay that did not close every bucket up to --to (its report is still "
                + "written) or a failure; 2 a request that cannot be right (an unknown model version, "
                + "--from after --to, no champion to replay). Nothing is created when it exits with 1 or 2 before "
                + "replaying. Ctrl-C stops the replay and deletes what it created."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AppConfigOptions options;

    @Option(names = "--from", required = true, paramLabel = "DATE",
            description = "First bucket scored (yyyy-MM-dd, UTC).")
    LocalDate from;

    @Option(names = "--to", required = true, paramLabel = "DATE",
            description = "Last bucket scored (yyyy-MM-dd, UTC); orders up to the one that closes it are read.")
    LocalDate to;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Buckets replayed before --from to fill the app's histories (default: the lookback of "
                    + "the models replayed, else 28).")
    Integer warmup;

    @Option(names = "--models", split = ",", paramLabel = "VERSION",
            description = "Versions of the models topic (forecaster-models) to replay, one replay each over the same "
                    + "orders (default: the current champion).")
    List<String> versions;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Replays run at once (one per version, two with --retrain), each with its own application "
                    + "id, topics and app, over the same orders; the files are the same as one after another "
                    + "(default: the number of replays, at most half the cores, at least 1).")
    Integer parallel;

    @Option(names = "--retrain",
            description = "Also replay each version with the trainer role running (production's retrain.* schedule, "
                    + "window and promotion gate), a bucket of orders at a time so that each decision is made "
                    + "before the next bucket closes; the report lists every decision with its scores and the "
                    + "served accuracy with and without retraining (label VERSION" + TopicReplay.RETRAINED + ").")
    boolean retrain;

    @Option(names = "--model", paramLabel = "DIR", description = "Replay this exported SavedModel folder instead.")
    Path modelDir;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/replay",
            description = "Where forecasts.csv, metrics.json and report.html go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = ".demandcast/replay",
            description = "Where each replay keeps its state and models while it runs (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--keep-topics", description = "Keep the replay's topics, consumer group, registry subjects and work folder for "
            + "inspection.")
    boolean keepTopics;

    @Option(names = "--series", paramLabel = "N", defaultValue = "0",
            description = "Score only the N series that sold on the most buckets of the warm-up (default: every series; "
                    + "a quarter of 3,000 daily series is about 12 million rows of forecasts.csv).")
    int seriesCount;

    @Option(names = "--plots", paramLabel = "N", defaultValue = "4",
            description = "Series plotted in the report, those that sold on the most buckets of the warm-up (default: "
                    + "${DEFAULT-VALUE}).")
    int plots;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Longest wait for one replay (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--verbose", description = "Show the app's and Kafka's INFO logs.")
    boolean verbose;


    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!verbose) {
            quiet("org.apache.kafka", "error");
            quiet("io.demandcast", "warn");
        }
        try {
            return replay(stdout, stderr);
        } catch (InterruptedException e) {
            stderr.println(spec.qualifiedName() + ": stopped; the replay's topics, consumer group and registry "
                    + "subjects are deleted"
                    + (keepTopics ? " (except with --keep-topics)" : ""));
            stderr.flush();
            return 130;
        } catch (ReplayRefused e) {
            stderr.println(spec.qualifiedName() + ": " + e.getMessage());
            stderr.flush();
            return e.status();
        } catch (StartupException | RegistryException | SchemaRegistryException | IllegalStateException
                 | UncheckedIOException e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure("replay: " + e, e);
        }
    }

    private int replay(PrintWriter stdout, PrintWriter stderr) throws IOException, InterruptedException {
        AppConfig production = options.load();
        Bucket bucket = production.bucket();
        if (to.isBefore(from)) {
            throw new ReplayRefused(2, "--from " + from + " is after --to " + to);
        }
        if (modelDir != null && versions != null) {
            throw new ReplayRefused(2, "--model and --models go alone: give one of them");
        }
        if (parallel != null && parallel < 1) {
            throw new ReplayRefused(2, "--parallel must be 1 or more; got " + parallel);
        }
        if (warmup != null && warmup < 0) {
            throw new ReplayRefused(2, "--warmup must be 0 or more; got " + warmup);
        }
        // Which models: looked up before anything is created, so an unknown version creates nothing.
        List<Chosen> chosen = new ArrayList<>();
        String champion;
        if (modelDir != null) {
            ModelCard card;
            try {
                card = ModelCard.read(modelDir);
            } catch (IOException e) {
                throw new ReplayRefused(2, "--model " + modelDir + ": " + e.getMessage(), e);
            }
            chosen.add(new Chosen(card.version(), null, modelDir.toAbsolutePath(), card.lookback(), false));
            // A folder is judged against the seasonal naive only; the registry is not read.
            champion = null;
        } else {
            Releases releases;
            try (ModelRegistry registry = ModelRegistry.of(production)) {
                releases = registry.releases();
            } catch (RegistryException e) {
                throw new ReplayRefused(2, "cannot read the model versions: " + e.getMessage(), e);
            }
            champion = releases.current().map(ModelRelease::getVersion).orElse(null);
            Set<String> wanted = new LinkedHashSet<>();
            if (versions == null || versions.isEmpty()) {
                if (champion == null) {
                    throw new ReplayRefused(2, "no champion of model " + releases.modelName() + " on "
                            + production.topicNames().models() + " to replay; give --models VERSION or --model DIR");
                }
                wanted.add(champion);
            } else {
                versions.stream().map(String::trim).filter(v -> !v.isEmpty()).forEach(wanted::add);
            }
            for (String v : wanted) {
                ModelRelease r = releases.version(v).orElseThrow(() -> new ReplayRefused(2, "no release " + v
                        + " of model " + releases.modelName() + " on " + production.topicNames().models()
                        + "; releases: " + releases.all().stream().map(ModelRelease::getVersion).toList()));
                chosen.add(new Chosen(v, r, null, lookback(r), false));
            }
            // The champion first: it is what the candidates are judged against.
            chosen.sort((a, b) -> Boolean.compare(!a.version().equals(champion), !b.version().equals(champion)));
        }
        if (retrain) {
            List<Chosen> both = new ArrayList<>();
            for (Chosen c : chosen) {
                both.add(c);
                both.add(new Chosen(c.version() + TopicReplay.RETRAINED, c.release(), c.dir(), c.lookback(), true));
            }
            chosen = both;
        }
        // Each replay runs a whole app (its stream threads, a model, RocksDB): two cores each keep them from
        // starving one another.
        int atOnce = Math.min(chosen.size(), parallel != null ? parallel
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        int warm = warmup != null ? warmup : chosen.stream().mapToInt(Chosen::lookback).max().orElse(28);
        if (warm <= bucket.season()) {
            stdout.println("  a warm-up of " + warm + " " + bucket.label() + "s is not longer than the season ("
                    + bucket.season() + "): no series gets a MASE scale (--warmup)");
        }
        Path work = workDir.toAbsolutePath();
        TopicReplay.Plan plan = TopicReplay.Plan.of(production, bucket.floor(from), bucket.floor(to), warm, work,
                keepTopics, Duration.ofSeconds(timeoutSeconds));
        OrdersRange range = plan.range();
        Instant start = plan.start();
        Instant stop = range.stop();
        Instant fromBucket = plan.from();
        Instant toBucket = plan.to();
        stdout.printf(Locale.ROOT, "Replaying %s: %,d orders stamped %s .. %s (%d partition%s), %d %ss of warm-up "
                        + "before %s, scored %s .. %s; model%s %s%n", range.topic(), range.records(), start, stop,
                range.partitions(), range.partitions() == 1 ? "" : "s", warm, bucket.label(), from, from, to,
                chosen.size() == 1 ? "" : "s", chosen.stream().map(Chosen::version).toList());
        if (atOnce > 1) {
            stdout.println("  " + atOnce + " replays at once (--parallel)");
        }
        stdout.flush();

        Path outDir = out.toAbsolutePath();
        Files.createDirectories(outDir);
        boolean terminal = System.console() != null;
        List<ReplayReport.Entry> entries = new ArrayList<>();
        List<String> plotted = null;
        Set<String> scoredSeries = null;
        boolean beside = atOnce > 1;
        Replays replays = new Replays();
        Thread hook = new Thread(replays::abandon, "replay-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        ExecutorService pool = Executors.newFixedThreadPool(atOnce, r -> {
            Thread t = new Thread(r, "replay-" + replays.threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try (ReplayReport.ForecastsCsv csv = new ReplayReport.ForecastsCsv(outDir.resolve("forecasts.csv"), bucket)) {
            // Every version is submitted at once and at most --parallel run together; each is scored in the
            // order given, as it would be one after another, so that the files do not depend on which ends first.
            List<Future<TopicReplay.Result>> running = new ArrayList<>();
            for (Chosen c : chosen) {
                running.add(pool.submit(() -> replays.replay(c, plan, work, stdout, stderr, terminal, beside)));
            }
            for (int i = 0; i < chosen.size(); i++) {
                Chosen c = chosen.get(i);
                TopicReplay.Result result = replays.await(running.get(i));
                if (plotted == null) {
                    // Chosen on the first replay, so that every version is scored on the same series.
                    plotted = ReplayScore.largest(result.outputs(), fromBucket, plots);
                    scoredSeries = seriesCount > 0 ? Set.copyOf(ReplayScore.largest(result.outputs(), fromBucket,
                            seriesCount)) : null;
                    if (scoredSeries != null) {
                        plotted = plotted.stream().filter(scoredSeries::contains).toList();
                    }
                }
                // A row names the release that made the forecast; a replay with retraining starts from a version
                // that the plain replay also serves, so its rows carry the mark of the replay too.
                ReplayScore.Rows rows = !c.retrain() ? csv : (series, target, step, method, actual, p10, p50, p90,
                        version) -> csv.row(series, target, step, method, actual, p10, p50, p90,
                        version + TopicReplay.RETRAINED);
                ReplayScore.Scored scored = ReplayScore.score(c.version(), result.outputs(), fromBucket,
                        production.horizon(), production.historyLength(), scoredSeries, Set.copyOf(plotted), rows,
                        entries.isEmpty());
                result.outputs().release();
                entries.add(new ReplayReport.Entry(result, scored));
                stdout.printf(Locale.ROOT, "  %s%,d actuals, %,d forecasts (%s), last bucket closed %s, in %.1f s; "
                                + "%s %s%n", beside ? "[" + c.version() + "] " : "", result.outputs().actualCount(),
                        result.outputs().forecastCount(), result.outputs().methods(), result.lastClosed() == null
                                ? "none" : TopicReplay.day(bucket, result.lastClosed()), result.seconds(),
                        keepTopics ? "kept" : "deleted", result.topics().size() + " topics and "
                                + result.subjects().size() + " registry subjects");
                stdout.flush();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // One replay failed (or this thread was interrupted): the others stop and delete what they created.
            replays.abandon();
            throw e;
        } finally {
            // Every replay has ended or is ending after abandon(): let each delete what it created.
            pool.shutdown();
            if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                stderr.println(spec.qualifiedName() + ": a replay did not stop in 5 minutes; what it created may "
                        + "remain (topics " + TopicReplay.ID_PREFIX + "*)");
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook runs.
            }
        }
        ReplayReport.Summary summary = new ReplayReport.Summary(bucket, start, fromBucket, toBucket, warm,
                production.horizon(), range.topic(), range.records(), champion, production.models().margin(),
                seriesCount, entries);
        ReplayReport.writeMetrics(summary, outDir.resolve("metrics.json"));
        ReplayReport.writeHtml(summary, plotted == null ? List.of() : plotted, outDir);
        stdout.println();
        stdout.print(ReplayReport.table(summary));
        ReplayReport.verdicts(summary).forEach(v -> stdout.println("  " + v));
        stdout.printf(Locale.ROOT, "Wrote forecasts.csv, metrics.json and report.html to %s in %.1f min.%n", outDir,
                (System.nanoTime() - t0) / 60e9);
        stdout.flush();
        List<String> cutShort = entries.stream().filter(e -> !e.result().complete())
                .map(e -> e.result().candidate().version()
                        + (e.result().candidate().retrain() ? TopicReplay.RETRAINED : "")).toList();
        if (!cutShort.isEmpty()) {
            // A backtest that did not close every bucket must not pass for one that did in a script.
            stderr.println(spec.qualifiedName() + ": " + String.join(", ", cutShort) + " did not close every bucket "
                    + "up to --to (why is above); the report covers what it closed");
            stderr.flush();
            return 1;
        }
        return 0;
    }

    /**
     * The replays of one command: those running, for the shutdown hook and for a failure of one of them to stop
     * and clean up, and the releases unzipped for them.
     */
    private final class Replays {
        final AtomicInteger threads = new AtomicInteger();
        private final Set<TopicReplay> running = ConcurrentHashMap.newKeySet();
        private final Set<Path> unzipped = ConcurrentHashMap.newKeySet();
        /** The failure that made the others stop: what the command reports, rather than their being stopped. */
        private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        private volatile boolean abandoned;

        /**
         * One version's replay, on a thread of the pool; cleaned up whatever happens. Its failure stops the others:
         * the command fails anyway.
         */
        TopicReplay.Result replay(Chosen c, TopicReplay.Plan plan, Path work, PrintWriter stdout,
                                  PrintWriter stderr, boolean terminal, boolean beside)
                throws IOException, InterruptedException {
            try {
                return replayOnce(c, plan, work, stdout, stderr, terminal, beside);
            } catch (IOException | RuntimeException e) {
                if (!abandoned) {
                    firstFailure.compareAndSet(null, e);
                    abandon();
                }
                throw e;
            }
        }

        private TopicReplay.Result replayOnce(Chosen c, TopicReplay.Plan plan, Path work, PrintWriter stdout,
                                              PrintWriter stderr, boolean terminal, boolean beside)
                throws IOException, InterruptedException {
            if (abandoned) {
                throw new InterruptedException("replay of " + c.version() + " not started: the command stops");
            }
            Path dir = c.dir();
            if (dir == null) {
                dir = unzip(c, work.resolve("models"));
                unzipped.add(dir);
            }
            TopicReplay replay = new TopicReplay(plan, new TopicReplay.Candidate(c.version(), dir, c.retrain()),
                    stdout, stderr, terminal, beside);
            running.add(replay);
            try {
                // Checked again once registered: abandon() may have run between the first check and now.
                if (abandoned) {
                    throw new InterruptedException("replay of " + c.version() + " not started: the command stops");
                }
                stdout.println("Model " + c.version() + ": application.id " + replay.replayId() + ", topics "
                        + replay.replayId() + "-*");
                stdout.flush();
                return replay.run();
            } finally {
                replay.cleanUp();
                running.remove(replay);
                if (c.dir() == null) {
                    unzipped.remove(dir);
                    if (!keepTopics) {
                        TopicReplay.deleteTree(dir);
                    }
                }
            }
        }

        /** The result of one replay, its own failure thrown as it was. */
        TopicReplay.Result await(Future<TopicReplay.Result> replay) throws IOException, InterruptedException {
            try {
                return replay.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                Exception first = firstFailure.get();
                if (cause instanceof InterruptedException && first != null) {
                    cause = first;
                }
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof InterruptedException stopped) {
                    throw stopped;
                }
                if (cause instanceof RuntimeException failure) {
                    throw failure;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(cause);
            }
        }

        /** Starts no more replays and stops those running, deleting what they created (on Ctrl-C too). */
        void abandon() {
            abandoned = true;
            for (TopicReplay r : running) {
                r.cleanUp();
            }
            if (!keepTopics) {
                unzipped.forEach(TopicReplay::deleteTree);
            }
        }
    }

    /** A model to replay: a release of the registry, or a folder. */
    private record Chosen(String version, ModelRelease release, Path dir, int lookback, boolean retrain) {
    }

    private static int lookback(ModelRelease release) {
        try {
            JsonNode card = new ObjectMapper().readTree(release.getModelCardJson());
            return card.path("lookback").asInt(28);
        } catch (IOException e) {
            return 28;
        }
    }

    private static Path unzip(Chosen c, Path models) throws IOException {
        Path dir = Files.createTempDirectory(Files.createDirectories(models), c.version() + "-");
        try (InputStream in = ModelRegistry.savedModel(c.release())) {
            ModelArchive.unzip(in, dir, "release " + c.version());
        }
        return dir;
    }

    private static void quiet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}
