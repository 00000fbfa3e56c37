package io.demandcast.app.demo;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.replay.OrderLinesFile;
import io.demandcast.app.replay.OrderReplay;
import io.demandcast.app.replay.ProduceCommand;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.ModelLoader;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.cli.ProgressBar;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.avro.OrderEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.Producer;

/**
 * The demo's main job, on a broker and a registry that already run: reads the order-lines file the stream's way,
 * trains an LSTM on the products that sell most regularly before the split (or takes a given model), starts the
 * app in-process on it with an application id, state and topics of this run alone, replays the orders from a
 * warm-up before the split to the end as fast as the producer goes, prints a line per closed bucket as its
 * forecasts are committed, then stops the app, scores the streamed forecasts against the committed actuals
 * beside the seasonal naive and writes the report. The command ({@link DemoCommand}) adds the local servers.
 */
public final class DemoRun {

    /** Partitions of the run's {@code orders} topic unless the target says otherwise. */
    public static final int DEFAULT_PARTITIONS = 2;
    /** The what-if of the restock policy: lead time in days and service level ({@link StockSimulation}). */
    static final int WHAT_IF_LEAD = 3;
    static final double WHAT_IF_SERVICE_LEVEL = 0.9;

    /**
     * Where the app connects, and where this run keeps its state.
     * @param orderPartitions partitions of the run's topics: with more than one, each intake task reads at its own
     *                        pace and buckets wait for the slowest (docs/ARCHITECTURE.md)
     */
    public record Target(String bootstrapServers, String schemaRegistryUrl, Path workDir, int restPort,
                         boolean keepTopics, int orderPartitions) {

        public Target {
            if (orderPartitions < 1) {
                throw new IllegalArgumentException("orders partitions: expected >= 1, got " + orderPartitions);
            }
        }

        public Target(String bootstrapServers, String schemaRegistryUrl, Path workDir, int restPort,
                      boolean keepTopics) {
            this(bootstrapServers, schemaRegistryUrl, workDir, restPort, keepTopics, DEFAULT_PARTITIONS);
        }
    }

    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final DemoSettings settings;
    private final Target target;
    private final PrintWriter out;
    private final PrintWriter err;

    public DemoRun(DemoSettings settings, Target target, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.target = target;
        this.out = out;
        this.err = err;
    }

