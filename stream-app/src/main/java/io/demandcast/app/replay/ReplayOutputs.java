package io.demandcast.app.replay;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.model.Bucket;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What one replay's app committed ({@code read_committed}) on its {@code sales-actuals}, {@code forecasts} and
 * {@code orders-dlq}, read while it runs by a consumer with no group: every series' actual per bucket of the
 * replay, the forecasts made after the buckets that are scored (as floats: a quarter of 3,000 series is 50 MB), and
 * counts of the rest.
 */
public final class ReplayOutputs implements AutoCloseable {

    /** One forecast: its method, model version and P10, P50, P90 of each step. */
    public record Made(String method, String version, float[] p10, float[] p50, float[] p90) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String forecastsTopic;
    private final String actualsTopic;
    private final Deserializer<Forecast> forecasts;
    private final Deserializer<SalesBucket> actuals;
    private final Deserializer<DeadLetter> letters;
    private final Bucket bucket;
    private final Instant start;
    private final int buckets;
    private final Instant firstOrigin;
    private final int origins;
    private final int actualsPartitions;

    private final Map<String, double[]> actualsBySeries = new HashMap<>();
    private final Map<String, Made[]> forecastsBySeries = new HashMap<>();
    private final Map<Integer, Long> closedByPartition = new HashMap<>();
    private final Map<String, Long> methods = new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    /** The detail of the first dead letter of each reason, to say what went wrong. */
    private final Map<String, String> firstDetails = new TreeMap<>();
    private final Map<String, String> interned = new HashMap<>();
    private long actualCount;
    private long forecastCount;
    private long duplicates;
    private long lastRecordNanos = System.nanoTime();

