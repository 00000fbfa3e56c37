package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.backtest.Backtest;
import io.demandcast.model.backtest.BacktestConfig;
import io.demandcast.model.backtest.BacktestResult;
import io.demandcast.model.baseline.SeasonalNaive;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SeriesGuard}: the per-series choice between the LSTM and seasonal naive, recorded and served. */
class SeriesGuardTest {

    private static final double[] Q = {0.1, 0.5, 0.9};

    @TempDir
    Path dir;

    @Test
    void aSeriesGetsTheFallbackExactlyWhenTheFallbackErredLessOnValidation() {
        SeriesGuard g = SeriesGuard.decide(List.of("a", "b", "c", "d"), new double[] {1, 2, Double.NaN, 3},
                new double[] {2, 1, 0, 3}, 7);
        assertThat(g.fallbackSeries()).containsExactly("b");
        assertThat(g.scored()).isEqualTo(3);
        assertThat(g.fallback()).isEqualTo(SeasonalNaive.METHOD);
        assertThat(g.guards("b")).isTrue();
        assertThat(g.guards("a")).isFalse();
        assertThat(g.guards("d")).as("a tie keeps the LSTM").isFalse();
    }

    /**
     * Series that repeat one week exactly are seasonal naive's (no error on validation) and get it; the card
     * records them, an exported and reloaded model keeps them, and a backtest reports the guarded LSTM beside the
     * raw one, with seasonal naive's forecasts for exactly those series.
     */
    @Test
    void exactWeeklyRepeatsGetSeasonalNaiveInTheCardTheReloadedModelAndTheBacktest() throws IOException {
        List<SeriesHistory> histories = new ArrayList<>(SyntheticDemand.weekly(6, 120, 5L));
        double[] week = {4, 9, 2, 7, 11, 3, 6};
        for (int s = 0; s < 2; s++) {
            double[] units = new double[120];
            for (int t = 0; t < units.length; t++) {
                units[t] = (s + 1) * week[t % 7];
            }
            histories.add(SeriesHistory.of("exact-" + s, Bucket.DAY, SyntheticDemand.MONDAY, units));
        }
        LstmTrainer trainer = new LstmTrainer(LstmTrainerTest.small().withTraining(2, 64, 0.01, 2, 3L, 7)
                .withServing(64, 1));
        try (LstmModel model = trainer.train(histories, null)) {
            SeriesGuard guard = model.guard();
            assertThat(guard).isNotNull();
            assertThat(guard.scored()).isEqualTo(histories.size());
            assertThat(guard.fallbackSeries()).contains("exact-0", "exact-1");
            assertThat(model.guardScores()).hasSize(histories.size());
            assertThat(model.guardScores().get("exact-0")[1]).as("seasonal naive's error").isZero();
            model.guardScores().forEach((series, e) -> assertThat(guard.guards(series)).as(series)
                    .isEqualTo(e[1] < e[0]));
            model.export(dir.resolve("m"));
            try (LstmModel loaded = LstmModel.load(dir.resolve("m"))) {
                assertThat(loaded.guard()).isEqualTo(guard);
            }
            Forecaster guarded = model.guarded(Q);
            List<QuantileForecast> out = guarded.forecast(histories, 7);
            List<QuantileForecast> naive = new SeasonalNaive(Q).forecast(histories, 7);
            List<QuantileForecast> lstm = model.forecast(histories, 7);
            for (int i = 0; i < histories.size(); i++) {
                QuantileForecast expected = guard.guards(histories.get(i).series()) ? naive.get(i) : lstm.get(i);
                assertThat(out.get(i).method()).isEqualTo(expected.method());
                assertThat(out.get(i).values()).isDeepEqualTo(expected.values());
            }
        }
        BacktestResult result = new Backtest(new BacktestConfig(7, 7, 7, Q)).run(histories, trainer, null,
                List.of());
        assertThat(result.summaries()).containsKeys("lstm", SeriesGuard.METHOD);
    }
}
