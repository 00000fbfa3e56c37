package io.demandcast.app.retrain;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelArchive;
import io.demandcast.app.registry.ModelReleaseFollower;
import io.demandcast.app.replay.OrderReplay;
import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what the trainer costs the stream (not a unit test: timings on a shared machine are noisy): the app's
 * ingest throughput, in orders per second through the whole pipeline, without training (a) and while fine-tune
 * cycles run back to back in the same JVM (b), in the same run, alternating a, b, a, b ... after one uncounted
 * warm-up pass.
 *
 * <p>Each pass starts a {@link ForecasterApp} (exactly_once_v2, one partition, daily buckets with a day of grace,
 * serving a champion LSTM of the default daily shape) with a fresh application id and output topics on the
 * testkit's in-JVM broker and Apicurio registry, over the same synthetic orders produced once beforehand. A pass
 * runs from the first order the app reads to the moment a read_committed consumer sees every actual and forecast
 * the input must produce (computed from the input: each product from the day of its first sale to the last day
 * the last order closes); its rate is the orders read in that span over its length.
 *
 * <p>The training of (b) is what the trainer role's cycle thread does: {@link RetrainCycle} with
 * {@link CandidateSource#fineTune} (copy of the champion, scores, fine-tune, candidate scored, exported and
 * zipped; the Kafka send left out), on a window of N series x 120 daily buckets, {@code retrain.threads} 1,
 * 2 epochs, on a thread of minimum priority as the role's. The cycles start before the app and run back to back
 * until the pass is done, so they cover the whole ingest; the bench checks that none failed and that one still
 * ran at the end, then waits for it to finish before the next pass.
 *
 * <p>Run (from the repository root, after {@code mvn -B -o -pl stream-app -am process-test-classes}):
 * {@code java -Ddemandcast.apicurio.home=stream-app/target/apicurio-registry -cp <stream-app test classpath>
 * io.demandcast.app.retrain.RetrainIngestBench [products days ordersPerDay fineTuneSeries pairs]}
 * (defaults: 1000 120 150 1000 2). Results go to stdout, logs to stderr.
 */
