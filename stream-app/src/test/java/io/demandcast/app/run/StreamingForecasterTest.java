package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.metrics.InstanceMetrics;
import io.demandcast.app.metrics.PrometheusScrape;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole app on the real broker and registry: the first two weeks of Online Retail replayed as fast as possible
 * by {@code produce} into an instance started as {@code run} starts one (exactly-once; sales repartitioned by
 * series), then the outputs read back with a read_committed consumer and checked against the file itself.
 *
 * <p>Three partitions for {@code orders}: three intake tasks run at their own pace and their sales reach the
 * aggregating tasks interleaved, one often more than a day of event time ahead of another. Before the aggregator
 * waited for every partition's watermark, this replay on two partitions dead-lettered 1,102 of 31,102 lines as late;
 * now none may be.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingForecasterTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
    private static final LocalDate UNTIL = LocalDate.parse("2010-12-15");
    private static final ZoneId SHOP = ZoneId.of("Europe/London");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]");

    private final Cluster cluster = Cluster.shared();
    private final HttpClient http = HttpClient.newHttpClient();
    private AppConfig config;
    private ForecasterApp app;
    private Expected expected;
    private final List<SalesBucket> actuals = new ArrayList<>();
    private final List<Forecast> forecasts = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();

    /** What the file says, computed here from the CSV without the app's classes. */
    record Expected(int orders, Map<LocalDate, Double> netUnitsByDay, Map<LocalDate, Map<String, Double>> bySeries,
                    int badQuantityOrders) {
    }

    @BeforeAll
    void replayTwoWeeks(@TempDir Path state) throws Exception {
        expected = readExpected();
        config = cluster.config(state, "bucket", "day", "grace", "1 bucket", "topic.partitions", "3",
                "processing.guarantee", "exactly_once_v2",
                // A loaded 2-core machine: commit every second, and give a transaction a minute before fencing.
                "commit.interval.ms", "1000", "transaction.timeout.ms", "60000");
        app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(30));
        Cluster.await("the app to run", Duration.ofSeconds(60), () -> app.health().state().equals("RUNNING"));

        Cluster.Run produced = Cluster.cli("produce", "--data", DATA.toString(), "--to", UNTIL.toString(),
                "--bootstrap-servers", config.bootstrapServers(), "--schema-registry-url", config.schemaRegistryUrl(),
                "--topic", config.topicNames().orders(), "--no-progress");
        assertThat(produced.exitCode()).as(produced.err()).isZero();
        assertThat(produced.out()).contains("Sent " + String.format("%,d", expected.orders()) + " orders");

        Cluster.await("the app to read all " + expected.orders() + " orders", Duration.ofSeconds(90),
                () -> app.metrics().recordsIn() >= expected.orders());
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var a = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
             var f = new TopicReader<>(config.bootstrapServers(), config.topicNames().forecasts(),
                     Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer());
             var d = new TopicReader<>(config.bootstrapServers(), config.topicNames().ordersDlq(),
                     Serdes.ByteArray().deserializer(), serdes.forValue(DeadLetter.class).deserializer())) {
            // Done when what is committed is what the app made, or, if a fenced task made some twice, when
            // nothing moved for a while: duplicates are then the assertions' business.
            long[] last = {-1, -1, System.nanoTime()};
            Cluster.await("the outputs to be committed", Duration.ofSeconds(90), () -> {
                int na = a.drain();
                int nf = f.drain();
                d.drain();
                long made = app.metrics().actualsPublished() + app.metrics().forecastsPublished();
                if (na + nf != last[0] || made != last[1]) {
                    last[0] = na + nf;
                    last[1] = made;
                    last[2] = System.nanoTime();
                }
                boolean settled = System.nanoTime() - last[2] > Duration.ofSeconds(3).toNanos();
                return settled && (na + nf == made || System.nanoTime() - last[2] > Duration.ofSeconds(10).toNanos());
            });
            actuals.addAll(a.values());
            forecasts.addAll(f.values());
            deadLetters.addAll(d.values());
        }
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyClosedBucketOfEverySeriesHasExactlyOneActualAndOneForecast() {
        Map<String, Long> actualCounts = actuals.stream().collect(Collectors.groupingBy(
                b -> b.getSeries() + "@" + b.getBucketStart(), TreeMap::new, Collectors.counting()));
        Map<String, Long> forecastCounts = forecasts.stream().collect(Collectors.groupingBy(
                fc -> fc.getSeries() + "@" + fc.getLastObservedBucket(), TreeMap::new, Collectors.counting()));
        assertThat(actualCounts).isNotEmpty();
        assertThat(actualCounts.entrySet()).as("duplicated actuals").filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(forecastCounts.entrySet()).as("duplicated forecasts").filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(forecastCounts.keySet()).isEqualTo(actualCounts.keySet());

        // No gap: each series has every day from its first bucket to the last one its task closed.
        Map<String, List<Instant>> daysBySeries = actuals.stream().collect(Collectors.groupingBy(
                SalesBucket::getSeries, Collectors.mapping(SalesBucket::getBucketStart, Collectors.toList())));
        daysBySeries.forEach((series, days) -> {
            List<Instant> sorted = days.stream().sorted().toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i)).as(series).isEqualTo(sorted.get(i - 1).plus(Duration.ofDays(1)));
            }
        });
    }

    @Test
    void dailyTotalsOfTheActualsEqualTheFilesOwnSums() {
        // The last order falls on UNTIL - 1: with a day of grace, the days up to UNTIL - 3 are closed everywhere.
        LocalDate lastClosed = UNTIL.minusDays(3);
        Map<LocalDate, Double> totals = new TreeMap<>();
        Map<LocalDate, Map<String, Double>> bySeries = new TreeMap<>();
        for (SalesBucket b : actuals) {
            LocalDate day = LocalDate.ofInstant(b.getBucketStart(), ZoneOffset.UTC);
            totals.merge(day, b.getUnits(), Double::sum);
            bySeries.computeIfAbsent(day, k -> new HashMap<>()).put(b.getSeries(), b.getUnits());
        }
        int compared = 0;
        for (LocalDate day = LocalDate.parse("2010-12-01"); !day.isAfter(lastClosed); day = day.plusDays(1)) {
            double want = expected.netUnitsByDay().getOrDefault(day, 0.0);
            assertThat(totals.getOrDefault(day, 0.0)).as("net units on %s", day).isCloseTo(want,
                    org.assertj.core.data.Offset.offset(1e-6));
            Map<String, Double> wantSeries = expected.bySeries().getOrDefault(day, Map.of());
            Map<String, Double> got = bySeries.getOrDefault(day, Map.of());
            for (var want1 : wantSeries.entrySet()) {
                assertThat(got.get(want1.getKey())).as("%s on %s", want1.getKey(), day)
                        .isEqualTo(want1.getValue(), org.assertj.core.data.Offset.offset(1e-6));
            }
            compared += wantSeries.isEmpty() ? 0 : 1;
        }
        assertThat(compared).as("days with sales compared").isGreaterThanOrEqualTo(9);
    }

    @Test
    void forecastsAreFiniteOrderedQuantilesFromTheFallback() {
        assertThat(forecasts).isNotEmpty();
        for (Forecast f : forecasts) {
            assertThat(f.getSteps()).hasSize(config.horizon());
            assertThat(f.getMethod()).isEqualTo("seasonal_naive:no_model");
            for (ForecastStep s : f.getSteps()) {
                assertThat(List.of(s.getP10(), s.getP50(), s.getP90())).allMatch(Double::isFinite);
                assertThat(s.getP10()).isLessThanOrEqualTo(s.getP50());
                assertThat(s.getP50()).isLessThanOrEqualTo(s.getP90());
            }
        }
    }

    @Test
    void theOrdersWereSpreadOverThreePartitions() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                ForecasterApp.adminProperties(config, Duration.ofSeconds(30)))) {
            String orders = config.topicNames().orders();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new org.apache.kafka.common.TopicPartition(orders, p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            var offsets = admin.listOffsets(latest).all().get();
            assertThat(offsets).hasSize(3);
            assertThat(offsets.values()).allSatisfy(o -> assertThat(o.offset()).isGreaterThan(expected.orders() / 6L));
        }
    }

    @Test
    void stockAdjustmentsAreDeadLetteredAsBadQuantityAndNothingIsLate() {
        Map<String, Long> reasons = deadLetters.stream().collect(Collectors.groupingBy(DeadLetter::getReason,
                Collectors.counting()));
        assertThat(reasons).containsOnlyKeys(Rejection.BAD_QUANTITY);
        assertThat(reasons.get(Rejection.BAD_QUANTITY)).isEqualTo(expected.badQuantityOrders());
        assertThat(app.metrics().lateRecords()).isZero();
    }

    @Test
    void schemasAreRegisteredUnderTheTopicValueSubjects() throws Exception {
        for (String topic : List.of(config.topicNames().orders(), config.topicNames().ordersDlq(),
                config.topicNames().salesActuals(), config.topicNames().forecasts())) {
            HttpResponse<String> r = get(URI.create(config.schemaRegistryUrl() + "/subjects/" + topic
                    + "-value/versions"));
            assertThat(r.statusCode()).as(topic + "-value: " + r.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(r.body()).size()).isEqualTo(1);
        }
    }

    @Test
    void restAnswersTheLatestForecastOfASeriesAndNotFoundForAnUnknownOne() throws Exception {
        Map<String, Forecast> latest = forecasts.stream().collect(Collectors.toMap(Forecast::getSeries,
                Function.identity(), (x, y) -> x.getLastObservedBucket().isAfter(y.getLastObservedBucket()) ? x : y));
        String series = "85123A";
        assertThat(latest).containsKey(series);
        HttpResponse<String> found = get(rest("/forecasts/" + series));
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        JsonNode json = new ObjectMapper().readTree(found.body());
        assertThat(json.get("series").asText()).isEqualTo(series);
        assertThat(json.get("lastObservedBucket").asText())
                .isEqualTo(latest.get(series).getLastObservedBucket().toString());
        assertThat(json.get("steps")).hasSize(config.horizon());
        assertThat(json.get("steps").get(0).get("p50").asDouble())
                .isEqualTo(latest.get(series).getSteps().get(0).getP50());

        HttpResponse<String> missing = get(rest("/forecasts/no-such-series"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(missing.body()).get("message").asText()).contains("no-such-series");

        HttpResponse<String> health = get(rest("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"state\":\"RUNNING\"");
        // Every changelog restored and the stream running: processing, so ready.
        HttpResponse<String> ready = get(rest("/ready"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void metricsAnswerInPrometheusText() throws Exception {
        HttpResponse<String> r = get(rest("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        PrometheusScrape s = PrometheusScrape.parse(r.body());

        assertThat(s.type("demandcast_records_in_total")).isEqualTo("counter");
        assertThat(s.value("demandcast_records_in_total")).hasValue(expected.orders());
        assertThat(s.value("demandcast_dead_letters_total{reason=\"bad-quantity\"}"))
                .hasValue(expected.badQuantityOrders());
        assertThat(s.value("demandcast_model_info{version=\"none\"}")).hasValue(1);
        assertThat(s.value("demandcast_buckets_closed_total").orElse(0)).isPositive();
        assertThat(s.value("demandcast_forecasts_published_total").orElse(0)).isPositive();
        // The cycle: histogram buckets that add up across instances, and this instance's quantiles.
        assertThat(s.type("demandcast_forecast_cycle_seconds")).isEqualTo("histogram");
        long cycles = (long) s.value("demandcast_forecast_cycle_seconds_count").orElse(0);
        assertThat(cycles).isPositive();
        assertThat(s.value("demandcast_forecast_cycle_seconds_bucket{le=\"+Inf\"}")).hasValue(cycles);
        assertThat(s.type("demandcast_forecast_cycle_quantile_seconds")).isEqualTo("gauge");
        for (String q : List.of("0.5", "0.9", "0.99")) {
            assertThat(s.value("demandcast_forecast_cycle_quantile_seconds{quantile=\"" + q + "\"}").orElse(-1))
                    .as("the cycle's %s quantile", q).isPositive().isFinite();
        }
        // On the fallback the model is never called, yet its latency is exported.
        assertThat(s.type("demandcast_inference_latency_seconds")).isEqualTo("histogram");
        // The Kafka Streams binder: the stream threads' own metrics, one sample per thread.
        assertThat(s.type("kafka_stream_thread_process_total")).isEqualTo("counter");
        assertThat(s.values("kafka_stream_thread_process_total").stream().mapToDouble(Double::doubleValue).sum())
                .as("records the stream threads processed").isGreaterThanOrEqualTo(expected.orders());
    }

    /**
     * The binder finds metrics Kafka Streams adds after start (tasks, state stores) on its next refresh, once a
     * minute; a fresh binding now registers all of them at once, as that refresh would, and must scrape without a
     * name clash.
     */
    @Test
    void everyMetricOfTheRunningStreamsClientScrapes() {
        try (InstanceMetrics later = new InstanceMetrics()) {
            later.bindStreams(app.streams());
            PrometheusScrape s = PrometheusScrape.parse(later.scrape());

            assertThat(s.type("kafka_stream_thread_process_total")).isEqualTo("counter");
            assertThat(s.types().keySet()).as("task metrics, which exist once tasks are assigned")
                    .anyMatch(f -> f.startsWith("kafka_stream_task_"));
        }
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + app.restAddress().getPort() + path);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The file's orders before {@link #UNTIL}, net units per UTC day and series (a cancellation subtracts), and
     * the orders with a line of non-positive quantity that is not a cancellation (stock adjustments).
     */
    static Expected readExpected() throws IOException {
        Map<String, List<String[]>> invoices = new java.util.LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(DATA)), StandardCharsets.UTF_8))) {
            r.readLine();
            for (String row; (row = r.readLine()) != null; ) {
                String[] f = row.split(",", -1);
                if (LocalDate.parse(f[3].substring(0, 10)).compareTo(UNTIL) >= 0) {
                    break;
                }
                invoices.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        }
        Map<LocalDate, Double> byDay = new TreeMap<>();
        Map<LocalDate, Map<String, Double>> bySeries = new TreeMap<>();
        int bad = 0;
        for (var e : invoices.entrySet()) {
            boolean cancellation = e.getKey().startsWith("C");
            boolean adjustment = !cancellation && e.getValue().stream().anyMatch(f -> Double.parseDouble(f[2]) <= 0);
            if (adjustment) {
                bad++;
                continue;
            }
            for (String[] f : e.getValue()) {
                Instant t = LocalDateTime.parse(f[3], TIME).atZone(SHOP).toInstant();
                LocalDate day = LocalDate.ofInstant(t, ZoneOffset.UTC);
                double units = cancellation ? -Math.abs(Double.parseDouble(f[2])) : Double.parseDouble(f[2]);
                byDay.merge(day, units, Double::sum);
                bySeries.computeIfAbsent(day, k -> new HashMap<>()).merge(f[1], units, Double::sum);
            }
        }
        return new Expected(invoices.size(), byDay, bySeries, bad);
    }
}
