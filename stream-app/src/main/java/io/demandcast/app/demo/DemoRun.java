package io.demandcast.app.demo;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.replay.OrderReplay;
import io.demandcast.app.replay.OrdersOnTopic;
import io.demandcast.app.replay.ProduceCommand;
import io.demandcast.app.replay.ReplayOutputs;
import io.demandcast.app.replay.TopicReplay;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicProvisioner;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.cli.ProgressBar;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.model.lstm.ModelCard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The demo's main job, on a broker and a registry that already run, through the code paths of {@code produce} and
 * {@code replay}: reads the order-lines file the stream's way, trains an LSTM on the products that sell most
 * regularly before the split (or takes a given model), sends the file's orders to the demo's orders topic as
 * {@code produce} does ({@link ProduceCommand#sendOrders}), replays the scored period with the model's warm-up
 * through the production topology as {@code replay} does ({@link TopicReplay}: its own application id and topics,
 * its progress line, everything it created deleted at the end), then scores the replay's forecasts against its
 * actuals beside the seasonal naive, runs the restock what-if and writes the report. The command
 * ({@link DemoCommand}) adds the local servers.
 *
 * <p>The orders go to a topic of the demo's own ({@link #DEFAULT_ORDERS_TOPIC}), not to {@code orders}: an app
 * that {@code run} keeps on the same broker would otherwise forecast a year of Online Retail, and the replay would
 * score whatever else {@code orders} holds. The topic stays after the demo, as a production {@code orders} would, so
 * that a second demo on the same broker reads it instead of sending the file again; {@link OrdersOnTopic} says which
 * orders it holds (all of them after a complete run, a prefix after one cut short), and only the others are sent,
 * so no order is ever on it twice. Only the replay's topics, group and registry subjects are deleted.
 */
public final class DemoRun {

    /** Partitions of the demo's orders topic when the demo creates it; the replay's topics get as many. */
    public static final int DEFAULT_PARTITIONS = 2;
    /** The demo's orders topic: the file's orders, sent once and kept for the next demo. */
    public static final String DEFAULT_ORDERS_TOPIC = "demo-orders";
    /** The what-if of the restock policy: lead time in days and service level ({@link StockSimulation}). */
    static final int WHAT_IF_LEAD = 3;
    static final double WHAT_IF_SERVICE_LEVEL = 0.9;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Where the demo connects, and where its replay keeps its state while it runs.
     * @param ordersTopic     the topic the file's orders go to and the replay reads
     * @param keepTopics      keep the replay's topics, group, registry subjects and work folder
     * @param orderPartitions partitions of {@code ordersTopic} when the demo creates it: with more than one, each
     *                        intake task reads at its own pace and buckets wait for the slowest
     *                        (docs/ARCHITECTURE.md)
     */
    public record Target(String bootstrapServers, String schemaRegistryUrl, Path workDir, String ordersTopic,
                         boolean keepTopics, int orderPartitions) {

        public Target {
            if (orderPartitions < 1) {
                throw new IllegalArgumentException("orders partitions: expected >= 1, got " + orderPartitions);
            }
            if (ordersTopic == null || ordersTopic.isBlank()) {
                throw new IllegalArgumentException("the demo's orders topic must be named; got '" + ordersTopic
                        + "'");
            }
        }
    }

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
        AppConfig production = appConfig();
        Bucket bucket = production.bucket();

        long t0 = System.nanoTime();
        step("Reading " + settings.data() + " the stream's way (validation, SALE adds, RETURN subtracts, daily "
                + "UTC buckets) ...");
        DailySales sales = DailySales.read(settings.data(), settings.zone(), production);
        Instant split = bucket.floor(settings.split());
        Instant trainFrom = settings.trainFrom() == null ? bucket.floor(sales.first())
                : bucket.floor(settings.trainFrom());
        if (sales.last() == null || !sales.last().isAfter(split)) {
            throw new IllegalArgumentException(settings.data() + " has no valid order after the split "
                    + settings.split() + "; nothing to replay (--split)");
        }
        // The last bucket scored: the day before --until, or the last one the file's orders close.
        Instant to = lastClosable(sales.last(), production);
        if (settings.until() != null && bucket.floor(settings.until()).isBefore(bucket.plus(to, 1))) {
            to = bucket.plus(bucket.floor(settings.until()), -1);
        }
        if (to.isBefore(split)) {
            throw new IllegalArgumentException("no bucket from the split " + settings.split() + " on can close: the "
                    + "file's last order is at " + sales.last() + " and grace is " + production.grace()
                    + " (--split, --until)");
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

        Trained model;
        String modelSource;
        if (settings.model().modelDir() != null) {
            Path dir = settings.model().modelDir().toAbsolutePath();
            ModelCard card = ModelCard.read(dir);
            model = new Trained(card.version(), dir, card.lookback());
            modelSource = "loaded from " + dir;
            out.println("  model: " + model.version() + " " + modelSource + " (--model or --skip-train: not trained "
                    + "here)");
        } else {
            long tt = System.nanoTime();
            model = train(sales, products, trainFrom, split, bucket);
            modelSource = "trained here on " + products.size() + " products x " + DemoReport.day(trainFrom) + " .. "
                    + DemoReport.day(split.minusSeconds(1));
            out.printf(Locale.ROOT, "  trained %s in %.0f s; exported to %s%n", model.version(), seconds(tt),
                    model.dir());
        }
        out.flush();

        DemoSummary.Produced produced = produce(production);

        int warmup = settings.warmupDays() != null ? settings.warmupDays() : model.lookback();
        TopicReplay.Plan plan = TopicReplay.Plan.of(production, split, to, warmup, target.workDir(),
                target.keepTopics(), settings.timeout());
        TopicReplay replay = new TopicReplay(plan, new TopicReplay.Candidate(model.version(), model.dir()), out, err,
                System.console() != null, false);
        step(String.format(Locale.ROOT, "Replaying %s as `forecaster replay` does: %,d orders stamped %s .. %s, %d "
                        + "warm-up days before the split %s, forecasts scored %s .. %s; application.id %s, topics "
                        + "%s-* (%d partition%s, %s, grace %s, horizon %d)", plan.topic(), plan.orders(),
                DemoReport.day(plan.start()), DemoReport.day(plan.stop()), warmup, settings.split(),
                DemoReport.day(split), DemoReport.day(to), replay.replayId(), replay.replayId(), plan.partitions(),
                plan.partitions() == 1 ? "" : "s", production.processingGuarantee(), production.grace(),
                production.horizon()));
        // Ctrl-C: the replay deletes what it created, as `replay` does.
        Thread hook = new Thread(replay::cleanUp, "demo-replay-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        TopicReplay.Result result;
        try {
            result = replay.run();
        } finally {
            replay.cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook runs.
            }
        }
        ReplayOutputs outputs = result.outputs();
        Instant lastClosed = outputs.slowestClosed() == null || outputs.slowestClosed().isBefore(plan.to())
                ? outputs.slowestClosed() : plan.to();
        if (!result.complete()) {
            err.println("demo: the replay did not end as expected (above); the summary covers the buckets it closed, "
                    + "up to " + (lastClosed == null ? "none" : DemoReport.day(lastClosed)));
            if (outputs.deadLetters().containsKey(Rejection.DESERIALIZATION)) {
                err.println("demo: " + target.ordersTopic() + " holds orders the app could not read. If the registry "
                        + "lost their schemas, start over with empty servers: forecaster infra down --purge");
            }
        }
        out.printf(Locale.ROOT, "  %s %,d topics and %,d registry subjects of %s%n", target.keepTopics() ? "kept"
                : "deleted", result.topics().size(), result.subjects().size(), replay.replayId());

        step("Scoring the replay's forecasts against its sales-actuals ...");
        DemoEvaluation.Result scored = DemoEvaluation.score(products, sales, outputs, lastClosed,
                production.horizon(), production.historyLength());
        StockSimulation.Result whatIf = StockSimulation.run(scored.points(), WHAT_IF_LEAD, WHAT_IF_SERVICE_LEVEL,
                products.get(0));
        Closed closed = Closed.of(outputs, lastClosed);
        DemoSummary.Replayed replayed = new DemoSummary.Replayed(result.replayId(), result.ordersCopied(),
                plan.start(), result.latestOrder(), result.seconds(), result.complete(), result.topics().size(),
                result.subjects().size(), target.keepTopics());
        DemoSummary summary = new DemoSummary(result.servedVersion() == null ? "none" : result.servedVersion(),
                modelSource, products, produced, replayed, outputs.deadLetters(), closed.count(), closed.first(),
                lastClosed, outputs.forecastCount(), outputs.actualCount(), outputs.methods(), outputs.duplicates(),
                closed.incomplete(), scored.mismatchedActuals(), scored.comparedActuals(), scored.mismatchExamples(),
                scored.figures(), scored.origins(), scored.firstTarget(), scored.lastTarget(), split,
                settings.outDir(), whatIf.text());
        List<String> plotted = products.subList(0, Math.min(settings.plottedProducts(), products.size()));
        DemoReport.write(settings.outDir(), summary, scored, plotted, whatIf);
        return summary;
    }

    /**
     * Sends the file's orders that the demo's orders topic does not hold yet, as {@code produce --data} does: all of
     * them the first time, none when an earlier demo sent them.
     */
    private DemoSummary.Produced produce(AppConfig production) {
        String topic = target.ordersTopic();
        step("Producing " + settings.data() + " to " + topic + " as `forecaster produce` does, the orders it does "
                + "not hold yet ...");
        long t0 = System.nanoTime();
        try (Admin admin = Admin.create(ForecasterApp.adminProperties(production, ADMIN_TIMEOUT))) {
            TopicProvisioner.ensure(admin, production, List.of(topic), ADMIN_TIMEOUT);
        }
        OrdersOnTopic already = OrdersOnTopic.read(production, topic);
        OrderReplay.Summary sent;
        try {
            sent = ProduceCommand.sendOrders(production, settings.data(), settings.zone(), topic,
                    OrderReplay.Settings.asFastAsPossible(), already, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + settings.data() + ": " + e.getMessage(), e);
        }
        DemoSummary.Produced produced = new DemoSummary.Produced(topic, already.records(), sent.sent(),
                seconds(t0));
        out.printf(Locale.ROOT, "  %,d orders were on %s already, sent %,d in %.1f s%n", produced.alreadyThere(),
                topic, produced.sent(), produced.seconds());
        out.flush();
        return produced;
    }

    /**
     * The buckets the replay closed up to {@code last}: how many, the first, and those after the first scored origin
     * whose number of series with an actual differs from the number with a forecast (a close publishes both for
     * every series it holds: exactly one forecast per product-day).
     */
    private record Closed(int count, Instant first, List<Instant> incomplete) {

        static Closed of(ReplayOutputs outputs, Instant last) {
            if (last == null) {
                return new Closed(0, null, List.of());
            }
            Bucket bucket = outputs.bucket();
            int n = Math.toIntExact(bucket.between(outputs.start(), last) + 1);
            int[] actuals = new int[n];
            for (double[] a : outputs.actuals().values()) {
                for (int i = 0; i < n; i++) {
                    actuals[i] += Double.isNaN(a[i]) ? 0 : 1;
                }
            }
            int count = 0;
            Instant first = null;
            for (int i = 0; i < n; i++) {
                if (actuals[i] > 0) {
                    count++;
                    first = first == null ? bucket.plus(outputs.start(), i) : first;
                }
            }
            int originIdx = Math.toIntExact(bucket.between(outputs.start(), outputs.firstOrigin()));
            int origins = Math.min(outputs.origins(), n - originIdx);
            int[] forecasts = new int[Math.max(0, origins)];
            for (ReplayOutputs.Made[] made : outputs.forecasts().values()) {
                for (int k = 0; k < forecasts.length; k++) {
                    forecasts[k] += made[k] == null ? 0 : 1;
                }
            }
            List<Instant> incomplete = new ArrayList<>();
            for (int k = 0; k < forecasts.length; k++) {
                if (forecasts[k] != actuals[originIdx + k]) {
                    incomplete.add(bucket.plus(outputs.firstOrigin(), k));
                }
            }
            return new Closed(count, first, incomplete);
        }
    }

    /** The model served: its version, where it is exported, and the buckets of history it reads. */
    private record Trained(String version, Path dir, int lookback) {
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
            return new Trained(model.version(), dir, t.lookback());
        } finally {
            progress.finish();
        }
    }

    /**
     * The configuration the replay derives its own from, as {@code replay} derives it from production's: daily
     * buckets, a bucket of grace, exactly-once, a stream thread per orders partition (up to the cores), and the
     * demo's orders topic as {@code topic.orders}. The replay runs under an application id and topics of its own;
     * nothing runs under this one.
     */
    AppConfig appConfig() {
        Map<String, String> props = new HashMap<>();
        props.put("application.id", "demandcast-demo");
        props.put("bootstrap.servers", target.bootstrapServers());
        props.put("schema.registry.url", target.schemaRegistryUrl());
        props.put("state.dir", target.workDir().resolve("state").toString());
        props.put("bucket", "day");
        props.put("grace", "1 bucket");
        props.put("horizon", Integer.toString(settings.horizon()));
        props.put("processing.guarantee", "exactly_once_v2");
        props.put("topic.partitions", Integer.toString(target.orderPartitions()));
        // Each aggregating task then closes its buckets on a thread of its own (with one TensorFlow thread, see
        // AppConfig#servingThreads) instead of taking turns with the others on Kafka Streams' default single thread.
        props.put(AppConfig.STREAMS_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(
                Math.max(1, Math.min(target.orderPartitions(), Runtime.getRuntime().availableProcessors()))));
        props.put("topic.replication.factor", "1");
        props.put("topic.orders", target.ordersTopic());
        return AppConfig.from(props, Map.of());
    }

    /**
     * The last bucket the app can close from the orders up to {@code lastOrder}: stream time stops at the last
     * order, and a bucket closes when stream time passes its end plus grace.
     */
    static Instant lastClosable(Instant lastOrder, AppConfig config) {
        Bucket b = config.bucket();
        return b.plus(b.floor(lastOrder.minus(config.grace())), -1);
    }

    private void step(String what) {
        out.println(what);
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