    public DemoSummary run() throws IOException, InterruptedException {
        String runId = "demo-" + LocalDateTime.now(ZoneOffset.UTC).format(RUN_TIME) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        AppConfig base = appConfig(runId, null);
        Bucket bucket = base.bucket();

        long t0 = System.nanoTime();
        Instant until = settings.until() == null ? null : bucket.floor(settings.until());
        step("Reading " + settings.data() + " the stream's way (validation, SALE adds, RETURN subtracts, daily "
                + "UTC buckets) ...");
        DailySales sales = DailySales.read(settings.data(), settings.zone(), base, until);
        Instant split = bucket.floor(settings.split());
        Instant trainFrom = settings.trainFrom() == null ? bucket.floor(sales.first())
                : bucket.floor(settings.trainFrom());
        Instant replayFrom = bucket.floor(settings.replayFrom());
        if (sales.last() == null || !sales.last().isAfter(split)) {
            throw new IllegalArgumentException(settings.data() + " has no valid order after the split "
                    + settings.split() + "; nothing to replay (--split, --until)");
        }
        out.printf(Locale.ROOT, "  %,d orders (%,d refused by the stream's validation), %,d products, %s .. %s, "
                        + "read in %.1f s%n", sales.orders(), sales.refused(), sales.productCount(),
                DemoReport.day(sales.first()), DemoReport.day(sales.last()), seconds(t0));

        List<String> products = sales.topSellers(settings.products(), trainFrom, split);
        if (products.isEmpty()) {
            throw new IllegalArgumentException("no product sold between " + DemoReport.day(trainFrom) + " and "
                    + DemoReport.day(split) + " (--train-from, --split)");
        }
        out.printf(Locale.ROOT, "  products: the %d that sold on the most days in %s .. %s (trained on and scored; "
                        + "the app forecasts every product it sees), e.g. %s%n", products.size(),
                DemoReport.day(trainFrom), DemoReport.day(split.minusSeconds(1)),
                String.join(", ", products.subList(0, Math.min(5, products.size()))));

        Path modelDir;
        String modelSource;
        if (settings.model().modelDir() != null) {
            modelDir = settings.model().modelDir().toAbsolutePath();
            modelSource = "loaded from " + modelDir;
            out.println("  model: " + modelSource + " (--model or --skip-train: not trained here)");
        } else {
            long tt = System.nanoTime();
            Trained trained = train(sales, products, trainFrom, split, bucket);
            modelDir = trained.dir();
            modelSource = "trained here on " + products.size() + " products x " + DemoReport.day(trainFrom) + " .. "
                    + DemoReport.day(split.minusSeconds(1));
            out.printf(Locale.ROOT, "  trained %s in %.0f s; exported to %s%n", trained.version(), seconds(tt),
                    modelDir);
        }
        out.flush();

        AppConfig config = appConfig(runId, modelDir);
        step("Starting the app in-process: application.id " + config.applicationId() + ", topics "
                + config.topicNames().orders() + " ..., " + target.orderPartitions() + " partition"
                + (target.orderPartitions() == 1 ? "" : "s") + ", " + config.processingGuarantee() + ", grace "
                + config.grace() + ", horizon " + config.horizon());
        long appStart = System.nanoTime();
        Instant expectedLast = lastClosable(sales.last(), config);
        ReplayThread replay;
        DemoSummary summary;
        try (ForecasterApp app = ForecasterApp.start(config, ModelLoader.installed(config), Duration.ofSeconds(30))) {
            awaitRunning(app);
            out.printf(Locale.ROOT, "  running: model %s, REST http://%s:%d/forecasts/{product}%n",
                    app.modelVersion() == null ? "none (seasonal naive fallback)" : app.modelVersion(),
                    app.restAddress().getHostString(), app.restAddress().getPort());
            step("Replaying " + DemoReport.day(replayFrom) + " .. " + DemoReport.day(sales.last()) + " ("
                    + settings.warmupDays() + " warm-up days before the split " + settings.split()
                    + ") as fast as the app takes it; one line per closed bucket: day, series forecast (by method), "
                    + products.get(0) + "'s next-day quantiles, orders read by the app / sent, rates");
            replay = new ReplayThread(config, replayFrom, until);
            replay.start();
            try (StreamWatch watch = new StreamWatch(config, new HashSet<>(products), products.get(0), out,
                    () -> app.metrics().recordsIn(), replay.sent::get)) {
                boolean complete = follow(app, replay, watch, expectedLast);
                watch.finish();
                double streamSeconds = seconds(appStart);
                if (!complete) {
                    err.println("demo: stopped waiting after " + settings.timeout().toSeconds() + " s (--timeout); "
                            + "the summary covers the buckets closed so far");
                }
                replay.interrupt();
                replay.join(TimeUnit.SECONDS.toMillis(30));
                if (replay.failure.get() != null) {
                    throw replay.failure.get();
                }
                step("Stopping the app ...");
                app.close();
                try {
                    app.streams().cleanUp();
                } catch (IllegalStateException e) {
                    err.println("demo: the app's local state in " + config.stateDir() + " stays: " + e.getMessage());
                }
                step("Scoring the streamed forecasts against sales-actuals ...");
                Instant lastClosed = watch.lastClosedBucket();
                DemoEvaluation.Result scored = DemoEvaluation.score(products, sales, watch, replayFrom,
                        bucket.plus(split, -1), lastClosed, config.horizon(), config.historyLength());
                StockSimulation.Result whatIf = StockSimulation.run(scored.points(), WHAT_IF_LEAD,
                        WHAT_IF_SERVICE_LEVEL, products.isEmpty() ? null : products.get(0));
                summary = new DemoSummary(watch.versions().size() == 1 ? watch.versions().iterator().next()
                        : String.join("+", watch.versions()), modelSource, products,
                        replay.summary == null ? null : replay.summary.firstEvent(),
                        replay.summary == null ? null : replay.summary.lastEvent(), replay.sent.get(),
                        replay.summary == null ? 0 : replay.summary.elapsed().toNanos() / 1e9, streamSeconds,
                        watch.deadLetters(), watch.closedBuckets(), watch.firstClosedBucket(), lastClosed,
                        watch.forecastCount(),
                        watch.actualCount(), watch.methods(), watch.duplicates(), watch.incompleteBuckets(),
                        scored.mismatchedActuals(), scored.comparedActuals(), scored.mismatchExamples(),
                        scored.figures(), scored.origins(),
                        scored.firstTarget(), scored.lastTarget(), replayFrom, split, settings.outDir(),
                        whatIf.text());
                List<String> plotted = products.subList(0, Math.min(settings.plottedProducts(), products.size()));
                DemoReport.write(settings.outDir(), summary, scored, plotted, whatIf);
            }
        } finally {
            if (!target.keepTopics()) {
                deleteTopics(config);
            }
        }
        return summary;
    }

    /** The trained model's version and where it was exported. */
    private record Trained(String version, Path dir) {
    }

