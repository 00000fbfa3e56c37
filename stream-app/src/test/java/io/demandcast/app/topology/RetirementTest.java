package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetirementTest {

    @TempDir
    Path state;

    @Test
    void aSeriesSilentForRetireAfterBucketsLeavesStateAndOutputsAndComesBackFreshWhenItSellsAgain() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "series.retire.after.buckets", "3"),
                ModelHandle.none())) {
            p.sale("B", "2011-01-03T09:00:00Z", 2);
            for (int day = 3; day <= 9; day++) {
                p.sale("A", String.format("2011-01-%02dT10:00:00Z", day), 1);
            }
            List<SalesBucket> actuals = p.actuals();
            List<Forecast> forecasts = p.forecasts();
            // B: its sale on the 3rd, zeros on the 4th, 5th and 6th (three silent buckets), then gone.
            assertThat(actuals).filteredOn(b -> b.getSeries().equals("B"))
                    .extracting(b -> b.getBucketStart().toString())
                    .containsExactly("2011-01-03T00:00:00Z", "2011-01-04T00:00:00Z", "2011-01-05T00:00:00Z",
                            "2011-01-06T00:00:00Z");
            assertThat(forecasts).filteredOn(f -> f.getSeries().equals("B")).hasSize(4);
            assertThat(actuals).filteredOn(b -> b.getSeries().equals("A")).hasSize(6);
            assertThat(p.metrics.seriesRetiredCount()).isEqualTo(1);
            assertThat(p.driver.getKeyValueStore(BucketAggregator.OPEN_BUCKETS_STORE).get("B")).isNull();
            assertThat(p.driver.getKeyValueStore(BucketAggregator.SERIES_STATE_STORE).get("B")).isNull();
            // Its last forecast stays where REST finds it.
            Forecast lastOfB = forecasts.stream().filter(f -> f.getSeries().equals("B")).reduce((x, y) -> y)
                    .orElseThrow();
            assertThat(p.latestForecast("B")).isEqualTo(lastOfB);
            assertThat(p.metrics.seriesActive()).isEqualTo(1);

            p.sale("B", "2011-01-10T09:00:00Z", 5);
            p.sale("A", "2011-01-11T10:00:00Z", 1);
            assertThat(p.actuals()).filteredOn(b -> b.getSeries().equals("B")).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-10T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(5.0);
            });
        }
    }

    @Test
    void aRetiredSeriesLastForecastIsDroppedOnceItHasBeenRetiredLongerThanRetireAfterBuckets() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "series.retire.after.buckets", "3"),
                ModelHandle.none())) {
            p.sale("B", "2011-01-03T09:00:00Z", 2);
            // B retires at the close of the 6th; A keeps the clock going. Purges run every 8 closes, so by the
            // 30th (24 closes after B retired) its forecast has gone, and no other retired series is left.
            for (int day = 3; day <= 30; day++) {
                p.sale("A", String.format("2011-01-%02dT10:00:00Z", day), 1);
                if (day == 9) {
                    assertThat(p.latestForecast("B")).isNotNull();
                }
            }
            assertThat(p.metrics.seriesRetiredCount()).isEqualTo(1);
            assertThat(p.latestForecast("B")).isNull();
            assertThat(p.latestForecast("A")).isNotNull();
            try (var all = p.driver.getKeyValueStore(BucketAggregator.RETIRED_FORECASTS_STORE).all()) {
                assertThat(all.hasNext()).isFalse();
            }
        }
    }
}
