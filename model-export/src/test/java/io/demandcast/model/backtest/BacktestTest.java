package io.demandcast.model.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.Forecaster;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.baseline.MovingAverage;
import io.demandcast.model.baseline.Naive;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.metrics.SeriesErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

    private static final double[] Q = BacktestConfig.DEFAULT_QUANTILES;
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final double HELD_OUT = 1_000_000;

    @TempDir
    Path dir;

    private static List<Forecaster> baselines() {
        return List.of(new SeasonalNaive(Q), new Naive(Q), new MovingAverage(Q, 0));
    }

    /** A series whose training part is small numbers and whose last {@code holdout} buckets are a marker value. */
    private static SeriesHistory marked(String name, int training, int holdout) {
        double[] y = new double[training + holdout];
        for (int t = 0; t < training; t++) {
            y[t] = t % 7 + t / 7;
        }
        for (int t = training; t < y.length; t++) {
            y[t] = HELD_OUT + t;
        }
        return SeriesHistory.of(name, Bucket.DAY, START, y);
    }

    @Test
    void theTrainerNeverSeesTheHoldout() {
        RecordingTrainer trainer = new RecordingTrainer();
        new Backtest(BacktestConfig.of(14, 14)).run(List.of(marked("a", 30, 14), marked("b", 50, 14)), trainer,
                TrainingListener.NONE, baselines());
        assertThat(trainer.trainedOn).extracting(SeriesHistory::length).containsExactly(30, 50);
        assertThat(trainer.trainedOn).allSatisfy(h ->
                assertThat(java.util.Arrays.stream(h.units()).max().orElseThrow()).isLessThan(HELD_OUT));
        assertThat(trainer.forecastFrom).extracting(SeriesHistory::length).containsExactly(30, 50);
        assertThat(trainer.closed).isTrue();
    }

    @Test
    void rollingOriginsForecastFromEveryStepWithTheActualsBeforeThem() {
        RecordingTrainer trainer = new RecordingTrainer();
        BacktestResult r = new Backtest(new BacktestConfig(14, 5, 3, Q)).run(List.of(marked("a", 30, 14)), trainer,
                TrainingListener.NONE, List.of());
        // origins 30, 33, 36, 39 (39 + 5 = 44 is the end); training still stops at 30
        assertThat(r.config().origins()).isEqualTo(4);
        assertThat(trainer.trainedOn).extracting(SeriesHistory::length).containsExactly(30);
        assertThat(trainer.forecastFrom).extracting(SeriesHistory::length).containsExactly(30, 33, 36, 39);
        assertThat(r.rows()).hasSize(4 * 5);
        assertThat(r.rows().get(5).bucketStart()).isEqualTo(Bucket.DAY.plus(START, 33));
    }

    @Test
    void theMaseScaleComesFromTheTrainingPartOnly() {
        // training 1..7 then 2..8: every seasonal difference is 1, so the scale is 1 whatever the holdout holds.
        double[] y = {1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8, 10, 3, 4, 5, 6, 7, 100};
        BacktestResult r = new Backtest(BacktestConfig.of(7, 7)).run(
                List.of(SeriesHistory.of("s", Bucket.DAY, START, y)), null, null, List.of(new SeasonalNaive(Q)));
        SeriesErrors e = r.perSeries().get("seasonal_naive").get(0);
        assertThat(e.maseScale()).isEqualTo(1.0);
        // forecast 2..8 against 10,3,4,5,6,7,100: |errors| 8,0,0,0,0,0,92 -> MAE 100/7
        assertThat(e.mase()).isCloseTo(100.0 / 7, within(1e-12));
        assertThat(r.summaries().get("seasonal_naive").maseMean()).isCloseTo(100.0 / 7, within(1e-12));
    }

    @Test
    void seriesNotLongerThanTheHoldoutAreSkippedAndCounted() {
        BacktestResult r = new Backtest(BacktestConfig.of(14, 7)).run(
                List.of(marked("long", 20, 14), marked("short", 0, 14)), null, null, baselines());
        assertThat(r.series()).extracting(SeriesHistory::series).containsExactly("long");
        assertThat(r.skippedSeries()).isEqualTo(1);
        assertThatThrownBy(() -> new Backtest(BacktestConfig.of(14, 7)).run(List.of(marked("short", 0, 14)), null,
                null, baselines())).hasMessage("no series is longer than the holdout of 14 buckets (1 series given)");
    }

    @Test
    void forecastsCsvHasExactlyTheRequiredColumnsAndOneRowPerSeriesOriginStepAndMethod() throws IOException {
        RecordingTrainer trainer = new RecordingTrainer();
        BacktestResult r = new Backtest(BacktestConfig.of(14, 7)).run(
                List.of(marked("a", 30, 14), marked("b,with \"quotes\"", 40, 14)), trainer, TrainingListener.NONE,
                baselines());
        BacktestReport.write(r, dir);
        List<String> lines = Files.readAllLines(dir.resolve("forecasts.csv"));
        assertThat(lines.get(0)).isEqualTo("series,bucket_start,step,method,actual,p10,p50,p90");
        assertThat(lines).hasSize(1 + 2 * 2 * 7 * 4);
        assertThat(lines.get(1)).startsWith("a,2024-01-31,1,lstm,");
        assertThat(lines.subList(1, 5)).extracting(l -> l.split(",")[3])
                .containsExactly("lstm", "seasonal_naive", "naive", "moving_average");
        assertThat(lines.get(1 + 2 * 7 * 4)).startsWith("\"b,with \"\"quotes\"\"\",2024-02-10,1,lstm,");
        assertThat(r.methods()).containsExactly("lstm", "seasonal_naive", "naive", "moving_average");
        assertThat(dir.resolve("metrics.json")).content().contains("\"mase_mean\"", "\"zero_scale_series\"");
        assertThat(dir.resolve("report.html")).content().contains("series_largest.png", "error_by_step.png");
        assertThat(dir.resolve("series_largest.png")).isNotEmptyFile();
        assertThat(Files.readAllBytes(dir.resolve("metrics.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void hourlyBucketStartsAreWrittenAsInstants() throws IOException {
        double[] y = new double[24 * 3];
        for (int t = 0; t < y.length; t++) {
            y[t] = t % 24;
        }
        BacktestResult r = new Backtest(BacktestConfig.of(24, 24)).run(
                List.of(SeriesHistory.of("h", Bucket.HOUR, START, y)), null, null, List.of(new SeasonalNaive(Q)));
        BacktestReport.writeForecasts(r, dir.resolve("f.csv"));
        assertThat(Files.readAllLines(dir.resolve("f.csv")).get(1))
                .isEqualTo("h,2024-01-03T00:00:00Z,1,seasonal_naive,0,0,0,0");
    }
}