public final class RetrainIngestBench {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainIngestBench.class);
    private static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final Duration PASS_TIMEOUT = Duration.ofMinutes(10);
    private static final int EPOCHS = 2;
    private static final int THREADS = 1;

    /** Synthetic orders and what the app must publish for them: one actual and one forecast per closed bucket. */
    record Input(List<OrderEvent> orders, long expectedPerTopic, int products, int days) {
    }

    /** One pass: its rate is the orders read between the first read and the committed outputs over that span. */
    record Pass(String label, boolean training, long orders, double seconds, double readSeconds, double cpuSeconds,
                double load1Start, double load1End, int cyclesStarted, int cyclesFinished, long actualsCommitted,
                long forecastsCommitted, Map<String, Object> metrics) {
        double rate() {
            return orders / seconds;
        }
    }

    private final Cluster cluster;
    private final Path work;
    private final Path champion;
    private final Input input;
    private final String ordersTopic;
    private final List<SeriesHistory> window;
    private final RetrainCycle cycle;
    private final ModelReleaseFollower.Champion championRelease;

    private RetrainIngestBench(Cluster cluster, Path work, Path champion, Input input, String ordersTopic,
                               List<SeriesHistory> window) {
        this.cluster = cluster;
        this.work = work;
        this.champion = champion;
        this.input = input;
        this.ordersTopic = ordersTopic;
        this.window = window;
        AppConfig.Models d = AppConfig.defaults().models();
        AppConfig.Models settings = new AppConfig.Models(d.name(), work.resolve("trainer-shared"),
                work.resolve("trainer-cache"), true, d.everyBuckets(), 14, d.margin(), EPOCHS, 120, d.maxSeries(), 0,
                THREADS);
        // The zip a promotion publishes is made; the send to the models topic is left out.
        this.cycle = new RetrainCycle((dir, metrics) -> {
            ModelArchive.zip(dir);
            return null;
        }, settings, new RetrainMetrics());
        ModelRelease release = ModelRelease.newBuilder().setModelName("bench").setVersion("champion")
                .setCreated(Instant.now()).setTrainingFrom(Instant.now()).setTrainingTo(Instant.now())
                .setMetrics(Map.of()).setModelCardJson("{}").setPromotedAt(Instant.now()).build();
        this.championRelease = new ModelReleaseFollower.Champion(release, champion);
    }

    public static void main(String[] args) throws Exception {
        int products = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int perDay = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        int fineTuneSeries = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int pairs = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        if (days < 4 || products < 1 || perDay < 1 || fineTuneSeries < 1 || pairs < 1) {
            throw new IllegalArgumentException("want products >= 1, days >= 4, ordersPerDay >= 1, fineTuneSeries >= 1,"
                    + " pairs >= 1; got " + String.join(" ", args));
        }
        int code = 1;
        Path work = Files.createTempDirectory("retrain-ingest-bench-");
        try {
            code = run(work, products, days, perDay, fineTuneSeries, pairs);
        } catch (Exception | Error e) {
            // Logged here: System.exit below would drop it.
            LOG.error("the bench failed", e);
        } finally {
            deleteTree(work);
            // The broker's and the registry's shutdown hooks stop them; the broker's threads would keep the JVM up.
            System.exit(code);
        }
    }

    private static int run(Path work, int products, int days, int perDay, int fineTuneSeries, int pairs)
            throws Exception {
        System.out.printf(Locale.ROOT, "cores %d, load average at start %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage());
        long t0 = System.nanoTime();
        Path champion = work.resolve("champion");
        LstmConfig config = LstmConfig.defaults(Bucket.DAY).withTraining(2, 128, 0.001, 6, 42L, 0)
                .withServing(1024, THREADS);
        try (LstmModel model = new LstmTrainer(config).train(new RegimeChange(100, 1L)
                .histories(RegimeChange.CHANGE_DAY), null)) {
            model.export(champion);
        }
        System.out.printf(Locale.ROOT, "champion (%s) trained in %.1f s%n", config, (System.nanoTime() - t0) / 1e9);
        // As RetrainBench: 120 buckets ending 60 days after the regime change.
        List<SeriesHistory> window = new RegimeChange(fineTuneSeries, 2L).histories(RegimeChange.CHANGE_DAY + 60)
                .stream().map(h -> RetrainBench.tail(h, 120)).toList();

        Cluster cluster = Cluster.shared();
        Input input = orders(products, days, perDay, 7L);
        String ordersTopic = KafkaBroker.uniqueTopic("bench-orders");
        cluster.broker.createTopics(1, ordersTopic);
        AppConfig producerConfig = cluster.config(work.resolve("producer-state"), "topic.orders", ordersTopic);
        Topics topics = new Topics(producerConfig.topicNames(),
                new AvroSerdes(ForecasterApp.serdeConfig(producerConfig)));
        try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, producerConfig.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                topics.orders().valueSerde().serializer())) {
            OrderReplay.Summary s = OrderReplay.run(input.orders().iterator(), producer, ordersTopic,
                    OrderReplay.Settings.asFastAsPossible(), OrderReplay.Progress.NONE);
            System.out.printf(Locale.ROOT, "input: %,d orders of %,d products over %d days in %s (once, before the "
                            + "passes); each pass must commit %,d actuals and %,d forecasts; fine-tune window %,d "
                            + "series x 120 days, %d epochs, %d thread%n", s.sent(), products, days, ordersTopic,
                    input.expectedPerTopic(), input.expectedPerTopic(), fineTuneSeries, EPOCHS, THREADS);
        }

        RetrainIngestBench bench = new RetrainIngestBench(cluster, work, champion, input, ordersTopic, window);
        System.out.println("pass | training | orders | s | orders/s | read-all s | process CPU s | load 1m start/end"
                + " | cycles started/finished | actuals/forecasts committed | published a/f | fallback forecasts");
        print(bench.pass("warm-up (not counted)", false));
        List<Pass> passes = new ArrayList<>();
        for (int i = 1; i <= pairs; i++) {
            passes.add(print(bench.pass("a" + i, false)));
            passes.add(print(bench.pass("b" + i, true)));
        }
        double a = median(passes.stream().filter(p -> !p.training()).mapToDouble(Pass::rate).toArray());
        double b = median(passes.stream().filter(Pass::training).mapToDouble(Pass::rate).toArray());
        System.out.printf(Locale.ROOT, "median without training (a): %.0f orders/s; median while fine-tuning (b): "
                + "%.0f orders/s; b/a = %.2f; load average at end %s%n", a, b, b / a, loadAverage());
        return 0;
    }

    private Pass pass(String label, boolean training) throws Exception {
        Path dir = Files.createTempDirectory(work, "pass-");
        AppConfig config = cluster.config(dir.resolve("state"), "bucket", "day", "grace", "1 bucket",
                "topic.partitions", "1", "horizon", "28", "processing.guarantee", "exactly_once_v2",
                "commit.interval.ms", "1000", "transaction.timeout.ms", "60000",
                "model.dir", champion.toString(), "model.shared.dir", dir.resolve("shared").toString(),
                "model.cache.dir", dir.resolve("cache").toString(), "retrain.enabled", "false",
                "topic.orders", ordersTopic);
        long n = input.orders().size();
        double loadStart = loadAverage1();
        try (Trainer trainer = training ? new Trainer(cycle, championRelease, window).start() : null) {
            if (trainer != null) {
                // The cycle is under way (loading the copy, scoring) before the app reads its first order.
                Wait.until("the first fine-tune cycle to start", Duration.ofSeconds(60),
                        () -> trainer.started.get() > 0);
            }
            try (ForecasterApp app = ForecasterApp.start(config, LstmModel::load, Duration.ofSeconds(60));
                 KafkaConsumer<byte[], byte[]> outputs = committedReader(config)) {
                String actualsTopic = config.topicNames().salesActuals();
                long actuals = 0;
                long forecasts = 0;
                long first = 0;
                long firstCount = 0;
                long readAll = 0;
                long cpu0 = 0;
                long deadline = System.nanoTime() + PASS_TIMEOUT.toNanos();
                while (true) {
                    for (ConsumerRecord<byte[], byte[]> r : outputs.poll(Duration.ofMillis(20))) {
                        if (r.topic().equals(actualsTopic)) {
                            actuals++;
                        } else {
                            forecasts++;
                        }
                    }
                    long in = app.metrics().recordsIn();
                    long now = System.nanoTime();
                    if (first == 0 && in > 0) {
                        first = now;
                        firstCount = in;
                        cpu0 = processCpuNanos();
                    }
                    if (readAll == 0 && in >= n) {
                        readAll = now;
                    }
                    if (readAll != 0 && actuals >= input.expectedPerTopic() && forecasts >= input.expectedPerTopic()) {
                        break;
                    }
                    if (app.failed() || now > deadline) {
                        throw new IllegalStateException(label + ": " + (app.failed() ? "the app failed" : "no end after "
                                + PASS_TIMEOUT.toSeconds() + " s") + "; read " + in + " of " + n + " orders, committed "
                                + actuals + " actuals and " + forecasts + " forecasts of " + input.expectedPerTopic()
                                + " each; app metrics " + app.metrics().snapshot());
                    }
                    if (trainer != null && trainer.failure.get() != null) {
                        throw new IllegalStateException(label + ": a fine-tune cycle failed", trainer.failure.get());
                    }
                }
                long done = System.nanoTime();
                double cpu = (processCpuNanos() - cpu0) / 1e9;
                int started = trainer == null ? 0 : trainer.started.get();
                int finished = trainer == null ? 0 : trainer.finished.get();
                if (trainer != null && !trainer.thread.isAlive()) {
                    throw new IllegalStateException(label + ": the fine-tune cycles stopped before the pass ended");
                }
                Pass pass = new Pass(label, training, n - firstCount, (done - first) / 1e9, (readAll - first) / 1e9,
                        cpu, loadStart, loadAverage1(), started, finished, actuals, forecasts,
                        app.metrics().snapshot());
                app.close();
                app.streams().cleanUp();
                return pass;
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Counts what the app has committed to its outputs (read_committed, bytes only: counting is all it does). */
    private static KafkaConsumer<byte[], byte[]> committedReader(AppConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(config.topicNames().salesActuals(), config.topicNames().forecasts())) {
            c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(topic,
                    p.partition())));
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    /**
     * {@code perDay} orders a day of 1 to 4 lines of uniformly drawn products, spread over each day (never at
     * midnight). With a day of grace, the last order (day {@code days - 1}) closes the buckets up to day
     * {@code days - 3}; each product has one actual and one forecast for every closed day from its first sale on.
     */
    static Input orders(int products, int days, int perDay, long seed) {
        Random random = new Random(seed);
        int[] firstDay = new int[products];
        Arrays.fill(firstDay, -1);
        List<OrderEvent> orders = new ArrayList<>(days * perDay);
        long daySeconds = Duration.ofDays(1).toSeconds();
        for (int d = 0; d < days; d++) {
            for (int i = 0; i < perDay; i++) {
                Instant t = DAY0.plusSeconds(d * daySeconds + 60 + i * (daySeconds - 120) / perDay);
                int lines = 1 + random.nextInt(4);
                List<OrderLine> items = new ArrayList<>(lines);
                for (int k = 0; k < lines; k++) {
                    int p = random.nextInt(products);
                    if (firstDay[p] < 0) {
                        firstDay[p] = d;
                    }
                    items.add(OrderLine.newBuilder().setProductId(String.format(Locale.ROOT, "SKU-%05d", p))
                            .setQuantity(1 + random.nextInt(12)).setUnitPrice(1.0 + p % 50).build());
                }
                orders.add(OrderEvent.newBuilder().setOrderId(String.format(Locale.ROOT, "O%03d-%05d", d, i))
                        .setEventTime(t).setCustomerId("C" + random.nextInt(5000)).setChannel("web")
                        .setCountry("GB").setType(OrderType.SALE).setLines(items).build());
            }
        }
        int lastClosed = days - 3;
        long expected = 0;
        for (int f : firstDay) {
            if (f >= 0 && f <= lastClosed) {
                expected += lastClosed - f + 1;
            }
        }
        return new Input(Collections.unmodifiableList(orders), expected, products, days);
    }

    /** Fine-tune cycles back to back on one thread of minimum priority, as the trainer role runs them. */
    private static final class Trainer implements AutoCloseable {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final Thread thread;
        private volatile boolean stop;

        Trainer(RetrainCycle cycle, ModelReleaseFollower.Champion champion, List<SeriesHistory> window) {
            thread = new Thread(() -> {
                while (!stop) {
                    started.incrementAndGet();
                    try {
                        cycle.run("fine-tune", champion, window, CandidateSource.fineTune(EPOCHS, THREADS));
                    } catch (Exception e) {
                        failure.set(e);
                        return;
                    }
                    finished.incrementAndGet();
                }
            }, "retrain-cycle");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
        }

        Trainer start() {
            thread.start();
            return this;
        }

        /** Lets the cycle in progress finish (a TensorFlow session does not stop midway), so the next pass has none. */
        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    private static Pass print(Pass p) {
        Map<String, Object> m = p.metrics();
        long fallback = m.entrySet().stream().filter(e -> e.getKey().startsWith("forecasts.fallback."))
                .mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
        System.out.printf(Locale.ROOT, "%s | %s | %,d | %.1f | %.0f | %.1f | %.1f | %.1f/%.1f | %s | %,d/%,d | %s/%s"
                        + " | %,d%n", p.label(), p.training() ? "fine-tune" : "none", p.orders(), p.seconds(), p.rate(),
                p.readSeconds(), p.cpuSeconds(), p.load1Start(), p.load1End(),
                p.training() ? p.cyclesStarted() + "/" + p.cyclesFinished() : "-", p.actualsCommitted(),
                p.forecastsCommitted(), m.get("actuals.published"), m.get("forecasts.published"), fallback);
        if (((Number) m.get("records.late")).longValue() != 0) {
            System.out.println("  WARNING: late records " + m.get("records.late") + "; metrics " + m);
        }
        return p;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static double loadAverage1() throws IOException {
        return Double.parseDouble(loadAverage().split(" ")[0]);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
