package io.demandcast.model.baseline;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * Naive (random walk): every future bucket repeats the last observed one. The band comes from the in-sample
 * one-step differences, centred on their median and widened with the square root of the steps ahead, as the
 * errors of a random walk grow.
 */
public final class Naive implements Forecaster {

    public static final String METHOD = "naive";

    private final double[] quantiles;

    public Naive(double[] quantiles) {
        this.quantiles = ResidualBand.checkedQuantiles(quantiles);
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
            int count = Math.max(0, n - 1);
            double[] diffs = new double[count];
            for (int t = 1; t < n; t++) {
                diffs[t - 1] = y[t] - y[t - 1];
            }
            double[] offsets = ResidualBand.offsets(diffs, count, history.bucket().season(), quantiles);
            double point = n == 0 ? 0.0 : y[n - 1];
            double[][] values = new double[horizon][];
            for (int h = 0; h < horizon; h++) {
                values[h] = ResidualBand.around(point, Math.sqrt(h + 1.0), offsets);
            }
            out.add(new QuantileForecast(history.series(), history.end(), quantiles.clone(), values, METHOD, METHOD));
        }
        return out;
    }
}
