package io.demandcast.app.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.retrain.RegimeChange;
import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicReader;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion while the stream runs (DESIGN, "Online retraining"): the app starts on model A (its
 * {@code model.dir}, published as the first release), three weeks of Online Retail are replayed at a limited rate,
 * and model B is published through the registry mid-stream. The outputs, read back read_committed, must have exactly
 * one actual and one forecast per series and closed bucket, A's version before the swap and B's after it, and A
 * must be closed once the last cycle holding it has finished.
 */
class HotSwapDuringStreamTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
    private static final String UNTIL = "2010-12-22";
    // About 2,000 orders at this rate: a steady stream of some 35 s, the swap in its first part. (At 130/s and 5
    // days on A, a loaded CI machine once finished the replay before A's fifth day was committed.)
    private static final int MAX_RATE = 60;
    private static final int BUCKETS_ON_A = 3;
    private static final Pattern SENT = Pattern.compile("Sent ([0-9,]+) orders");

    @TempDir
    Path dir;

    @Test
    void aModelPublishedMidStreamIsServedWithoutLosingOrDuplicatingAForecast() throws Exception {
        Path modelA = dir.resolve("model-a");
        Path modelB = dir.resolve("model-b");
        String versionA = trainTiny(modelA, 1L);
        String versionB = trainTiny(modelB, 2L);
        assertThat(versionB).isNotEqualTo(versionA);

        AppConfig config = Cluster.shared().config(dir.resolve("state"), "bucket", "day", "grace", "1 bucket",
                "horizon", Integer.toString(RegimeChange.HORIZON), "topic.partitions", "1",
                "processing.guarantee", "exactly_once_v2", "commit.interval.ms", "1000",
                "transaction.timeout.ms", "60000", "model.dir", modelA.toString(),
                "model.cache.dir", dir.resolve("cache").toString(),
                "model.shared.dir", dir.resolve("shared").toString());
        List<Forecast> forecasts = new ArrayList<>();
        List<SalesBucket> actuals = new ArrayList<>();
        try (ForecasterApp app = ForecasterApp.start(config, LstmModel::load, Duration.ofSeconds(30))) {
            ModelHandle slot = app.models();
            Cluster.await("the app to run", Duration.ofSeconds(30), () -> app.health().state().equals("RUNNING"));
            assertThat(app.modelVersion()).isEqualTo(versionA);
            try (ModelRegistry registry = ModelRegistry.of(config)) {
                assertThat(registry.releases().current()).map(r -> r.getVersion()).contains(versionA);
            }

            CompletableFuture<Cluster.Run> replay = CompletableFuture.supplyAsync(() -> Cluster.cli("produce",
                    "--data", DATA.toString(), "--to", UNTIL, "--max-rate", Integer.toString(MAX_RATE),
                    "--bootstrap-servers", config.bootstrapServers(), "--schema-registry-url",
                    config.schemaRegistryUrl(), "--topic", config.topicNames().orders(), "--no-progress"));

            // Mid-stream: A's forecasts of a few of the some 19 days are committed and the replay is still sending.
            awaitCommittedBuckets(config, versionA, BUCKETS_ON_A);
            assertThat(replay).as("the replay still sending when B is published").isNotDone();
            // Held as a cycle holds it: A must outlive the swap while leased, and close when released.
            ModelHandle.Lease inFlight = slot.lease();
            long swappedAt;
            try {
                assertThat(inFlight.version()).isEqualTo(versionA);
                try (ModelRegistry registry = ModelRegistry.of(config)) {
                    registry.publish(modelB, Map.of());
                }
                Cluster.await("the app to swap to B", Duration.ofSeconds(20),
                        () -> versionB.equals(app.modelVersion()));
                swappedAt = System.currentTimeMillis();
                assertThat(replay).as("the replay still sending when B is in service").isNotDone();

                Forecaster a = inFlight.forecaster();
                List<SeriesHistory> histories = new RegimeChange(4, 3L).histories(28);
                List<QuantileForecast> late = a.forecast(histories, RegimeChange.HORIZON);
                assertThat(late).as("A forecasts while a cycle still holds it").hasSize(histories.size())
                        .allMatch(QuantileForecast::isFinite);
                inFlight.close();
                Throwable afterRelease = catchThrowable(() -> a.forecast(histories, RegimeChange.HORIZON));
                assertThat(afterRelease).as("A forecasting after its last lease closed (it must be closed)")
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            } finally {
                inFlight.close(); // a no-op when closed above; releases A if an assertion failed first
            }

            Cluster.Run produced = replay.get(60, TimeUnit.SECONDS);
            assertThat(produced.exitCode()).as(produced.err()).isZero();
            Matcher sent = SENT.matcher(produced.out());
            assertThat(sent.find()).as(produced.out()).isTrue();
            int orders = Integer.parseInt(sent.group(1).replace(",", ""));
            Cluster.await("the app to read all " + orders + " orders", Duration.ofSeconds(30),
                    () -> app.metrics().recordsIn() >= orders);
            readCommitted(app, config, actuals, forecasts);

            List<Forecast> madeAfterSwap = forecasts.stream()
                    .filter(f -> f.getProducedAt().toEpochMilli() > swappedAt).toList();
            assertThat(madeAfterSwap).as("forecasts made after B was in service").isNotEmpty()
                    .allMatch(f -> f.getModelVersion().equals(versionB));
        }

        assertExactlyOnce(actuals, forecasts);
        assertVersionsSwitchOnceFromAToB(forecasts, versionA, versionB);
    }

    /** One actual and one forecast per series and closed bucket, and no series missing from a closed bucket. */
    private static void assertExactlyOnce(List<SalesBucket> actuals, List<Forecast> forecasts) {
        Map<String, Long> actualCounts = actuals.stream().collect(Collectors.groupingBy(
                b -> b.getSeries() + "@" + b.getBucketStart(), TreeMap::new, Collectors.counting()));
        Map<String, Long> forecastCounts = forecasts.stream().collect(Collectors.groupingBy(
                f -> f.getSeries() + "@" + f.getLastObservedBucket(), TreeMap::new, Collectors.counting()));
        assertThat(actualCounts).as("actuals").isNotEmpty();
        assertThat(actualCounts.entrySet()).as("duplicated actuals").filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(forecastCounts.entrySet()).as("duplicated forecasts").filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(forecastCounts.keySet()).as("(series, bucket) with a forecast vs with an actual")
                .isEqualTo(actualCounts.keySet());

        // Every closed bucket has an actual for every series known by then (zero-filled when it sold nothing).
        TreeSet<Instant> closed = actuals.stream().map(SalesBucket::getBucketStart)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(closed).as("closed days").hasSizeGreaterThanOrEqualTo(14);
        Instant day = closed.first();
        for (Instant b : closed) {
            assertThat(b).as("the closed days follow each other").isEqualTo(day);
            day = day.plus(Duration.ofDays(1));
        }
        Map<String, Instant> firstBucket = actuals.stream().collect(Collectors.toMap(SalesBucket::getSeries,
                SalesBucket::getBucketStart, (x, y) -> x.isBefore(y) ? x : y));
        Set<String> have = actualCounts.keySet();
        List<String> missing = new ArrayList<>();
        firstBucket.forEach((series, first) -> closed.tailSet(first, true).forEach(b -> {
            if (!have.contains(series + "@" + b)) {
                missing.add(series + "@" + b);
            }
        }));
        assertThat(missing).as("(series, closed bucket) without an actual").isEmpty();
    }

    /**
     * In the order the app wrote them: A's forecasts, then B's, never back; each bucket's forecasts come from one
     * model (a cycle leases one); every forecast is the LSTM's, finite and with ordered quantiles.
     */
    private static void assertVersionsSwitchOnceFromAToB(List<Forecast> forecasts, String versionA,
                                                         String versionB) {
        assertThat(forecasts).extracting(Forecast::getMethod).containsOnly(LstmModel.METHOD);
        assertThat(forecasts).extracting(Forecast::getModelVersion).contains(versionA, versionB)
                .containsOnly(versionA, versionB);
        int firstB = -1;
        for (int i = 0; i < forecasts.size(); i++) {
            if (forecasts.get(i).getModelVersion().equals(versionB) && firstB < 0) {
                firstB = i;
            }
        }
        List<Forecast> afterFirstB = forecasts.subList(firstB, forecasts.size());
        assertThat(afterFirstB).as("forecasts written after B's first").allMatch(
                f -> f.getModelVersion().equals(versionB));
        Map<Instant, Set<String>> versionsByBucket = forecasts.stream().collect(Collectors.groupingBy(
                Forecast::getLastObservedBucket, TreeMap::new,
                Collectors.mapping(Forecast::getModelVersion, Collectors.toSet())));
        assertThat(versionsByBucket.entrySet()).as("buckets forecast by two models")
                .filteredOn(e -> e.getValue().size() != 1).isEmpty();
        Map<String, Long> bucketsByVersion = versionsByBucket.values().stream().collect(Collectors.groupingBy(
                v -> v.iterator().next(), Collectors.counting()));
        assertThat(bucketsByVersion.get(versionA)).as("buckets forecast by A, of %s", bucketsByVersion)
                .isGreaterThanOrEqualTo(BUCKETS_ON_A);
        assertThat(bucketsByVersion.get(versionB)).as("buckets forecast by B, of %s", bucketsByVersion)
                .isGreaterThanOrEqualTo(3);
        for (Forecast f : forecasts) {
            assertThat(f.getSteps()).hasSize(RegimeChange.HORIZON);
            for (ForecastStep s : f.getSteps()) {
                assertThat(List.of(s.getP10(), s.getP50(), s.getP90())).as("%s", f).allMatch(Double::isFinite);
                assertThat(s.getP10()).isLessThanOrEqualTo(s.getP50());
                assertThat(s.getP50()).isLessThanOrEqualTo(s.getP90());
            }
        }
    }

    /**
     * Reads sales-actuals and forecasts read_committed until they hold what the app made, or, should a fenced
     * task have made some twice, until nothing moved for a while: duplicates are then the assertions' business.
     */
    private static void readCommitted(ForecasterApp app, AppConfig config, List<SalesBucket> actuals,
                                      List<Forecast> forecasts) throws InterruptedException {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var a = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
             var f = new TopicReader<>(config.bootstrapServers(), config.topicNames().forecasts(),
                     Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
            long[] last = {-1, -1, System.nanoTime()};
            Cluster.await("the outputs to be committed", Duration.ofSeconds(30), () -> {
                int n = a.drain() + f.drain();
                long made = app.metrics().actualsPublished() + app.metrics().forecastsPublished();
                if (n != last[0] || made != last[1]) {
                    last[0] = n;
                    last[1] = made;
                    last[2] = System.nanoTime();
                }
                long still = System.nanoTime() - last[2];
                return still > Duration.ofSeconds(2).toNanos()
                        && (n == made || still > Duration.ofSeconds(8).toNanos());
            });
            actuals.addAll(a.values());
            // One partition: offset order is the order the app wrote them.
            f.records.stream().map(ConsumerRecord::value).forEach(forecasts::add);
        }
    }

    /** Waits until {@code buckets} buckets have committed forecasts made by {@code version}. */
    private static void awaitCommittedBuckets(AppConfig config, String version, int buckets)
            throws InterruptedException {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var f = new TopicReader<>(config.bootstrapServers(), config.topicNames().forecasts(),
                Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
            Cluster.await("forecasts of " + buckets + " buckets by " + version + " to be committed",
                    Duration.ofSeconds(30), () -> {
                        f.drain();
                        return f.values().stream().filter(x -> x.getModelVersion().equals(version))
                                .map(Forecast::getLastObservedBucket).distinct().count() >= buckets;
                    });
        }
    }

    /** A tiny LSTM on synthetic daily sales, exported to {@code dir}; {@code seed} makes it another model. */
    private static String trainTiny(Path dir, long seed) throws Exception {
        RegimeChange data = new RegimeChange(8, seed);
        var config = RegimeChange.tinyConfig(3).withTraining(3, 64, 0.01, 3, seed, 0);
        try (LstmModel model = new LstmTrainer(config).train(data.histories(42), null)) {
            model.export(dir);
            return model.version();
        }
    }
}
