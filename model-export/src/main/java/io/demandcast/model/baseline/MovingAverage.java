package io.demandcast.model.baseline;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * Moving average: every future bucket is the mean of the last {@code window} buckets (by default one season, so
 * the weekly cycle of daily data averages out). The band comes from the in-sample one-step errors of the same
 * average (y_t minus the mean of the window before t), centred on their median and widened by
 * sqrt(1 + h / window) for step h (0-based): a flat forecast drifts from the level about once per window.
 */
public final class MovingAverage implements Forecaster {

    public static final String METHOD = "moving_average";

    private final double[] quantiles;
    private final int window;

    /** @param window buckets averaged; 0 means one season of the history's bucket */
    public MovingAverage(double[] quantiles, int window) {
        if (window < 0) {
            throw new IllegalArgumentException("moving average window must be >= 0 (0 = one season); got " + window);
        }
        this.quantiles = ResidualBand.checkedQuantiles(quantiles);
        this.window = window;
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
        List<QuantileForecast> out = new ArrayList<>(histories.size());
        for (SeriesHistory history : histories) {
            double[] y = history.units();
            int n = y.length;
            int w = Math.max(1, Math.min(window == 0 ? history.bucket().season() : window, n));
            double[] prefix = new double[n + 1];
            for (int t = 0; t < n; t++) {
                prefix[t + 1] = prefix[t] + y[t];
            }
            int count = Math.max(0, n - w);
            double[] errors = new double[count];
            for (int t = w; t < n; t++) {
                errors[t - w] = y[t] - (prefix[t] - prefix[t - w]) / w;
            }
            double[] offsets = ResidualBand.offsets(errors, count, history.bucket().season(), quantiles);
            double point = n == 0 ? 0.0 : (prefix[n] - prefix[n - w]) / w;
            double[][] values = new double[horizon][];
            for (int h = 0; h < horizon; h++) {
                values[h] = ResidualBand.around(point, Math.sqrt(1.0 + (double) h / w), offsets);
            }
            out.add(new QuantileForecast(history.series(), history.end(), quantiles.clone(), values, METHOD, METHOD));
        }
        return out;
    }
}
