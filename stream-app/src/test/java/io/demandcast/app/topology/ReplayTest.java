package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.cycle.TestForecasters;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A year of daily orders read as fast as the driver can: every (series, closed day) comes out exactly once on
 * {@code sales-actuals} with the right units, and has exactly one forecast. This is the case where windowed
 * stores with onWindowClose lost about 6% of results (docs/ARCHITECTURE.md).
 */
class ReplayTest {

    static final Instant FIRST_DAY = Instant.parse("2010-12-01T00:00:00Z");
    static final int DAYS = 370;
    static final int SERIES = 12;

    @TempDir
    Path state;

    /** A sale of the generated stream. */
    record Sale(String series, Instant time, double units) {
    }

    /** Intermittent daily demand with shop closures, in time order; the same for every call. */
    static List<Sale> year() {
        Random random = new Random(20111209L);
        List<Sale> sales = new ArrayList<>();
        for (int d = 0; d < DAYS; d++) {
            Instant day = FIRST_DAY.plus(d, ChronoUnit.DAYS);
            boolean closed = d % 7 == 5 || (d >= 23 && d <= 33);
            if (closed) {
                continue;
            }
            int orders = 1 + random.nextInt(6);
            for (int o = 0; o < orders; o++) {
                // Series i starts selling on day 3 i: later series join the stream as it runs.
                int i = random.nextInt(SERIES);
                if (d < 3 * i) {
                    continue;
                }
                sales.add(new Sale("P" + i, day.plus(Duration.ofMinutes(480 + 90L * o)), 1 + random.nextInt(12)));
            }
        }
        return sales;
    }

    static void play(PipelineDriver p, List<Sale> sales) {
        for (Sale s : sales) {
            p.sale(s.series(), s.time().toString(), s.units());
        }
    }

    /** The expected actuals, worked out from the sales alone: every day of every series from its first sale. */
    static Map<String, TreeMap<Instant, Double>> expectedActuals(List<Sale> sales, Duration grace) {
        Instant streamTime = sales.get(sales.size() - 1).time();
        Map<String, TreeMap<Instant, Double>> out = new TreeMap<>();
        for (Sale s : sales) {
            Instant day = s.time().truncatedTo(ChronoUnit.DAYS);
            out.computeIfAbsent(s.series(), k -> new TreeMap<>()).merge(day, s.units(), Double::sum);
        }
        out.values().forEach(days -> {
            Instant first = days.firstKey();
            for (Instant d = first; !d.plus(1, ChronoUnit.DAYS).plus(grace).isAfter(streamTime);
                    d = d.plus(1, ChronoUnit.DAYS)) {
                days.putIfAbsent(d, 0.0);
            }
            days.keySet().removeIf(d -> d.plus(1, ChronoUnit.DAYS).plus(grace).isAfter(streamTime));
        });
        return out;
    }

    static Map<String, TreeMap<Instant, Double>> byseries(List<SalesBucket> actuals) {
        Map<String, TreeMap<Instant, Double>> out = new TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        for (SalesBucket b : actuals) {
            Double before = out.computeIfAbsent(b.getSeries(), k -> new TreeMap<>()).put(b.getBucketStart(), b.getUnits());
            if (before != null) {
                duplicates.add(b.getSeries() + "@" + b.getBucketStart());
            }
        }
        assertThat(duplicates).as("(series, bucket) published more than once").isEmpty();
        return out;
    }

    static void assertOneForecastPerActual(List<SalesBucket> actuals, List<Forecast> forecasts) {
        Map<String, Integer> count = new HashMap<>();
        for (Forecast f : forecasts) {
            count.merge(f.getSeries() + "@" + f.getLastObservedBucket(), 1, Integer::sum);
        }
        assertThat(count.values()).as("forecasts per (series, closed bucket)").containsOnly(1);
        assertThat(count.keySet()).containsExactlyInAnyOrderElementsOf(
                actuals.stream().map(b -> b.getSeries() + "@" + b.getBucketStart()).toList());
    }

    @Test
    void aFastReplayOfAYearPublishesEveryClosedDayOfEverySeriesExactlyOnceWithOneForecastEach() {
        List<Sale> sales = year();
        ModelSlot slot = new ModelSlot();
        slot.swap(new TestForecasters.MeanModel(), "v1", null);
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "batch.size", "5",
                "series.retire.after.buckets", "1000", "horizon", "7"), slot)) {
            play(p, sales);

            List<SalesBucket> actuals = p.actuals();
            List<Forecast> forecasts = p.forecasts();
            Map<String, TreeMap<Instant, Double>> expected = expectedActuals(sales, p.config.grace());
            assertThat(byseries(actuals)).isEqualTo(expected);
            assertThat(actuals.size()).as("a year of 12 series").isGreaterThan(3_500);
            assertOneForecastPerActual(actuals, forecasts);
            assertThat(forecasts).allSatisfy(f -> {
                assertThat(f.getMethod()).isEqualTo("test_mean");
                assertThat(f.getSteps()).hasSize(7);
            });
            assertThat(p.metrics.maxBatchSize()).isLessThanOrEqualTo(5);
            assertThat(p.deadLetters()).isEmpty();
        }
    }

    @Test
    void noModelStillGivesEveryClosedBucketAFallbackForecast() {
        List<Sale> sales = year().subList(0, 300);
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "series.retire.after.buckets", "1000"),
                ModelHandle.none())) {
            play(p, sales);
            List<SalesBucket> actuals = p.actuals();
            List<Forecast> forecasts = p.forecasts();
            assertOneForecastPerActual(actuals, forecasts);
            assertThat(forecasts).isNotEmpty().allSatisfy(f -> assertThat(f.getMethod())
                    .isEqualTo("seasonal_naive:no_model"));
        }
    }
}
