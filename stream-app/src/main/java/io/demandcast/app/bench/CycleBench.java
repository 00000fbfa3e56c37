package io.demandcast.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ForecastCycle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.eventtime.BrokerBacklog;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.topology.ForecastTopology;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The forecast cycle of the running app: {@code series} products each sell once on the first day, then each close
 * is triggered by one order per partition whose event time passes the open day's end plus grace. Every close
 * forecasts all series of both tasks through the topology's {@link ForecastCycle}; it is timed from sending the
 * closing orders until the last forecast has been forwarded by the stream threads (the cycle's own time; the
 * records then sit in the producer) and until a read_committed consumer has seen them all (adds the exactly-once
 * commit interval). Closes alternate between the LSTM and no model (the seasonal naive fallback).
 *
 * <p>This runs in a child JVM ({@link #main}) so that the parent can read the app process's peak resident memory
 * (VmHWM) for the given number of series.
 */
public final class CycleBench {

    static final String RESULT_MARKER = "BENCH-RESULT ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY0 = Instant.parse("2025-06-02T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);
    private static final int LINES_PER_ORDER = 5;

    /**
     * @param series products (series) the app holds
     * @param partitions partitions of the orders topic and of the series repartition
     * @param streamThreads {@code num.stream.threads}
     * @param batchSize the cycle's {@code batch.size}
     * @param modelDir a SavedModel directory (null: fallback closes only)
     * @param historyBuckets untimed fallback closes before the warm-up ones, each adding a bucket to every
     *                       series' history: what the store writes per close depends on how long histories are
     * @param warmUps untimed closes per method first (JIT compilation, TensorFlow's first runs)
     * @param repetitions timed closes per method, after the warm-up closes
     * @param timeout the longest one close may take
     */
    public record Settings(int series, int partitions, int streamThreads, int batchSize, Path modelDir,
                           int historyBuckets, int warmUps, int repetitions, Duration timeout) {
    }

    /**
     * One bucket close.
     *
     * @param method {@code lstm} or the fallback's method
     * @param warmUp one of the first closes of its method (JIT, TensorFlow's first runs), left out of the summary
     * @param forecasts forecasts the close produced (must equal the series)
     * @param cycleMs from the closing series records being readable on the repartition topic (the aggregator's
     *                input) to the last forecast forwarded: the cycle itself
     * @param modelMs of that, the time spent in the model's forecast calls (zero for the fallback)
     * @param forwardedMs from sending the closing orders to the last forecast forwarded by the stream threads
     * @param visibleMs from sending the closing orders to the last forecast seen by a read_committed consumer
     * @param cpuMs CPU time of the whole app process (all threads, TensorFlow's included) from sending the closing
     *              orders to the last forecast forwarded: unlike the wall-clock figures, other loads on the machine
     *              barely change it, and on 2 cores the cycle cannot take less than half of it
     * @param stateBytesPerSeries bytes the app's producers sent to the changelogs of the series' states and
     *                            history bodies during the close, per series: what the close wrote to its stores
     */
    public record Close(int close, String method, boolean warmUp, long forecasts, double cycleMs, double modelMs,
                        double forwardedMs, double visibleMs, double cpuMs, double stateBytesPerSeries) {
    }

    /**
     * One close of the {@link BareClose} baseline, timed from its trigger records being on the broker (sent and
     * acknowledged) to the last forecast forwarded.
     */
    public record BareTiming(int close, boolean warmUp, double cycleMs, double cpuMs) {
    }

    /**
     * @param vmHwmKb the child's peak resident set (VmHWM), as the parent read it from /proc (0 where unknown)
     * @param bareCloses the bare Kafka Streams closes run after the app's, in the same process
     * @param bareCycleMs their timed closes' cycle
     * @param appBytesPerSeries bytes the app's producers sent per series and close (actual, forecast, changelogs)
     * @param bareBytesPerSeries the same for the bare closes, whose record sizes were taken from the app's
     */
    public record Result(int series, int partitions, int streamThreads, int batchSize, int horizon,
                         String modelVersion, double loadSeconds, List<Close> closes,
                         PipelineBench.Summary lstmCycleMs, PipelineBench.Summary fallbackCycleMs,
                         PipelineBench.Summary lstmForwardedMs, PipelineBench.Summary lstmVisibleMs,
                         PipelineBench.Summary fallbackForwardedMs, PipelineBench.Summary fallbackVisibleMs,
                         long heapUsedMb, long vmHwmKb, String childJvmOptions, List<BareTiming> bareCloses,
                         PipelineBench.Summary bareCycleMs, double appBytesPerSeries, double bareBytesPerSeries) {
        Result withMemory(long vmHwmKb, String childJvmOptions) {
            return new Result(series, partitions, streamThreads, batchSize, horizon, modelVersion, loadSeconds,
                    closes, lstmCycleMs, fallbackCycleMs, lstmForwardedMs, lstmVisibleMs, fallbackForwardedMs,
                    fallbackVisibleMs, heapUsedMb, vmHwmKb, childJvmOptions, bareCloses, bareCycleMs,
                    appBytesPerSeries, bareBytesPerSeries);
        }

        Result withBare(List<BareTiming> bare, double bareBytesPerSeries) {
            return new Result(series, partitions, streamThreads, batchSize, horizon, modelVersion, loadSeconds,
                    closes, lstmCycleMs, fallbackCycleMs, lstmForwardedMs, lstmVisibleMs, fallbackForwardedMs,
                    fallbackVisibleMs, heapUsedMb, vmHwmKb, childJvmOptions, bare,
                    PipelineBench.Summary.of(bare.stream().filter(b -> !b.warmUp()).map(BareTiming::cycleMs)
                            .toList()), appBytesPerSeries, bareBytesPerSeries);
        }
    }

    /**
     * What the app's producers sent per record to the actuals and forecasts topics, and per series and close to the
     * changelogs of its series' states and bodies: the bare close writes values of these sizes.
     */
    private record AppBytes(TopicBytes actuals, TopicBytes forecasts, double statePerSeries) {
        /** A record's framing besides its key and value: length, attributes, deltas, key and value lengths. */
        private static final int FRAMING = 10;
        private static final int KEY = SyntheticOrders.productId(0).length();

        double perSeries() {
            return actuals.perRecord() + forecasts.perRecord() + statePerSeries;
        }

        BareClose.Sizes sizes() {
            return new BareClose.Sizes(value(actuals.perRecord()), value(forecasts.perRecord()),
                    value(statePerSeries));
        }

        private static int value(double recordBytes) {
            return Math.max(1, (int) Math.round(recordBytes) - KEY - FRAMING);
        }
    }

    /** Bytes and records a client's producers sent to one topic so far. */
    private record TopicBytes(double bytes, double records) {
        double perRecord() {
            return records == 0 ? 0 : bytes / records;
        }
    }

    private final BenchCluster cluster;
    private final Settings settings;
    private final Path workDir;
    private final PrintWriter log;

    public CycleBench(BenchCluster cluster, Settings settings, Path workDir, PrintWriter log) {
        this.cluster = cluster;
        this.settings = settings;
        this.workDir = workDir;
        this.log = log;
    }

    /** Trains a small daily LSTM on synthetic weekly demand in seconds and exports it to {@code dir}. */
    public static String trainTinyModel(Path dir) throws IOException {
        Random random = new Random(7);
        List<SeriesHistory> histories = new ArrayList<>();
        for (int s = 0; s < 64; s++) {
            double level = 1 + random.nextInt(20);
            double[] units = new double[120];
            for (int d = 0; d < units.length; d++) {
                double weekly = (d % 7 == 5 || d % 7 == 6) ? 1.6 : 1.0;
                units[d] = Math.max(0, Math.round(level * weekly + random.nextGaussian() * Math.sqrt(level)));
            }
            histories.add(SeriesHistory.of("S" + s, Bucket.DAY, DAY0.minus(Duration.ofDays(120)), units));
        }
        LstmConfig config = LstmConfig.defaults(Bucket.DAY).withTraining(2, 256, 0.003, 1, 1L, 0);
        try (LstmModel model = new LstmTrainer(config).train(histories, null)) {
            model.export(dir);
            return model.version();
        }
    }

    public Result run() throws IOException, InterruptedException {
        Map<String, String> props = new HashMap<>();
        String app = "cycle-" + settings.series();
        props.put("application.id", cluster.name(app));
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("schema.registry.url", cluster.registryUrl());
        props.put("state.dir", workDir.resolve("state").resolve(app).toString());
        props.put("bucket", "day");
        props.put("batch.size", Integer.toString(settings.batchSize()));
        props.put("series.retire.after.buckets", "100000");
        for (String t : List.of("orders", "orders.dlq", "sales.actuals", "forecasts", "inventory", "restock.alerts",
                "models")) {
            props.put("topic." + t, cluster.name(app + "-" + t.replace('.', '-')));
        }
        props.put(AppConfig.STREAMS_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                Integer.toString(settings.streamThreads()));
        AppConfig config = AppConfig.from(props, Map.of());
        Topics.Names names = config.topicNames();
        cluster.createTopics(settings.partitions(), names.orders(), names.ordersDlq(), names.salesActuals(),
                names.forecasts(), names.inventory(), names.restockAlerts());
        Topics topics = new Topics(names, new AvroSerdes(SerdeConfig.of(cluster.registryUrl())));

        LstmModel model = settings.modelDir() == null ? null
                : LstmModel.load(settings.modelDir(), LstmModel.DEFAULT_BATCH, config.servingThreads());
        PipelineMetrics metrics = new PipelineMetrics();
        ModelSlot slot = new ModelSlot();
        BrokerBacklog backlog = ForecasterApp.watchBacklog(config, settings.partitions(), Duration.ofSeconds(30));
        KafkaStreams streams = new KafkaStreams(ForecastTopology.build(config, settings.partitions(), topics, slot,
                metrics, backlog), config.streamsProperties());
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            crashed.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        TopicWatch visible = new TopicWatch(cluster.bootstrapServers(), names.forecasts(), false);
        Thread counter = new Thread(visible, "bench-forecast-watch");
        // The closing order's series record reaches the bucket aggregator through the repartition topic, once the
        // upstream task's transaction commits: the close starts when a read_committed consumer can see it.
        TopicWatch repartition = new TopicWatch(cluster.bootstrapServers(),
                ForecastTopology.repartitionTopic(config.applicationId()), true);
        Thread repartitionWatch = new Thread(repartition, "bench-repartition-watch");
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AppBytes appBytes;
        Result appResult;
        try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                topics.orders().valueSerde().serializer())) {
            long t0 = System.nanoTime();
            streams.start();
            awaitCondition(() -> streams.state() == KafkaStreams.State.RUNNING, crashed, "the app to start");
            counter.start();
            repartitionWatch.start();
            // Day 0: every series sells once, LINES_PER_ORDER series an order.
            int orders = 0;
            for (int s = 0; s < settings.series(); s += LINES_PER_ORDER) {
                List<OrderLine> lines = new ArrayList<>();
                for (int i = s; i < Math.min(settings.series(), s + LINES_PER_ORDER); i++) {
                    lines.add(new OrderLine(SyntheticOrders.productId(i), 1.0 + i % 7, 2.5));
                }
                send(producer, names.orders(), null, "load-" + orders,
                        DAY0.plus(Duration.ofHours(10)).plusMillis(orders), lines);
                orders++;
            }
            producer.flush();
            long loaded = orders + settings.series();
            awaitCondition(() -> PipelineBench.processed(streams) >= loaded, crashed,
                    "the app to take in the " + settings.series() + " series of day 0");
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            log.printf("cycle %,d series: day 0 taken in after %.1f s%n", settings.series(), loadSeconds);
            log.flush();

            List<String> closers = closingProducts();
            List<Close> closes = new ArrayList<>();
            List<Boolean> plan = new ArrayList<>(); // true: LSTM
            for (int h = 0; h < settings.historyBuckets(); h++) {
                plan.add(false);
            }
            for (int r = 0; r < settings.warmUps() + settings.repetitions(); r++) {
                if (model != null) {
                    plan.add(true);
                }
                plan.add(false);
            }
            int lstmCloses = 0;
            int fallbackCloses = 0;
            for (int k = 1; k <= plan.size(); k++) {
                boolean lstm = plan.get(k - 1);
                if (lstm) {
                    slot.swap(model, model.version(), null);
                } else {
                    slot.clear();
                }
                long forecastsBefore = metrics.forecastsPublished();
                long fallbacksBefore = metrics.fallbacks(ForecastCycle.NO_MODEL);
                long target = forecastsBefore + settings.series();
                Instant closeTime = DAY0.plus(DAY.multipliedBy(k)).plus(Duration.ofHours(2));
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                double modelMsBefore = modelMs(metrics);
                double stateBytesBefore = stateChangelogBytes(streams);
                List<Long> closingTimes = new ArrayList<>();
                for (int p = 0; p < closers.size(); p++) {
                    closingTimes.add(closeTime.plusMillis(p).toEpochMilli());
                    // Order p goes to orders partition p: a partition left without one would hold the close back
                    // until its intake task declares itself idle (wallclock.close.interval), which is not the
                    // cycle. Its line's product is the one that moves repartition partition p.
                    send(producer, names.orders(), p, "close-" + k + "-" + p, closeTime.plusMillis(p),
                            List.of(new OrderLine(closers.get(p), 1.0, 2.5)));
                }
                producer.flush();
                awaitCondition(() -> metrics.forecastsPublished() >= target, crashed,
                        "close " + k + " to forward " + settings.series() + " forecasts");
                long forwardedAt = System.nanoTime();
                double cpuMs = (processCpuNanos() - cpuStart) / 1e6;
                double forwardedMs = (forwardedAt - start) / 1e6;
                long reached = repartition.allSeen(closingTimes).orElse(start);
                double cycleMs = (forwardedAt - reached) / 1e6;
                double modelMs = modelMs(metrics) - modelMsBefore;
                awaitCondition(() -> visible.count() >= target, crashed,
                        "close " + k + "'s forecasts to be committed");
                double visibleMs = (System.nanoTime() - start) / 1e6;
                // Sent by then: the forecasts are committed, and so is the transaction that wrote the stores.
                double stateBytes = (stateChangelogBytes(streams) - stateBytesBefore) / settings.series();
                long fallbacks = metrics.fallbacks(ForecastCycle.NO_MODEL) - fallbacksBefore;
                long made = metrics.forecastsPublished() - forecastsBefore;
                String method = fallbacks == 0 ? LstmModel.METHOD : fallbacks == made
                        ? "seasonal_naive:" + ForecastCycle.NO_MODEL : "mixed(" + fallbacks + " fallbacks)";
                boolean history = k <= settings.historyBuckets();
                boolean warmUp = history || (lstm ? lstmCloses++ : fallbackCloses++) < settings.warmUps();
                closes.add(new Close(k, method, warmUp, made, cycleMs, modelMs, forwardedMs, visibleMs, cpuMs,
                        stateBytes));
                if (!history || k % 10 == 0 || k == settings.historyBuckets()) {
                    log.printf("  close %d (%s%s): %,d forecasts; cycle %.0f ms (model %.0f ms, process CPU %.0f ms); "
                                    + "from sending the closing orders: forwarded %.0f ms, committed and visible %.0f "
                                    + "ms; state written %.0f B/series%n", k, method,
                            history ? ", building histories" : warmUp ? ", warm-up" : "", made, cycleMs, modelMs,
                            cpuMs, forwardedMs, visibleMs, stateBytes);
                    log.flush();
                }
            }
            Runtime rt = Runtime.getRuntime();
            long heapUsedMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
            double stateBytes = closes.stream().filter(c -> !c.warmUp()).mapToDouble(Close::stateBytesPerSeries)
                    .average().orElse(0);
            appBytes = new AppBytes(topicBytes(streams, names.salesActuals()), topicBytes(streams, names.forecasts()),
                    stateBytes);
            List<Close> timedLstm = closes.stream().filter(c -> !c.warmUp() && c.method().equals(LstmModel.METHOD))
                    .toList();
            List<Close> timedFallback = closes.stream().filter(c -> !c.warmUp()
                    && c.method().startsWith("seasonal_naive")).toList();
            appResult = new Result(settings.series(), settings.partitions(), settings.streamThreads(),
                    settings.batchSize(), config.horizon(), model == null ? "none" : model.version(), loadSeconds,
                    closes, PipelineBench.Summary.of(timedLstm.stream().map(Close::cycleMs).toList()),
                    PipelineBench.Summary.of(timedFallback.stream().map(Close::cycleMs).toList()),
                    PipelineBench.Summary.of(timedLstm.stream().map(Close::forwardedMs).toList()),
                    PipelineBench.Summary.of(timedLstm.stream().map(Close::visibleMs).toList()),
                    PipelineBench.Summary.of(timedFallback.stream().map(Close::forwardedMs).toList()),
                    PipelineBench.Summary.of(timedFallback.stream().map(Close::visibleMs).toList()),
                    heapUsedMb, 0, "", List.of(), PipelineBench.Summary.of(List.of()), appBytes.perSeries(), 0);
        } finally {
            visible.stop();
            repartition.stop();
            counter.join(10_000);
            repartitionWatch.join(10_000);
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            backlog.close();
            slot.close();
            if (model != null) {
                model.close();
            }
        }
        return runBare(config, appBytes.sizes(), appResult);
    }

    /**
     * Bytes the app's producers have sent to the changelogs of the series' states and history bodies (the producers'
     * per-topic {@code byte-total}), over all stream threads.
     */
    static double stateChangelogBytes(KafkaStreams streams) {
        return topicBytes(streams, t -> t.endsWith("-" + BucketAggregator.SERIES_STATE_STORE + "-changelog")
                || t.endsWith("-" + BucketAggregator.SERIES_HISTORY_STORE + "-changelog")).bytes();
    }

    /** The producers' {@code byte-total} and {@code record-send-total} for {@code topic}, over all stream threads. */
    static TopicBytes topicBytes(KafkaStreams streams, String topic) {
        return topicBytes(streams, t -> t.equals(topic));
    }

    private static TopicBytes topicBytes(KafkaStreams streams, Predicate<String> topics) {
        double bytes = 0;
        double records = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            String topic = name.tags().get("topic");
            if (name.group().equals("producer-topic-metrics") && topic != null && topics.test(topic)
                    && e.getValue().metricValue() instanceof Number n) {
                if (name.name().equals("byte-total")) {
                    bytes += n.doubleValue();
                } else if (name.name().equals("record-send-total")) {
                    records += n.doubleValue();
                }
            }
        }
        return new TopicBytes(bytes, records);
    }

    /**
     * The {@link BareClose} baseline, after the app has stopped, in this process: the same series, partitions,
     * stream threads and Kafka Streams settings, and as many warm-up and timed closes as the app had of each method.
     */
    private Result runBare(AppConfig config, BareClose.Sizes sizes, Result app) throws InterruptedException {
        String id = cluster.name("cycle-" + settings.series() + "-bare");
        String triggers = id + "-triggers";
        String actuals = id + "-actuals";
        String forecasts = id + "-forecasts";
        cluster.createTopics(settings.partitions(), triggers, actuals, forecasts);
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state").resolve(id).toString());
        AtomicLong loaded = new AtomicLong();
        AtomicLong forwarded = new AtomicLong();
        KafkaStreams streams = new KafkaStreams(BareClose.build(triggers, actuals, forecasts, settings.series(),
                settings.partitions(), sizes, loaded, forwarded), props);
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            crashed.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        List<BareTiming> timings = new ArrayList<>();
        double bytesPerSeries;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new ByteArraySerializer())) {
            streams.start();
            awaitCondition(() -> streams.state() == KafkaStreams.State.RUNNING, crashed, "the bare close to start");
            trigger(producer, triggers, BareClose.LOAD, DAY0.toEpochMilli());
            awaitCondition(() -> loaded.get() >= settings.series(), crashed,
                    "the bare close to load " + settings.series() + " series");
            Predicate<String> changelog = t -> t.endsWith("-" + BareClose.STORE + "-changelog");
            Predicate<String> written = changelog.or(t -> t.equals(actuals) || t.equals(forecasts));
            // The load's states are counted out of the closes' bytes: wait until the producers have sent them.
            awaitCondition(() -> topicBytes(streams, changelog).records() >= settings.series(), crashed,
                    "the bare close's loaded states to be sent");
            double bytesBefore = topicBytes(streams, written).bytes();
            int closes = settings.warmUps() + settings.repetitions();
            for (int k = 1; k <= closes; k++) {
                long target = forwarded.get() + settings.series();
                long cpuStart = processCpuNanos();
                long start = trigger(producer, triggers, BareClose.CLOSE,
                        DAY0.plus(DAY.multipliedBy(k)).toEpochMilli());
                awaitCondition(() -> forwarded.get() >= target, crashed,
                        "bare close " + k + " to forward " + settings.series() + " forecasts");
                double cycleMs = (System.nanoTime() - start) / 1e6;
                double cpuMs = (processCpuNanos() - cpuStart) / 1e6;
                boolean warmUp = k <= settings.warmUps();
                timings.add(new BareTiming(k, warmUp, cycleMs, cpuMs));
                log.printf("  bare close %d%s: %,d forecasts; cycle %.0f ms (process CPU %.0f ms)%n", k,
                        warmUp ? " (warm-up)" : "", settings.series(), cycleMs, cpuMs);
                log.flush();
            }
            // The byte counters are read once the producers have sent every record the closes forwarded or logged.
            double records = settings.series() + 3.0 * closes * settings.series();
            awaitCondition(() -> topicBytes(streams, written).records() >= records, crashed,
                    "the bare close's records to be sent");
            bytesPerSeries = (topicBytes(streams, written).bytes() - bytesBefore)
                    / ((double) closes * settings.series());
        } finally {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
        }
        return app.withBare(timings, bytesPerSeries);
    }

    /** Sends {@code kind} to every partition of the trigger topic; returns when the broker has them (nanoTime). */
    private long trigger(KafkaProducer<String, byte[]> producer, String topic, String kind, long timestamp) {
        for (int p = 0; p < settings.partitions(); p++) {
            producer.send(new ProducerRecord<>(topic, p, timestamp, kind, new byte[0]));
        }
        producer.flush();
        return System.nanoTime();
    }

    /** One series per partition of the repartition, whose sale moves that task's stream time. */
    private List<String> closingProducts() {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < settings.partitions(); p++) {
            for (int i = 0; i < settings.series(); i++) {
                if (SyntheticOrders.partitionOf(SyntheticOrders.productId(i), settings.partitions()) == p) {
                    out.add(SyntheticOrders.productId(i));
                    break;
                }
            }
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Milliseconds spent in model calls so far, from the pipeline's inference counters. */
    private static double modelMs(PipelineMetrics metrics) {
        return metrics.inferenceTime().toNanos() / 1e6;
    }

    private static void send(KafkaProducer<String, OrderEvent> producer, String topic, Integer partition, String id,
                             Instant time, List<OrderLine> lines) {
        OrderEvent order = OrderEvent.newBuilder().setOrderId(id).setEventTime(time).setCustomerId(null)
                .setChannel("web").setCountry("GB").setType(OrderType.SALE).setLines(lines).build();
        producer.send(new ProducerRecord<>(topic, partition, time.toEpochMilli(), id, order));
    }

    private void awaitCondition(BooleanSupplier done, AtomicReference<Throwable> crashed,
                                String what) throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (!done.getAsBoolean()) {
            if (crashed.get() != null) {
                throw new IllegalStateException("the app failed while waiting for " + what + ": " + crashed.get(),
                        crashed.get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + settings.timeout() + " waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /**
     * Watches a topic as a read_committed consumer would (a downstream service, or the next task of the app):
     * counts its records and notes when each record timestamp was first seen.
     */
    /**
     * Counts a topic's committed records, and with {@code timed} notes when each record timestamp was first seen. It
     * runs inside the app's process (whose memory and CPU the bench reports), so it reads as lightly as it can: no
     * copy of the records' bytes, no boxing per record, and fetches small enough that their buffers stay out of G1's
     * humongous regions. Reading 100,000 forecasts per close with byte-array deserializers and the default fetch size
     * was a ninth of the process's allocations and set off old-generation collections.
     */
    private static final class TopicWatch implements Runnable {
        /** Reads nothing out of a record: the watch counts records and reads their timestamps only. */
        private static final Deserializer<Void> SKIP = (topic, data) -> null;
        private final String bootstrap;
        private final String topic;
        private final boolean timed;
        private final AtomicLong count = new AtomicLong();
        private final Map<Long, Long> firstSeen = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);

        TopicWatch(String bootstrap, String topic, boolean timed) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.timed = timed;
        }

        long count() {
            return count.get();
        }

        /** When the last of {@code timestamps} was first seen (nanoTime), or empty while one is still missing. */
        Optional<Long> allSeen(List<Long> timestamps) {
            long last = Long.MIN_VALUE;
            for (long t : timestamps) {
                Long at = firstSeen.get(t);
                if (at == null) {
                    return Optional.empty();
                }
                last = Math.max(last, at);
            }
            return Optional.of(last);
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
            props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(256 * 1024));
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(128 * 1024));
            // Asking for the app's internal topic must not create it with the broker's defaults before the app does.
            props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
            try (KafkaConsumer<Void, Void> consumer = new KafkaConsumer<>(props, SKIP, SKIP)) {
                List<TopicPartition> parts = List.of();
                while (running.get() && parts.isEmpty()) {
                    // The app creates its repartition topic when it starts: wait for it.
                    parts = consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition())).toList();
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(20));
                    if (timed) {
                        long now = System.nanoTime();
                        records.forEach(r -> firstSeen.putIfAbsent(r.timestamp(), now));
                    }
                    count.addAndGet(records.count());
                }
            }
        }
    }

    // ---- child JVM -------------------------------------------------------------------------------------------

    /** Runs {@link #run} for one size in a child JVM and reads its peak RSS from /proc while it waits to exit. */
    public static Result inChildJvm(BenchCluster cluster, Settings settings, Path workDir, List<String> jvmOptions,
                                    PrintWriter log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CycleBench.class.getName());
        command.addAll(List.of(cluster.bootstrapServers(), cluster.registryUrl(), cluster.prefix(),
                workDir.toString(), Integer.toString(settings.series()), Integer.toString(settings.partitions()),
                Integer.toString(settings.streamThreads()), Integer.toString(settings.batchSize()),
                settings.modelDir() == null ? "-" : settings.modelDir().toString(),
                Integer.toString(settings.historyBuckets()), Integer.toString(settings.warmUps()),
                Integer.toString(settings.repetitions()),
                Long.toString(settings.timeout().toSeconds())));
        Path childLog = workDir.resolve("cycle-" + settings.series() + ".log");
        Files.createDirectories(workDir);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(childLog.toFile());
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
        Process child = pb.start();
        Result result = null;
        long vmHwm = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(RESULT_MARKER)) {
                    result = JSON.readValue(line.substring(RESULT_MARKER.length()), Result.class);
                    // The child waits for its stdin to close: its peak is final and /proc still has it.
                    vmHwm = vmHwmKb(child.pid()).orElse(0L);
                    child.getOutputStream().close();
                } else {
                    log.println(line);
                    log.flush();
                }
            }
        } finally {
            if (!child.waitFor(120, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        if (result == null) {
            List<String> lines = Files.readAllLines(childLog);
            throw new IllegalStateException("the cycle bench for " + settings.series() + " series exited with "
                    + child.exitValue() + " without a result; its log " + childLog + " ends with:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())));
        }
        return result.withMemory(vmHwm, String.join(" ", jvmOptions));
    }

    /** Peak resident set size of a process in kB, from /proc/PID/status (Linux only). */
    static Optional<Long> vmHwmKb(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The child: bootstrap, registry URL, prefix, work dir, series, partitions, threads, batch, model, history
     * buckets, warm-ups, reps, timeout.
     */
    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        // Anything the libraries print goes to stderr; stdout carries progress lines and the result line.
        System.setOut(System.err);
        PrintWriter log = new PrintWriter(stdout, true, StandardCharsets.UTF_8);
        Settings settings = new Settings(Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                Integer.parseInt(args[6]), Integer.parseInt(args[7]), args[8].equals("-") ? null : Path.of(args[8]),
                Integer.parseInt(args[9]), Integer.parseInt(args[10]), Integer.parseInt(args[11]),
                Duration.ofSeconds(Long.parseLong(args[12])));
        Result result;
        try (BenchCluster cluster = new BenchCluster(args[0], args[1], args[2])) {
            result = new CycleBench(cluster, settings, Path.of(args[3]), log).run();
        }
        log.println(RESULT_MARKER + JSON.writeValueAsString(result));
        log.flush();
        // Wait for the parent to read VmHWM; it closes our stdin when done.
        while (System.in.read() >= 0) {
            // Nothing is sent on stdin.
        }
    }
}
