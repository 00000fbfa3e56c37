package io.demandcast.app.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.backtest.Backtest;
import io.demandcast.model.backtest.BacktestConfig;
import io.demandcast.model.baseline.SeasonalNaive;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldoutScoreTest {

    private static final double[] LEVELS = {0.1, 0.5, 0.9};

    @Test
    void itsMaseIsTheOfflineBacktestsMaseOnTheSameHeldOutBuckets() {
        List<SeriesHistory> window = new RegimeChange(10, 4L).histories(90);
        SeasonalNaive naive = new SeasonalNaive(LEVELS);

        HoldoutScore score = HoldoutScore.of(naive, window, 14, 7);
        double backtest = new Backtest(BacktestConfig.of(14, 7)).run(window, null, null, List.of(naive))
                .summaries().get(naive.method()).maseMean();

        assertThat(score.usable()).isTrue();
        assertThat(score.series()).isEqualTo(10);
        assertThat(score.mase()).isCloseTo(backtest, within(1e-12));
    }

    @Test
    void aSingleNonFiniteValueMakesTheScoreUnusable() {
        List<SeriesHistory> window = new RegimeChange(3, 4L).histories(40);
        SeasonalNaive naive = new SeasonalNaive(LEVELS);
        Forecaster oneNaN = new Forecaster() {
            @Override
            public String method() {
                return "one_nan";
            }

            @Override
            public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
                List<QuantileForecast> out = naive.forecast(histories, horizon);
                out.get(out.size() - 1).values()[horizon - 1][1] = Double.NaN;
                return out;
            }
        };

        HoldoutScore score = HoldoutScore.of(oneNaN, window, 7, 7);

        assertThat(score.finite()).isFalse();
        assertThat(score.usable()).isFalse();
        assertThat(score.problem()).contains("sku-2");
    }
}
