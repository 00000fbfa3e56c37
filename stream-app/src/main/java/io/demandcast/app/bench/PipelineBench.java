package io.demandcast.app.bench;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.eventtime.BrokerBacklog;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.topology.ForecastTopology;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Pipeline throughput: the forecaster's whole topology against {@link WindowedCount}, over the same pre-produced
 * orders on the same broker, each run with its own application id from the beginning of the topic. A run lasts
 * from {@code KafkaStreams.start()} until every input record has been processed (the stream threads'
 * {@code process-total} reaches orders + exploded series records, the records of {@code orders} and of the app's
 * repartition topic) and the group has committed {@code orders} to its end. After each run its outputs are read
 * back (read_committed) and counted against what the orders must produce.
 */
public final class PipelineBench {

    /**
     * @param orders the synthetic input
     * @param partitions partitions of every topic (orders, outputs; Streams gives its repartition topics the same)
     * @param repetitions runs of each application, alternating which goes first
     * @param streamThreads {@code num.stream.threads} of both applications
     * @param windowCloseVariant also run the on-window-close count once, to count the closed results it emits
     * @param runTimeout the longest one run may take before it is reported as unfinished
     */
    public record Settings(SyntheticOrders orders, int partitions, int repetitions, int streamThreads,
                           boolean windowCloseVariant, Duration runTimeout) {
    }

    /**
     * One run of one application.
     *
     * @param seconds from start to all input processed and committed
     * @param recordsPerSecond orders / seconds
     * @param processingSeconds from the first processed record to the end (without start-up and rebalance)
     * @param finished whether it processed everything before the run timeout
     * @param emitted records on its result topic (sales-actuals, or the counts)
     * @param distinctResults distinct (product, day) keys among them
     * @param forecasts records on the forecasts topic (pipeline only)
     * @param deadLetters records on the dead-letter topic (pipeline only)
     * @param lateDeadLetters of those, the ones refused as late: series records that reached the bucket
     *                        aggregator after their bucket had closed (pipeline only)
     * @param dropped records Kafka Streams skipped (its {@code dropped-records-total}): for a windowed count, the
     *                records of windows it had already dropped
     */
    public record Run(String app, int repetition, boolean finished, double seconds, double recordsPerSecond,
                      double processingSeconds, double processingRecordsPerSecond, long recordsProcessed,
                      long emitted, long distinctResults, long forecasts, long deadLetters, long lateDeadLetters,
                      long dropped) {
    }

    /** Median and range of a set of runs' rates. */
    public record Summary(double median, double min, double max) {
        static Summary of(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            if (sorted.isEmpty()) {
                return new Summary(Double.NaN, Double.NaN, Double.NaN);
            }
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Summary(median, sorted.get(0), sorted.get(n - 1));
        }
    }

    public record Result(Map<String, Object> input, int partitions, int streamThreads, String processingGuarantee,
                         SyntheticOrders.Expected expected, double produceSeconds, List<Run> pipeline,
                         List<Run> baseline, Run windowCloseVariant, Summary pipelineRecordsPerSecond,
                         Summary baselineRecordsPerSecond, double ratio, Summary pipelineProcessingRecordsPerSecond,
                         Summary baselineProcessingRecordsPerSecond, double processingRatio) {
    }

    private final BenchCluster cluster;
    private final Settings settings;
    private final Path workDir;
    private final PrintWriter log;

    public PipelineBench(BenchCluster cluster, Settings settings, Path workDir, PrintWriter log) {
        this.cluster = cluster;
        this.settings = settings;
        this.workDir = workDir;
        this.log = log;
    }

    public Result run() {
        String ordersTopic = cluster.name("orders");
        cluster.createTopics(settings.partitions(), ordersTopic);
        AppConfig base = config("pipeline-probe", ordersTopic);
        SyntheticOrders.Tally tally = new SyntheticOrders.Tally(settings.orders(), settings.partitions(),
                base.grace());
        log.printf("pipeline: producing %,d orders (%d products x %d days, %d lines each) to %s ...%n",
                settings.orders().orderCount(), settings.orders().products(), settings.orders().days(),
                settings.orders().linesPerOrder(), ordersTopic);
        log.flush();
        double produceSeconds = produce(ordersTopic, tally);
        SyntheticOrders.Expected expected = tally.result();
        log.printf("pipeline: produced in %.1f s; expecting %,d series records, %,d closed (product, day) buckets%n",
                produceSeconds, expected.seriesSales(), expected.closedDays());
        log.flush();

        List<Run> pipeline = new ArrayList<>();
        List<Run> baseline = new ArrayList<>();
        for (int rep = 1; rep <= settings.repetitions(); rep++) {
            // Alternate which goes first, so that a drift in machine load does not favour one.
            if (rep % 2 == 1) {
                pipeline.add(runPipeline(rep, ordersTopic, expected));
                baseline.add(runBaseline(rep, ordersTopic, expected, WindowedCount.Emit.EAGER));
            } else {
                baseline.add(runBaseline(rep, ordersTopic, expected, WindowedCount.Emit.EAGER));
                pipeline.add(runPipeline(rep, ordersTopic, expected));
            }
        }
        Run windowClose = settings.windowCloseVariant()
                ? runBaseline(1, ordersTopic, expected, WindowedCount.Emit.ON_WINDOW_CLOSE) : null;

        Summary p = Summary.of(pipeline.stream().filter(Run::finished).map(Run::recordsPerSecond).toList());
        Summary b = Summary.of(baseline.stream().filter(Run::finished).map(Run::recordsPerSecond).toList());
        Summary pp = Summary.of(pipeline.stream().filter(Run::finished).map(Run::processingRecordsPerSecond).toList());
        Summary bp = Summary.of(baseline.stream().filter(Run::finished).map(Run::processingRecordsPerSecond).toList());
        return new Result(settings.orders().describe(), settings.partitions(), settings.streamThreads(),
                base.processingGuarantee(), expected, produceSeconds, pipeline, baseline, windowClose, p, b,
                p.median() / b.median(), pp, bp, pp.median() / bp.median());
    }

