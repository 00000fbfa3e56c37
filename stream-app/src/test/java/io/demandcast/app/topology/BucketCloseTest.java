package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.aggregate.SeriesState;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketCloseTest {

    @TempDir
    Path state;

    private PipelineDriver pipeline(String grace) {
        return new PipelineDriver(PipelineDriver.config(state, "grace", grace), ModelHandle.none());
    }

    @Test
    void aBucketClosesForEverySeriesOnceStreamTimePassesItsEndPlusGraceAndSilentSeriesGetZero() {
        try (PipelineDriver p = pipeline("PT1H")) {
            p.sale("A", "2011-01-03T10:00:00Z", 5);
            p.sale("B", "2011-01-03T11:00:00Z", 2);
            p.sale("A", "2011-01-04T00:30:00Z", 1);
            assertThat(p.actuals()).as("day 1 is still within its grace").isEmpty();

            p.sale("A", "2011-01-04T01:00:00Z", 1);
            List<SalesBucket> day1 = p.actuals();
            assertThat(day1).extracting(SalesBucket::getSeries, SalesBucket::getUnits, SalesBucket::getZeroFilled)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("A", 5.0, false),
                            org.assertj.core.groups.Tuple.tuple("B", 2.0, false));
            assertThat(day1).allSatisfy(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
                assertThat(b.getBucketEnd()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
            });

            p.sale("A", "2011-01-05T02:00:00Z", 1);
            List<SalesBucket> day2 = p.actuals();
            assertThat(day2).extracting(SalesBucket::getSeries, SalesBucket::getUnits, SalesBucket::getZeroFilled,
                            SalesBucket::getOrderCount)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("A", 2.0, false, 2),
                            org.assertj.core.groups.Tuple.tuple("B", 0.0, true, 0));
            assertThat(day2.stream().filter(b -> b.getSeries().equals("B")).findFirst().orElseThrow().getMeanPrice())
                    .isNull();
            assertThat(p.metrics.bucketsClosed()).as("closed buckets counted, one per close").isEqualTo(2);
        }
    }

    @Test
    void aRecordWithinGraceStillCountsInItsBucket() {
        try (PipelineDriver p = pipeline("PT2H")) {
            p.sale("A", "2011-01-03T10:00:00Z", 5);
            p.sale("A", "2011-01-04T01:00:00Z", 1);
            // Stream time is past the end of day 1 but within its 2 h grace.
            p.sale("A", "2011-01-03T23:30:00Z", 3);
            p.sale("A", "2011-01-04T02:00:00Z", 1);

            assertThat(p.actuals()).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(8.0);
            });
            assertThat(p.deadLetters()).isEmpty();
        }
    }

    @Test
    void aRecordBeyondGraceIsLateDeadLetteredAndCountedAndTheClosedBucketStaysAsItWas() {
        try (PipelineDriver p = pipeline("PT1H")) {
            p.sale("A", "2011-01-03T10:00:00Z", 5);
            p.sale("A", "2011-01-04T01:00:00Z", 1);
            assertThat(p.actuals()).singleElement().extracting(SalesBucket::getUnits).isEqualTo(5.0);

            p.sale("A", "2011-01-03T23:59:00Z", 7);

            List<KeyValue<byte[], DeadLetter>> dlq = p.deadLetters();
            assertThat(dlq).singleElement().satisfies(kv -> {
                assertThat(kv.value.getReason()).isEqualTo(Rejection.LATE);
                assertThat(kv.value.getTopic()).isEqualTo("orders");
                assertThat(kv.value.getOffset()).isEqualTo(2L);
                assertThat(kv.value.getDetail()).contains("2011-01-03T00:00:00Z");
                assertThat(PipelineDriver.key(kv)).isEqualTo("o3");
            });
            assertThat(p.metrics.lateRecords()).isEqualTo(1);
            assertThat(p.metrics.deadLetters(Rejection.LATE)).isEqualTo(1);

            p.sale("A", "2011-01-05T02:00:00Z", 1);
            assertThat(p.actuals()).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(1.0);
            });
        }
    }

    @Test
    void aRecordWithinGraceBeforeTheVeryFirstRecordOfTheTaskIsNotLate() {
        try (PipelineDriver p = pipeline("PT1H")) {
            p.sale("A", "2011-01-04T00:20:00Z", 1);
            p.sale("B", "2011-01-03T23:45:00Z", 2);
            p.sale("A", "2011-01-05T02:00:00Z", 1);

            assertThat(p.deadLetters()).isEmpty();
            assertThat(p.actuals()).extracting(b -> b.getSeries() + "@" + b.getBucketStart().toString().substring(0, 10)
                            + "=" + b.getUnits())
                    .containsExactlyInAnyOrder("B@2011-01-03=2.0", "A@2011-01-04=1.0", "B@2011-01-04=0.0");
        }
    }

    @Test
    void monthlyBucketsFollowTheCalendarAndZeroFillASilentMonth() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "bucket", "month", "grace", "P1D",
                "max.future.skew", "P90D"), ModelHandle.none())) {
            p.sale("A", "2011-01-31T23:00:00Z", 3);
            p.sale("B", "2011-02-10T10:00:00Z", 1);
            p.sale("A", "2011-03-15T10:00:00Z", 4);

            assertThat(p.actuals()).extracting(b -> b.getSeries() + "@" + b.getBucketStart() + ".." + b.getBucketEnd()
                            + "=" + b.getUnits())
                    .containsExactlyInAnyOrder(
                            "A@2011-01-01T00:00:00Z..2011-02-01T00:00:00Z=3.0",
                            "A@2011-02-01T00:00:00Z..2011-03-01T00:00:00Z=0.0",
                            "B@2011-02-01T00:00:00Z..2011-03-01T00:00:00Z=1.0");
            assertThat(p.forecasts()).filteredOn(f -> f.getSeries().equals("A")).last().satisfies(f ->
                    assertThat(f.getSteps().get(0).getBucketStart()).isEqualTo(Instant.parse("2011-03-01T00:00:00Z")));
        }
    }

    /** A close works in parts of a few thousand series, writing each part's states while it reads the next. */
    @Test
    void aCloseOfMoreSeriesThanOnePartPublishesEverySeriesOnceAndKeepsEveryHistory() {
        int n = 9_000;
        try (PipelineDriver p = pipeline("PT0S")) {
            for (int o = 0; o < n / 1_000; o++) {
                OrderLine[] lines = new OrderLine[1_000];
                for (int i = 0; i < lines.length; i++) {
                    int s = o * 1_000 + i;
                    lines[i] = PipelineDriver.line(String.format("s%05d", s), 1 + s % 7, 1.0);
                }
                p.send(PipelineDriver.order("day1-" + o, Instant.parse("2011-01-03T10:00:00Z"), OrderType.SALE,
                        lines));
            }
            p.sale("s08888", "2011-01-04T10:00:00Z", 100);
            p.sale("s00001", "2011-01-05T10:00:00Z", 1);

            List<SalesBucket> actuals = p.actuals();
            List<Forecast> forecasts = p.forecasts();
            for (String day : List.of("2011-01-03T00:00:00Z", "2011-01-04T00:00:00Z")) {
                Instant b = Instant.parse(day);
                assertThat(actuals).filteredOn(a -> a.getBucketStart().equals(b)).extracting(SalesBucket::getSeries)
                        .as("actuals of %s", day).hasSize(n).doesNotHaveDuplicates();
                assertThat(forecasts).filteredOn(f -> f.getLastObservedBucket().equals(b))
                        .extracting(Forecast::getSeries).as("forecasts after %s", day).hasSize(n)
                        .doesNotHaveDuplicates();
            }
            assertThat(actuals).hasSize(2 * n);
            for (int s = 0; s < n; s += 997) {
                String series = String.format("s%05d", s);
                assertThat(p.closedUnits(series)).as(series).containsExactly(1 + s % 7, 0);
            }
            assertThat(p.closedUnits("s08888")).containsExactly(1 + 8888 % 7, 100);
            assertThat(p.latestForecast("s04321").getLastObservedBucket())
                    .isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
        }
    }

    /**
     * A history longer than a fold is kept as a stored body and a tail of fewer than {@link
     * BucketAggregator#FOLD_MAX} buckets in the series' state: together they hold at least the last {@code
     * history.length} buckets as published, and the state a close rewrites does not grow with the history.
     */
    @Test
    void aLongHistoryIsKeptAsAStoredBodyAndAShortTailThatTogetherHoldItsLastBuckets() {
        int length = 20;
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "history.length", "" + length,
                "series.retire.after.buckets", "10"), ModelHandle.none())) {
            Instant first = Instant.parse("2011-01-03T10:00:00Z");
            for (int day = 0; day < 75; day++) {
                String t = first.plus(Duration.ofDays(day)).toString();
                p.sale("A", t, 1 + day % 5);
                if (day % 3 == 0) {
                    p.sale("B", t, 2 + day);
                }
                if (day < 30) {
                    p.sale("C", t, 3);
                }
                if (day == 29) {
                    assertThat(p.driver.getKeyValueStore(BucketAggregator.SERIES_HISTORY_STORE).get("C")).isNotNull();
                }
            }
            // C retired: its body went with its state.
            assertThat(p.closedUnits("C")).isNull();
            assertThat(p.driver.getKeyValueStore(BucketAggregator.SERIES_HISTORY_STORE).get("C")).isNull();
            List<SalesBucket> actuals = p.actuals();
            for (String series : List.of("A", "B")) {
                double[] published = actuals.stream().filter(a -> a.getSeries().equals(series))
                        .mapToDouble(SalesBucket::getUnits).toArray();
                assertThat(published).as(series).hasSizeGreaterThan(70);
                double[] kept = p.closedUnits(series);
                assertThat(kept.length).as(series).isBetween(length, length + BucketAggregator.FOLD_MAX - 1);
                assertThat(Arrays.copyOfRange(kept, kept.length - length, kept.length)).as(series)
                        .containsExactly(Arrays.copyOfRange(published, published.length - length, published.length));
                assertThat(p.driver.<String, SeriesState>getKeyValueStore(BucketAggregator.SERIES_STATE_STORE)
                        .get(series).tail().length()).as(series).isLessThan(BucketAggregator.FOLD_MAX);
            }
        }
    }
}
