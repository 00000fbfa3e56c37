package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.cycle.TestForecasters;
import io.demandcast.schemas.avro.Forecast;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forecasts topic tells which method made each forecast, and is never missing one. */
class ModelFallbackTest {

    @TempDir
    Path state;

    private static void twoDaysOfThreeSeries(PipelineDriver p) {
        for (String s : List.of("A", "B", "C")) {
            p.sale(s, "2011-01-03T10:00:00Z", 3);
        }
        p.sale("A", "2011-01-04T10:00:00Z", 1);
        p.sale("A", "2011-01-05T10:00:00Z", 1);
    }

    @Test
    void withNoModelLoadedEveryForecastIsSeasonalNaiveAndSaysNoModel() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            twoDaysOfThreeSeries(p);
            List<Forecast> forecasts = p.forecasts();
            assertThat(forecasts).hasSize(6).allSatisfy(f -> {
                assertThat(f.getMethod()).isEqualTo("seasonal_naive:no_model");
                assertThat(f.getModelVersion()).isEqualTo("seasonal_naive");
                assertThat(f.getSteps()).hasSize(p.config.horizon());
            });
        }
    }

    @Test
    void seriesTheModelReturnsNaNForFallBackAndSaySo() {
        ModelSlot slot = new ModelSlot();
        slot.swap(new TestForecasters.MeanModel("lstm", Set.of("B")), "2026-01-01T00:00Z", null);
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), slot)) {
            twoDaysOfThreeSeries(p);
            List<Forecast> forecasts = p.forecasts();
            assertThat(forecasts).hasSize(6);
            assertThat(forecasts).filteredOn(f -> f.getSeries().equals("B")).allSatisfy(f -> {
                assertThat(f.getMethod()).isEqualTo("seasonal_naive:non_finite");
                assertThat(f.getSteps()).allSatisfy(s -> assertThat(s.getP50()).isFinite());
            });
            assertThat(forecasts).filteredOn(f -> !f.getSeries().equals("B")).allSatisfy(f -> {
                assertThat(f.getMethod()).isEqualTo("lstm");
                assertThat(f.getModelVersion()).isEqualTo("2026-01-01T00:00Z");
            });
        }
    }

    @Test
    void aModelSwappedInBetweenTwoClosesServesTheSecond() {
        ModelSlot slot = new ModelSlot();
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), slot)) {
            p.sale("A", "2011-01-03T10:00:00Z", 3);
            p.sale("A", "2011-01-04T10:00:00Z", 1);
            slot.swap(new TestForecasters.MeanModel("lstm", Set.of()), "v2", null);
            p.sale("A", "2011-01-05T10:00:00Z", 1);
            assertThat(p.forecasts()).extracting(Forecast::getMethod)
                    .containsExactly("seasonal_naive:no_model", "lstm");
        }
    }

    @Test
    void theModelIsCalledOncePerBatchOfAtMostBatchSizeSeriesPerClosedBucketNotPerRecord() {
        var model = new TestForecasters.MeanModel();
        ModelSlot slot = new ModelSlot();
        slot.swap(model, "v1", null);
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "batch.size", "4"), slot)) {
            for (int round = 0; round < 5; round++) {
                for (int s = 0; s < 10; s++) {
                    p.sale("P" + s, "2011-01-03T1" + round + ":00:00Z", 1);
                }
            }
            assertThat(model.batchSizes).as("50 records, no bucket closed yet").isEmpty();

            p.sale("P0", "2011-01-04T10:00:00Z", 1);
            assertThat(model.batchSizes).containsExactly(4, 4, 2);
            p.sale("P0", "2011-01-05T10:00:00Z", 1);
            assertThat(model.batchSizes).containsExactly(4, 4, 2, 4, 4, 2);
            assertThat(p.forecasts()).hasSize(20);
        }
    }
}