    private AppConfig config(String app, String ordersTopic) {
        Map<String, String> props = new HashMap<>();
        props.put("application.id", cluster.name(app));
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("schema.registry.url", cluster.registryUrl());
        props.put("state.dir", workDir.resolve("state").resolve(app).toString());
        // Keep every series for the whole year, so that the expected count is simple: first sale to last close.
        props.put("series.retire.after.buckets", "100000");
        props.put("bucket", "day"); // the synthetic orders and the baseline's windows are daily
        props.put("topic.orders", ordersTopic);
        props.put("topic.orders.dlq", cluster.name(app + "-orders-dlq"));
        props.put("topic.sales.actuals", cluster.name(app + "-sales-actuals"));
        props.put("topic.forecasts", cluster.name(app + "-forecasts"));
        props.put("topic.inventory", cluster.name(app + "-inventory"));
        props.put("topic.restock.alerts", cluster.name(app + "-restock-alerts"));
        props.put("topic.models", cluster.name(app + "-models"));
        props.put(AppConfig.STREAMS_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                Integer.toString(settings.streamThreads()));
        return AppConfig.from(props, Map.of());
    }

    private double produce(String topic, SyntheticOrders.Tally tally) {
        Topics topics = new Topics(Topics.Names.defaults(), new AvroSerdes(SerdeConfig.of(cluster.registryUrl())));
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                topics.orders().valueSerde().serializer())) {
            settings.orders().forEach(order -> {
                tally.accept(order);
                // The record timestamp is the event time: the windowed baseline's windows are built from it.
                producer.send(new ProducerRecord<>(topic, null, order.getEventTime().toEpochMilli(),
                        order.getOrderId(), order), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            });
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the bench orders to " + topic + " failed: " + failure.get(),
                    failure.get());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private Run runPipeline(int rep, String ordersTopic, SyntheticOrders.Expected expected) {
        String app = "pipeline-" + rep;
        AppConfig config = config(app, ordersTopic);
        Topics.Names n = config.topicNames();
        cluster.createTopics(settings.partitions(), n.ordersDlq(), n.salesActuals(), n.forecasts(), n.inventory(),
                n.restockAlerts());
        Topics topics = new Topics(n, new AvroSerdes(SerdeConfig.of(cluster.registryUrl())));
        PipelineMetrics metrics = new PipelineMetrics();
        Timing timing;
        try (BrokerBacklog backlog = ForecasterApp.watchBacklog(config, settings.partitions(),
                Duration.ofSeconds(30))) {
            Topology topology = ForecastTopology.build(config, settings.partitions(), topics, ModelHandle.none(),
                    metrics, backlog);
            timing = runToEnd(app, topology, config, ordersTopic, expected);
        }

        Set<String> keys = new HashSet<>();
        var deserializer = topics.salesActuals().valueSerde().deserializer();
        long emitted = cluster.readAll(n.salesActuals(), (k, v) -> {
            SalesBucket b = deserializer.deserialize(n.salesActuals(), v);
            keys.add(b.getSeries() + "@" + b.getBucketStart().toEpochMilli());
        });
        long forecasts = cluster.readAll(n.forecasts(), (k, v) -> { });
        var letters = topics.ordersDlq().valueSerde().deserializer();
        long[] late = {0};
        long deadLetters = cluster.readAll(n.ordersDlq(), (k, v) -> {
            if (Rejection.LATE.equals(letters.deserialize(n.ordersDlq(), v).getReason())) {
                late[0]++;
            }
        });
        Run run = timing.run("pipeline", rep, settings.orders().orderCount(), emitted, keys.size(), forecasts,
                deadLetters, late[0]);
        report(run, expected.closedDays());
        return run;
    }

    private Run runBaseline(int rep, String ordersTopic, SyntheticOrders.Expected expected,
                            WindowedCount.Emit emit) {
        String name = emit == WindowedCount.Emit.EAGER ? "baseline" : "window-close";
        String app = name + "-" + rep;
        AppConfig config = config(app, ordersTopic);
        String output = cluster.name(app + "-counts");
        cluster.createTopics(settings.partitions(), output);
        Topics topics = new Topics(config.topicNames(), new AvroSerdes(SerdeConfig.of(cluster.registryUrl())));
        // The eager count's windows stay open for the whole run: a count task reads what both intake tasks sent, and
        // one intake task can be days of event time ahead of the other. With the app's grace the count skipped the
        // records of windows it had already expired: a baseline that counts less than its input. The on-window-close
        // variant keeps the app's grace: it shows what that loses.
        Duration grace = emit == WindowedCount.Emit.EAGER ? Duration.ofDays(settings.orders().days())
                : config.grace();
        Topology topology = WindowedCount.build(topics, output, Duration.ofDays(1), grace, emit);
        Timing timing = runToEnd(app, topology, config, ordersTopic, expected);
        Set<String> keys = new HashSet<>();
        long emitted = cluster.readAll(output, (k, v) -> keys.add(new String(k, StandardCharsets.UTF_8)));
        Run run = timing.run(name, rep, settings.orders().orderCount(), emitted, keys.size(), 0, 0, 0);
        report(run, emit == WindowedCount.Emit.EAGER ? expected.salesDays() : expected.closedSalesDays());
        return run;
    }

    private void report(Run run, long expectedResults) {
        log.printf("  %-12s rep %d: %s %6.1f s, %,9.0f orders/s (%,9.0f/s after the first record); "
                        + "%,d results, %,d distinct, %,d expected, %,d records dropped%s%n", run.app(),
                run.repetition(),
                run.finished() ? "done in" : "UNFINISHED after", run.seconds(), run.recordsPerSecond(),
                run.processingRecordsPerSecond(), run.emitted(), run.distinctResults(), expectedResults, run.dropped(),
                run.app().equals("pipeline") ? String.format("; %,d forecasts, %,d dead letters (%,d late)",
                        run.forecasts(), run.deadLetters(), run.lateDeadLetters()) : "");
        log.flush();
    }

    private record Timing(boolean finished, double seconds, double processingSeconds, long processed,
                          long dropped) {
        Run run(String app, int rep, long orders, long emitted, long distinct, long forecasts, long deadLetters,
                long late) {
            return new Run(app, rep, finished, seconds, orders / seconds, processingSeconds,
                    orders / processingSeconds, processed, emitted, distinct, forecasts, deadLetters, late, dropped);
        }
    }

    private Timing runToEnd(String app, Topology topology, AppConfig config, String ordersTopic,
                            SyntheticOrders.Expected expected) {
        long toProcess = expected.orders() + expected.seriesSales();
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            crashed.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        long t0 = System.nanoTime();
        long first = 0;
        long end = 0;
        long deadline = t0 + settings.runTimeout().toNanos();
        long processed = 0;
        long dropped = 0;
        streams.start();
        try {
            while (System.nanoTime() < deadline) {
                if (crashed.get() != null) {
                    throw new IllegalStateException(app + " failed: " + crashed.get(), crashed.get());
                }
                processed = processed(streams);
                if (processed > 0 && first == 0) {
                    first = System.nanoTime();
                }
                // The pipeline's aggregator also processes the intake's watermarks, so the processed count alone can
                // reach its mark early: the run ends when the app has committed its input and its repartition topic.
                if (processed >= toProcess && cluster.committedToEnd(config.applicationId(), ordersTopic)
                        && committedRepartitions(config.applicationId())) {
                    end = System.nanoTime();
                    break;
                }
                Thread.sleep(processed >= toProcess ? 20 : 50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + app, e);
        } finally {
            dropped = (long) metricTotal(streams, "dropped-records-total", "stream-task-metrics");
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            deleteQuietly(config.stateDir());
        }
        boolean finished = end != 0;
        if (!finished) {
            end = System.nanoTime();
            log.printf("  %s processed %,d of %,d records before the run timeout %s%n", app, processed, toProcess,
                    settings.runTimeout());
        }
        return new Timing(finished, (end - t0) / 1e9, (end - (first == 0 ? t0 : first)) / 1e9, processed,
                dropped);
    }

    private boolean committedRepartitions(String app) {
        for (String step : List.of(ForecastTopology.REPARTITION, WindowedCount.REPARTITION)) {
            String topic = app + "-" + step + "-repartition";
            if (cluster.topicExists(topic) && !cluster.committedToEnd(app, topic)) {
                return false;
            }
        }
        return true;
    }

    /** Records the stream threads have processed, from their {@code process-total} metrics. */
    static long processed(KafkaStreams streams) {
        return (long) metricTotal(streams, "process-total", "stream-thread-metrics");
    }

    /** The sum of metric {@code name} of {@code group} over the app's threads or tasks. */
    private static double metricTotal(KafkaStreams streams, String name, String group) {
        double total = 0;
        for (var e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(group)
                    && e.getValue().metricValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the bench's state in " + dir, e);
        }
    }
}