    /**
     * @param start       the first bucket the replay feeds: actuals are kept from it
     * @param last        the last bucket scored (--to)
     * @param firstOrigin the first bucket after which forecasts are scored (the bucket before --from)
     */
    ReplayOutputs(AppConfig replay, Map<String, Object> clientProps, Instant start, Instant last,
                  Instant firstOrigin) {
        this.bucket = replay.bucket();
        this.start = start;
        this.buckets = Math.toIntExact(bucket.between(start, last) + 1);
        this.firstOrigin = firstOrigin;
        this.origins = Math.toIntExact(bucket.between(firstOrigin, last));
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(replay));
        this.forecastsTopic = replay.topicNames().forecasts();
        this.actualsTopic = replay.topicNames().salesActuals();
        this.forecasts = serdes.forValue(Forecast.class).deserializer();
        this.actuals = serdes.forValue(SalesBucket.class).deserializer();
        this.letters = serdes.forValue(DeadLetter.class).deserializer();
        List<TopicPartition> partitions = new ArrayList<>();
        int actualsParts = 0;
        for (String topic : List.of(forecastsTopic, actualsTopic, replay.topicNames().ordersDlq())) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
                actualsParts += topic.equals(actualsTopic) ? 1 : 0;
            }
        }
        this.actualsPartitions = actualsParts;
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what came within {@code wait}; returns how many records. */
    int poll(Duration wait) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            n++;
            if (r.topic().equals(forecastsTopic)) {
                onForecast(forecasts.deserialize(r.topic(), r.headers(), r.value()));
            } else if (r.topic().equals(actualsTopic)) {
                onActual(actuals.deserialize(r.topic(), r.headers(), r.value()), r.partition());
            } else {
                DeadLetter letter = letters.deserialize(r.topic(), r.headers(), r.value());
                deadLetters.merge(letter.getReason(), 1L, Long::sum);
                firstDetails.putIfAbsent(letter.getReason(), String.valueOf(letter.getDetail()));
            }
        }
        if (n > 0) {
            lastRecordNanos = System.nanoTime();
        }
        return n;
    }

    private void onActual(SalesBucket b, int partition) {
        long at = b.getBucketStart().toEpochMilli();
        closedByPartition.merge(partition, at, Math::max);
        actualCount++;
        long i = bucket.between(start, b.getBucketStart());
        if (i < 0 || i >= buckets) {
            return;
        }
        double[] units = actualsBySeries.computeIfAbsent(b.getSeries(), s -> {
            double[] a = new double[buckets];
            Arrays.fill(a, Double.NaN);
            return a;
        });
        if (!Double.isNaN(units[(int) i])) {
            duplicates++;
        }
        units[(int) i] = b.getUnits();
    }

    private void onForecast(Forecast f) {
        forecastCount++;
        methods.merge(f.getMethod(), 1L, Long::sum);
        long k = bucket.between(firstOrigin, f.getLastObservedBucket());
        if (k < 0 || k >= origins) {
            return;
        }
        List<ForecastStep> steps = f.getSteps();
        float[] p10 = new float[steps.size()];
        float[] p50 = new float[steps.size()];
        float[] p90 = new float[steps.size()];
        for (int h = 0; h < steps.size(); h++) {
            p10[h] = (float) steps.get(h).getP10();
            p50[h] = (float) steps.get(h).getP50();
            p90[h] = (float) steps.get(h).getP90();
        }
        Made[] made = forecastsBySeries.computeIfAbsent(f.getSeries(), s -> new Made[origins]);
        if (made[(int) k] != null) {
            duplicates++;
        }
        made[(int) k] = new Made(intern(f.getMethod()), intern(f.getModelVersion()), p10, p50, p90);
    }

    private String intern(String s) {
        return interned.computeIfAbsent(s, x -> x);
    }

    /**
     * The latest bucket closed by the slowest aggregating task that closed any, or null while none has: each task
     * publishes its series' actuals to the partition of its own number and closes on its own; a task without series
     * publishes nothing and is not waited for.
     */
    public Instant slowestClosed() {
        return closedByPartition.isEmpty() ? null
                : Instant.ofEpochMilli(closedByPartition.values().stream().mapToLong(Long::longValue).min()
                .orElseThrow());
    }

    /** The latest bucket closed by any task, or null. */
    Instant latestClosed() {
        return closedByPartition.isEmpty() ? null
                : Instant.ofEpochMilli(closedByPartition.values().stream().mapToLong(Long::longValue).max()
                .orElseThrow());
    }

    int actualsPartitions() {
        return actualsPartitions;
    }

    /**
     * Whether this reader has read up to the end of each of its partitions as they are now (read_committed: their
     * last stable offsets). Its consumer fetches partitions at their own pace: without this, what it has read of some
     * can look complete while another's records wait in the broker.
     */
    boolean caughtUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Seconds since the last record came. */
    double quietSeconds() {
        return (System.nanoTime() - lastRecordNanos) / 1e9;
    }

    public Bucket bucket() {
        return bucket;
    }

    public Instant start() {
        return start;
    }

    public int buckets() {
        return buckets;
    }

    public Instant firstOrigin() {
        return firstOrigin;
    }

    public int origins() {
        return origins;
    }

    /** Units per bucket from {@link #start()} (NaN: no actual published for that bucket). */
    public Map<String, double[]> actuals() {
        return actualsBySeries;
    }

    /** Forecasts per origin from {@link #firstOrigin()} (null: none made after that bucket). */
    public Map<String, Made[]> forecasts() {
        return forecastsBySeries;
    }

    public long actualCount() {
        return actualCount;
    }

    public long forecastCount() {
        return forecastCount;
    }

    /** Actuals or forecasts that came twice for one series and bucket: exactly-once says none. */
    public long duplicates() {
        return duplicates;
    }

    public Map<String, Long> methods() {
        return methods;
    }

    public Map<String, Long> deadLetters() {
        return new LinkedHashMap<>(deadLetters);
    }

    /** The detail of the first dead letter of {@code reason}; empty when none came. */
    Optional<String> firstDetail(String reason) {
        return Optional.ofNullable(firstDetails.get(reason));
    }

    /** Drops the actuals and forecasts once scored; the counts stay. */
    void release() {
        actualsBySeries.clear();
        forecastsBySeries.clear();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
