package io.demandcast.app.demo;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads what the app committed ({@code read_committed}) on {@code forecasts}, {@code sales-actuals} and
 * {@code orders-dlq} while the replay runs: prints one line per closed bucket as its forecasts arrive, keeps the
 * forecasts and actuals of the scored products for the report, and counts everything else.
 */
final class StreamWatch implements AutoCloseable {

    /** The forecast of one product made after one bucket: its method and [step][p10, p50, p90]. */
    record Made(String method, String version, double[][] steps) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String forecastsTopic;
    private final String actualsTopic;
    private final Deserializer<Forecast> forecasts;
    private final Deserializer<SalesBucket> actuals;
    private final Deserializer<DeadLetter> letters;
    private final Set<String> scored;
    private final String sample;
    private final PrintWriter out;
    private final LongSupplier ordersRead;
    private final LongSupplier ordersSent;

    private final Map<String, TreeMap<Long, Made>> forecastsByProduct = new HashMap<>();
    private final Map<String, TreeMap<Long, Double>> actualsByProduct = new HashMap<>();
    private final TreeMap<Long, Long> forecastsPerBucket = new TreeMap<>();
    private final TreeMap<Long, Long> actualsPerBucket = new TreeMap<>();
    /** The latest bucket on each sales-actuals partition: one aggregating task's, see {@link #slowestTaskClosed()}. */
    private final Map<Integer, Long> closedByPartition = new HashMap<>();
    private int actualsPartitions;
    private final Map<String, Long> methods = new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final Set<String> versions = new HashSet<>();
    private long duplicates;
    private long forecastCount;
    private long actualCount;

    /**
     * The buckets whose forecasts are arriving, with what came for each so far. Each aggregating task publishes its
     * closes on its own partition and at its own pace, so a bucket's line waits until every forecasts partition has
     * moved past it: one line per bucket, in order.
     */
    private final TreeMap<Long, Line> arriving = new TreeMap<>();
    /** The latest bucket forecast on each forecasts partition. */
    private final Map<Integer, Long> forecastByPartition = new HashMap<>();
    private int forecastPartitions;

    /** What one bucket's forecasts were: how many, by method, and the sample product's next step. */
    private static final class Line {
        long count;
        final Map<String, Long> methods = new LinkedHashMap<>();
        double[] sample;
    }

    private final long started = System.nanoTime();
    private int lines;

