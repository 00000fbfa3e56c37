package io.demandcast.app.retrain;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.metrics.ForecastMetrics;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's score on the most recent {@code E} buckets of every series, which no model being compared was
 * trained on: MASE as the offline backtest computes it (scale from the part before the held-out buckets, seasonal
 * lag of the bucket, mean over the series with a positive scale). Forecasts run from origins {@code E},
 * {@code E - h}, ... buckets before the end with {@code h = min(horizon, E)}.
 *
 * @param mase mean MASE over scored series (NaN when no series could be scored)
 * @param finite false when the model returned a non-finite value, a wrong count, or failed
 * @param series series scored
 * @param problem why the model was not finite, or null
 */
public record HoldoutScore(double mase, boolean finite, int series, String problem) {

    /** Whether this is a usable score: every output finite and MASE defined. */
    public boolean usable() {
        return finite && Double.isFinite(mase);
    }

    /** The series long enough to score: more than {@code evalBuckets} buckets. */
    public static List<SeriesHistory> scorable(List<SeriesHistory> window, int evalBuckets) {
        return window.stream().filter(h -> h.length() > evalBuckets).toList();
    }

    /** The training part of every scorable series: all but its last {@code evalBuckets} buckets. */
    public static List<SeriesHistory> trainingPart(List<SeriesHistory> window, int evalBuckets) {
        return scorable(window, evalBuckets).stream().map(h -> h.head(h.length() - evalBuckets)).toList();
    }

    public static HoldoutScore of(Forecaster model, List<SeriesHistory> window, int evalBuckets, int horizon) {
        List<SeriesHistory> series = scorable(window, evalBuckets);
        int h = Math.min(horizon, evalBuckets);
        int origins = (evalBuckets - h) / h + 1;
        List<SeriesErrors> errors = new ArrayList<>(series.size());
        for (SeriesHistory s : series) {
            double[] train = s.head(s.length() - evalBuckets).units();
            int m = s.bucket().season();
            errors.add(new SeriesErrors(s.series(), model.method(), ForecastMetrics.maseScale(train, m),
                    ForecastMetrics.rmsseScale(train, m), h));
        }
        if (series.isEmpty()) {
            return new HoldoutScore(Double.NaN, true, 0, null);
        }
        for (int k = 0; k < origins; k++) {
            List<SeriesHistory> inputs = new ArrayList<>(series.size());
            for (SeriesHistory s : series) {
                inputs.add(s.head(s.length() - evalBuckets + k * h));
            }
            List<QuantileForecast> out;
            try {
                out = model.forecast(inputs, h);
            } catch (RuntimeException e) {
                return new HoldoutScore(Double.NaN, false, series.size(), "forecast failed: " + e);
            }
            if (out == null || out.size() != inputs.size()) {
                return new HoldoutScore(Double.NaN, false, series.size(), "returned "
                        + (out == null ? "null" : out.size() + " forecasts") + " for " + inputs.size() + " series");
            }
            for (int i = 0; i < inputs.size(); i++) {
                QuantileForecast f = out.get(i);
                if (!f.isFinite() || f.horizon() < h) {
                    return new HoldoutScore(Double.NaN, false, series.size(), "non-finite or short forecast for "
                            + inputs.get(i).series() + " from " + inputs.get(i).end());
                }
                double[] actual = series.get(i).units();
                int origin = inputs.get(i).length();
                for (int step = 0; step < h; step++) {
                    errors.get(i).add(step + 1, actual[origin + step], f.quantiles(), f.values()[step]);
                }
            }
        }
        double mase = MethodSummary.of(model.method(), errors).maseMean();
        return new HoldoutScore(mase, true, series.size(), null);
    }
}
