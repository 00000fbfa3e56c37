package io.demandcast.model.backtest;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.util.List;
import java.util.Map;

/**
 * What a backtest produced.
 *
 * @param series the series evaluated, whole (training part and holdout), in input order
 * @param skippedSeries series left out because they are not longer than the holdout
 * @param rows every forecast point, series by series, then origin, step and method
 * @param perSeries per method (in run order), one entry per evaluated series in the order of {@code series}
 * @param summaries per method, in run order
 * @param seconds per method, wall-clock seconds spent training and forecasting
 */
public record BacktestResult(BacktestConfig config, Bucket bucket, List<SeriesHistory> series, int skippedSeries,
                             List<ForecastRow> rows, Map<String, List<SeriesErrors>> perSeries,
                             Map<String, MethodSummary> summaries, Map<String, Double> seconds) {

    public List<String> methods() {
        return List.copyOf(summaries.keySet());
    }
}