    StreamWatch(AppConfig config, Set<String> scored, String sample, PrintWriter out, LongSupplier ordersRead,
                LongSupplier ordersSent) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        this.forecastsTopic = config.topicNames().forecasts();
        this.actualsTopic = config.topicNames().salesActuals();
        this.forecasts = serdes.forValue(Forecast.class).deserializer();
        this.actuals = serdes.forValue(SalesBucket.class).deserializer();
        this.letters = serdes.forValue(DeadLetter.class).deserializer();
        this.scored = Set.copyOf(scored);
        this.sample = sample;
        this.out = out;
        this.ordersRead = ordersRead;
        this.ordersSent = ordersSent;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(forecastsTopic, actualsTopic, config.topicNames().ordersDlq())) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
                actualsPartitions += topic.equals(actualsTopic) ? 1 : 0;
                forecastPartitions += topic.equals(forecastsTopic) ? 1 : 0;
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what came within {@code wait}; returns how many records. */
    int poll(Duration wait) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            n++;
            if (r.topic().equals(forecastsTopic)) {
                onForecast(forecasts.deserialize(r.topic(), r.headers(), r.value()), r.partition());
            } else if (r.topic().equals(actualsTopic)) {
                onActual(actuals.deserialize(r.topic(), r.headers(), r.value()), r.partition());
            } else {
                DeadLetter d = letters.deserialize(r.topic(), r.headers(), r.value());
                deadLetters.merge(d.getReason(), 1L, Long::sum);
            }
        }
        printPassedBuckets();
        return n;
    }

    private void onForecast(Forecast f, int partition) {
        long bucket = f.getLastObservedBucket().toEpochMilli();
        forecastByPartition.merge(partition, bucket, Math::max);
        Line line = arriving.computeIfAbsent(bucket, b -> new Line());
        forecastCount++;
        line.count++;
        forecastsPerBucket.merge(bucket, 1L, Long::sum);
        String method = f.getMethod();
        methods.merge(method, 1L, Long::sum);
        line.methods.merge(method, 1L, Long::sum);
        versions.add(f.getModelVersion());
        String product = f.getSeries();
        if (product.equals(sample) && !f.getSteps().isEmpty()) {
            ForecastStep s = f.getSteps().get(0);
            line.sample = new double[] {s.getP10(), s.getP50(), s.getP90()};
        }
        if (scored.contains(product)) {
            double[][] steps = new double[f.getSteps().size()][];
            for (int h = 0; h < steps.length; h++) {
                ForecastStep s = f.getSteps().get(h);
                steps[h] = new double[] {s.getP10(), s.getP50(), s.getP90()};
            }
            Made old = forecastsByProduct.computeIfAbsent(product, p -> new TreeMap<>())
                    .put(bucket, new Made(method, f.getModelVersion(), steps));
            if (old != null) {
                duplicates++;
            }
        }
    }

    private void onActual(SalesBucket b, int partition) {
        long bucket = b.getBucketStart().toEpochMilli();
        closedByPartition.merge(partition, bucket, Math::max);
        actualCount++;
        actualsPerBucket.merge(bucket, 1L, Long::sum);
        if (scored.contains(b.getSeries())) {
            Double old = actualsByProduct.computeIfAbsent(b.getSeries(), p -> new TreeMap<>())
                    .put(bucket, b.getUnits());
            if (old != null) {
                duplicates++;
            }
        }
    }

    /** Prints the line of every bucket that each forecasts partition has moved past. */
    private void printPassedBuckets() {
        if (forecastByPartition.size() < forecastPartitions) {
            return;
        }
        long passed = forecastByPartition.values().stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
        while (!arriving.isEmpty() && arriving.firstKey() < passed) {
            var first = arriving.pollFirstEntry();
            printLine(first.getKey(), first.getValue());
        }
    }

    private void printLine(long bucket, Line line) {
        // Rates since the watch began: outputs are committed in bursts, so a per-line rate would jump about.
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long read = ordersRead.getAsLong();
        StringBuilder m = new StringBuilder();
        line.methods.forEach((method, count) -> m.append(m.length() == 0 ? "" : ", ").append(method).append(' ')
                .append(String.format(Locale.ROOT, "%,d", count)));
        String sampleText = line.sample == null ? sample + " -"
                : String.format(Locale.ROOT, "%s next day P10/P50/P90 %.1f/%.1f/%.1f", sample, line.sample[0],
                line.sample[1], line.sample[2]);
        out.println(String.format(Locale.ROOT, "  %s  %,6d series forecast (%s)  %s  | orders %,d/%,d, "
                        + "%,.0f orders/s, %,.0f forecasts/s so far",
                Instant.ofEpochMilli(bucket).atZone(ZoneOffset.UTC).toLocalDate(), line.count, m, sampleText, read,
                ordersSent.getAsLong(), read / seconds, forecastCount / seconds));
        out.flush();
        lines++;
    }

    /** Prints the lines of the buckets still arriving. */
    void finish() {
        while (!arriving.isEmpty()) {
            var first = arriving.pollFirstEntry();
            printLine(first.getKey(), first.getValue());
        }
    }

    int linesPrinted() {
        return lines;
    }

    long forecastCount() {
        return forecastCount;
    }

    long actualCount() {
        return actualCount;
    }

    /** The latest bucket closed so far (seen on sales-actuals), or null. */
    Instant lastClosedBucket() {
        return actualsPerBucket.isEmpty() ? null : Instant.ofEpochMilli(actualsPerBucket.lastKey());
    }

    /**
     * The latest bucket closed by the slowest aggregating task, or null while one has closed none. Each task closes
     * on its own (the last bucket seen anywhere says nothing of the others) and writes its series' actuals to the
     * sales-actuals partition of its own number: the same key hash, and the app creates the topics with one
     * partition count.
     */
    Instant slowestTaskClosed() {
        if (closedByPartition.size() < actualsPartitions) {
            return null;
        }
        return Instant.ofEpochMilli(closedByPartition.values().stream().mapToLong(Long::longValue).min()
                .orElseThrow());
    }

    /** Buckets closed so far (seen on sales-actuals). */
    int closedBuckets() {
        return actualsPerBucket.size();
    }

    /** The first bucket closed, or null. */
    Instant firstClosedBucket() {
        return actualsPerBucket.isEmpty() ? null : Instant.ofEpochMilli(actualsPerBucket.firstKey());
    }

    /** Closed buckets whose forecasts did not all come (a forecast count differing from the actuals count). */
    List<Instant> incompleteBuckets() {
        List<Instant> out = new ArrayList<>();
        actualsPerBucket.forEach((b, n) -> {
            if (!n.equals(forecastsPerBucket.getOrDefault(b, 0L))) {
                out.add(Instant.ofEpochMilli(b));
            }
        });
        forecastsPerBucket.keySet().stream().filter(b -> !actualsPerBucket.containsKey(b))
                .forEach(b -> out.add(Instant.ofEpochMilli(b)));
        return out;
    }

    TreeMap<Long, Long> forecastsPerBucket() {
        return forecastsPerBucket;
    }

    Map<String, Long> methods() {
        return methods;
    }

    Map<String, Long> deadLetters() {
        return deadLetters;
    }

    Set<String> versions() {
        return versions;
    }

    /** Forecasts or actuals of a scored product that came twice for one bucket: exactly-once says none. */
    long duplicates() {
        return duplicates;
    }

    Map<String, TreeMap<Long, Made>> forecasts() {
        return forecastsByProduct;
    }

    /** Net units per bucket of the scored products, as published on sales-actuals. */
    Map<String, TreeMap<Long, Double>> actuals() {
        return actualsByProduct;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
