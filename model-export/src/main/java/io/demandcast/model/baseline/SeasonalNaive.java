package io.demandcast.model.baseline;

import io.demandcast.model.ForecastBlock;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Seasonal naive: each future bucket repeats the bucket one season earlier (season from the bucket: hour 24,
 * day 7, week 52, month 12). P50 is that repeated value (R's {@code snaive}); the other quantiles add the
 * empirical quantiles of the in-sample seasonal differences, centred on their median, widened with the square
 * root of the number of seasons ahead, and clipped at zero since demand is not negative.
 * It is the streaming fallback when no model is loaded, so it must work on any history, even a one-bucket one.
 */
public final class SeasonalNaive implements Forecaster {

    public static final String METHOD = "seasonal_naive";

    private final double[] quantiles;

    public SeasonalNaive(double[] quantiles) {
        this.quantiles = ResidualBand.checkedQuantiles(quantiles);
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
        int q = quantiles.length;
        double[] row = new double[horizon * q];
        List<QuantileForecast> out = new ArrayList<>(histories.size());
        for (SeriesHistory history : histories) {
            fill(history, horizon, row, 0);
            double[][] values = new double[horizon][];
            for (int h = 0; h < horizon; h++) {
                values[h] = Arrays.copyOfRange(row, h * q, (h + 1) * q);
            }
            out.add(new QuantileForecast(history.series(), history.end(), quantiles.clone(), values, METHOD, METHOD));
        }
        return out;
    }

    /** The same forecasts in one array: the streaming fallback forecasts every series of a close this way. */
    @Override
    public ForecastBlock forecastBlock(List<SeriesHistory> histories, int horizon) {
        int stride = horizon * quantiles.length;
        String[] series = new String[histories.size()];
        double[] values = new double[histories.size() * stride];
        for (int i = 0; i < series.length; i++) {
            SeriesHistory history = histories.get(i);
            series[i] = history.series();
            fill(history, horizon, values, i * stride);
        }
        return ForecastBlock.ofRows(series, quantiles, horizon, values);
    }

    /** Writes the forecast of {@code history}, step by step and level by level, into {@code out} from {@code at}. */
    private void fill(SeriesHistory history, int horizon, double[] out, int at) {
        double[] y = history.units();
        int n = y.length;
        // A history shorter than one season repeats what there is: the last bucket, cycled over the season.
        int m = Math.max(1, Math.min(history.bucket().season(), n));
        int count = Math.max(0, n - m);
        double[] diffs = new double[count];
        for (int t = m; t < n; t++) {
            diffs[t - m] = y[t] - y[t - m];
        }
        double[] offsets = ResidualBand.offsets(diffs, count, history.bucket().season(), quantiles);
        for (int h = 0; h < horizon; h++) {
            double point = n == 0 ? 0.0 : y[n - m + (h % m)];
            ResidualBand.around(point, Math.sqrt(h / m + 1.0), offsets, out, at + h * quantiles.length);
        }
    }
}
