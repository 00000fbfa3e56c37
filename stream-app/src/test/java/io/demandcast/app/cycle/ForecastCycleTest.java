package io.demandcast.app.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.registry.ForecastEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForecastCycleTest {

    private static final Instant START = Instant.parse("2011-01-03T00:00:00Z");
    private final PipelineMetrics metrics = new PipelineMetrics();

    private static List<SeriesHistory> histories(int n) {
        List<SeriesHistory> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] units = new double[14];
            for (int d = 0; d < units.length; d++) {
                units[d] = i + d % 7;
            }
            out.add(SeriesHistory.of("s" + i, Bucket.DAY, START, units));
        }
        return out;
    }

    private ForecastCycle cycle(ModelHandle models, int batchSize) {
        return new ForecastCycle(models, new SeasonalNaive(TestForecasters.QUANTILES), 3, batchSize, metrics);
    }

    private static ModelHandle slotWith(io.demandcast.model.Forecaster f, String version) {
        ModelSlot slot = new ModelSlot();
        slot.swap(f, version, null);
        return slot;
    }

    @Test
    void withoutAModelEverySeriesGetsTheSeasonalNaiveAndMethodSaysWhy() {
        List<Forecast> out = cycle(ModelHandle.none(), 10).forecast(histories(3), START.plusSeconds(86400 * 13), 0);

        assertThat(out).extracting(Forecast::getSeries).containsExactly("s0", "s1", "s2");
        assertThat(out).allSatisfy(f -> {
            assertThat(f.getMethod()).isEqualTo("seasonal_naive:no_model");
            assertThat(f.getModelVersion()).isEqualTo(SeasonalNaive.METHOD);
            assertThat(f.getSteps()).hasSize(3);
        });
        // Seasonal naive repeats the same weekday a week earlier: s1 on day 14 (weekday 0) had 1 + 0 units.
        ForecastStep first = out.get(1).getSteps().get(0);
        assertThat(first.getBucketStart()).isEqualTo(Instant.parse("2011-01-17T00:00:00Z"));
        assertThat(first.getP50()).isEqualTo(1.0);
        assertThat(metrics.fallbacks(ForecastCycle.NO_MODEL)).isEqualTo(3);
    }

    @Test
    void seriesForWhichTheModelReturnsNonFiniteValuesFallBackAndTheOthersKeepTheModel() {
        var model = new TestForecasters.MeanModel("lstm", Set.of("s1"));
        List<Forecast> out = cycle(slotWith(model, "v7"), 10).forecast(histories(3), START, 0);

        assertThat(out).extracting(Forecast::getSeries, Forecast::getMethod, Forecast::getModelVersion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s0", "lstm", "v7"),
                        org.assertj.core.groups.Tuple.tuple("s1", "seasonal_naive:non_finite", "seasonal_naive"),
                        org.assertj.core.groups.Tuple.tuple("s2", "lstm", "v7"));
        assertThat(out).allSatisfy(f -> assertThat(f.getSteps()).allSatisfy(s ->
                assertThat(List.of(s.getP10(), s.getP50(), s.getP90())).allMatch(Double::isFinite)));
        assertThat(metrics.modelVersion()).isEqualTo("v7");
    }

    @Test
    void aModelThatThrowsFallsBackForItsBatchWithoutFailingTheCycle() {
        List<Forecast> out = cycle(slotWith(new TestForecasters.BrokenModel(), "v1"), 2)
                .forecast(histories(3), START, 0);

        assertThat(out).hasSize(3).allSatisfy(f -> assertThat(f.getMethod()).isEqualTo("seasonal_naive:model_error"));
    }

    @Test
    void theModelIsCalledInBatchesOfAtMostTheBatchSize() {
        var model = new TestForecasters.MeanModel();
        List<Forecast> out = cycle(slotWith(model, "v1"), 4).forecast(histories(10), START, 0);

        assertThat(model.batchSizes).containsExactly(4, 4, 2);
        assertThat(out).extracting(Forecast::getSeries).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6",
                "s7", "s8", "s9");
        assertThat(metrics.inferenceBatches()).isEqualTo(3);
        assertThat(metrics.maxBatchSize()).isEqualTo(4);
    }

    @Test
    void aCloseServedInPartsIsTimedAsOneCycleWhenItsRunCloses() {
        ForecastCycle cycle = cycle(slotWith(new TestForecasters.MeanModel(), "v1"), 4);
        try (ForecastCycle.Run run = cycle.start()) {
            run.forecast(histories(3));
            run.forecast(histories(5));
            assertThat(metrics.cycles()).as("not before the run closes").isZero();
        }
        assertThat(metrics.cycles()).isEqualTo(1);
        assertThat(metrics.inferenceBatches()).isEqualTo(3);

        cycle(ModelHandle.none(), 4).forecast(histories(2), START, 0);
        assertThat(metrics.cycles()).as("a cycle on the fallback is timed too").isEqualTo(2);
    }

    @Test
    void aBatchsForecastsStayAsTheyWereWhenTheRunForecastsTheNextBatch() {
        ForecastCycle cycle = cycle(slotWith(new TestForecasters.MeanModel("lstm", Set.of("s1")), "v2"), 2);
        try (ForecastCycle.Run run = cycle.start()) {
            ForecastBatch first = run.forecast(histories(3));
            ForecastEncoder.Steps s0 = first.steps(0);
            run.forecast(histories(5).subList(2, 5));

            // s0's units are 0..6 twice: mean 3.
            assertThat(s0.p50(0)).isEqualTo(3.0);
            assertThat(first.steps(2).p90(2)).isEqualTo(1.5 * 5.0);
            assertThat(first.method(1)).isEqualTo("seasonal_naive:non_finite");
            assertThat(first.modelVersion(1)).isEqualTo("seasonal_naive");
            assertThat(first.method(2)).isEqualTo("lstm");
            assertThat(first.modelVersion(2)).isEqualTo("v2");
            assertThat(first.steps(2).bucketStart(0)).isEqualTo(Instant.parse("2011-01-17T00:00:00Z").toEpochMilli());
        }
    }
}
