package io.demandcast.app.cycle;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** TEST ONLY: small forecasters standing in for a loaded model. */
public final class TestForecasters {

    public static final double[] QUANTILES = {0.1, 0.5, 0.9};

    private TestForecasters() {
    }

    /** Forecasts the mean of the history for every step (p10 = 0.5x, p90 = 1.5x) and records each call's size. */
    public static final class MeanModel implements Forecaster {
        public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        private final String method;
        private final Set<String> nanSeries;

        public MeanModel(String method, Set<String> nanSeries) {
            this.method = method;
            this.nanSeries = nanSeries;
        }

        public MeanModel() {
            this("test_mean", Set.of());
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
            batchSizes.add(histories.size());
            List<QuantileForecast> out = new ArrayList<>();
            for (SeriesHistory h : histories) {
                double mean = Arrays.stream(h.units()).average().orElse(0.0);
                double[][] v = new double[horizon][];
                for (int s = 0; s < horizon; s++) {
                    v[s] = nanSeries.contains(h.series()) ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                            : new double[] {0.5 * mean, mean, 1.5 * mean};
                }
                out.add(new QuantileForecast(h.series(), h.end(), QUANTILES.clone(), v, method, "test"));
            }
            return out;
        }
    }

    /** A model whose every call fails. */
    public static final class BrokenModel implements Forecaster {
        @Override
        public String method() {
            return "broken";
        }

        @Override
        public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
            throw new IllegalStateException("session is closed");
        }
    }
}