    private Trained train(DailySales sales, List<String> products, Instant from, Instant split, Bucket bucket)
            throws IOException {
        DemoSettings.Training t = settings.model();
        List<SeriesHistory> histories = new ArrayList<>();
        int days = 0;
        for (String product : products) {
            SeriesHistory h = sales.history(product, from, split);
            // A window needs the horizon twice over (its targets and the validation's) and a bit of past.
            if (h != null && h.length() > 2 * settings.horizon() + 1) {
                histories.add(h);
                days += h.length();
            }
        }
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("none of the " + products.size() + " products has more than "
                    + (2 * settings.horizon() + 1) + " days before the split " + settings.split()
                    + " to train on (--train-from, --split, --horizon)");
        }
        LstmConfig config = LstmConfig.defaults(bucket)
                .withShape(t.lookback(), settings.horizon(), 1, t.hiddenUnits(), Math.max(8, t.hiddenUnits() / 2))
                .withTraining(t.epochs(), 128, 0.001, t.patience(), t.seed(), settings.horizon())
                .withQuantiles(0.1, 0.5, 0.9)
                .withMaxWindowsPerSeries(t.windowsPerSeries());
        step(String.format(Locale.ROOT, "Training the LSTM on %d products, %,d product-days (L %d, H %d, %d units, "
                        + "at most %d epochs of %d windows per product, early stopping on the last %d days) ...",
                histories.size(), days, t.lookback(), settings.horizon(), t.hiddenUnits(), t.epochs(),
                t.windowsPerSeries(), settings.horizon()));
        ProgressBar progress = new ProgressBar(err);
        try (LstmModel model = new LstmTrainer(config).train(histories, progress)) {
            progress.finish();
            Path dir = settings.outDir().resolve("models").resolve(model.version()).toAbsolutePath();
            model.export(dir);
            return new Trained(model.version(), dir);
        } finally {
            progress.finish();
        }
    }

    /** The app's configuration for this run: its own application id, state and topics. */
    AppConfig appConfig(String runId, Path modelDir) {
        Map<String, String> props = new HashMap<>();
        props.put("application.id", runId);
        props.put("bootstrap.servers", target.bootstrapServers());
        props.put("schema.registry.url", target.schemaRegistryUrl());
        props.put("state.dir", target.workDir().resolve(runId).resolve("state").toString());
        props.put("bucket", "day");
        props.put("grace", "1 bucket");
        props.put("horizon", Integer.toString(settings.horizon()));
        props.put("processing.guarantee", "exactly_once_v2");
        // Buckets close on the slowest partition's event time; a partition counts as idle only when nothing waits
        // for its intake task (before, a starved task on a loaded machine was taken for idle: docs/ARCHITECTURE.md).
        props.put("topic.partitions", Integer.toString(target.orderPartitions()));
        props.put("topic.replication.factor", "1");
        props.put("rest.port", Integer.toString(target.restPort()));
        for (String t : List.of("orders", "orders.dlq", "inventory", "sales.actuals", "forecasts",
                "restock.alerts", "models")) {
            props.put("topic." + t, runId + "-" + t.replace('.', '-'));
        }
        if (modelDir != null) {
            props.put("model.dir", modelDir.toString());
        }
        return AppConfig.from(props, Map.of());
    }

    /**
     * The last bucket the app can close from the replay alone: stream time stops at the last order, and a bucket
     * closes when stream time passes its end plus grace.
     */
    static Instant lastClosable(Instant lastOrder, AppConfig config) {
        Bucket b = config.bucket();
        return b.plus(b.floor(lastOrder.minus(config.grace())), -1);
    }

    private boolean follow(ForecasterApp app, ReplayThread replay, StreamWatch watch, Instant expectedLast)
            throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            watch.poll(Duration.ofMillis(500));
            if (app.awaitStop(Duration.ZERO)) {
                throw new IllegalStateException("the app stopped during the replay (stream state "
                        + app.health().state() + "); see the log above");
            }
            if (replay.failure.get() != null) {
                throw replay.failure.get();
            }
            Instant last = watch.slowestTaskClosed();
            if (!replay.isAlive() && last != null && !last.isBefore(expectedLast)
                    && watch.forecastCount() == watch.actualCount()) {
                return true;
            }
        }
        return false;
    }

    private void awaitRunning(ForecasterApp app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!app.health().state().equals("RUNNING")) {
            if (System.nanoTime() > deadline || app.awaitStop(Duration.ZERO)) {
                throw new IllegalStateException("the app did not reach RUNNING within 120 s (state "
                        + app.health().state() + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Sends the orders of [from, until) from the file, as fast as the producer takes them. */
    private final class ReplayThread extends Thread {
        final AtomicLong sent = new AtomicLong();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AppConfig config;
        final OrderReplay.Settings replaySettings;
        volatile OrderReplay.Summary summary;

        ReplayThread(AppConfig config, Instant from, Instant until) {
            super("demo-replay");
            setDaemon(true);
            this.config = config;
            this.replaySettings = new OrderReplay.Settings(0, 0, 0, from, until);
        }

        @Override
        public void run() {
            try (OrderLinesFile file = OrderLinesFile.open(settings.data(), settings.zone());
                 Producer<String, OrderEvent> producer = ProduceCommand.producer(config)) {
                summary = OrderReplay.run(file, producer, config.topicNames().orders(), replaySettings,
                        (count, eventTime, elapsed) -> sent.set(count));
            } catch (IOException e) {
                failure.set(new IllegalStateException("replaying " + settings.data() + " failed: " + e, e));
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }
    }

    /** An idempotent producer with the registry's serializer, as {@code produce} uses. */
    /** Deletes this run's topics, the app's internal ones included: a re-run starts clean and the disk stays small. */
    private void deleteTopics(AppConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Set<String> ours = new HashSet<>();
            for (String name : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (name.startsWith(config.applicationId() + "-")) {
                    ours.add(name);
                }
            }
            if (!ours.isEmpty()) {
                admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err.println("demo: could not delete this run's topics (" + config.applicationId() + "-*): " + e);
        }
    }

    private void step(String what) {
        out.println(what);
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
