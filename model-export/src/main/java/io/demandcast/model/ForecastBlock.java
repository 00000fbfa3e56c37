package io.demandcast.model;

import java.util.List;

/**
 * The forecasts of a batch of series as one block of numbers: row {@code i} is the forecast of the batch's i-th
 * history, {@code value(i, h, k)} quantile level {@code levels(i)[k]} of its step {@code h}. A model that computes
 * a batch as one array (the LSTM) hands that array out as it is: the forecast cycle writes 100,000 forecasts a
 * close straight from it, where a {@link QuantileForecast} per series (an array per step) was a fifth of the
 * close's garbage. Rows, levels and values are read, never changed.
 */
public interface ForecastBlock {

    /** Rows: one per history asked for. */
    int size();

    /** The series of row {@code i}; null when the forecaster gave none for that history. */
    String series(int i);

    /** Steps of row {@code i} (0 when there is none). */
    int horizon(int i);

    /** The ascending quantile levels of row {@code i}; the caller must not change the array. */
    double[] levels(int i);

    /** Quantile {@code levels(i)[level]} of demand in step {@code step} of row {@code i}. */
    double value(int i, int step, int level);

    /** Whether the first {@code steps} steps of row {@code i} are all finite numbers. */
    default boolean isFinite(int i, int steps) {
        int q = levels(i).length;
        for (int h = 0; h < steps; h++) {
            for (int k = 0; k < q; k++) {
                if (!Double.isFinite(value(i, h, k))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A block over one array: {@code values[(i * horizon + step) * levels.length + level]}, every row with the same
     * horizon and levels. A baseline that forecasts a batch series by series fills it, so that reading a value is one
     * array index and not a walk through a forecast object, its steps and a step's array: the fallback's close reads
     * 84 values per series. The arrays are the block's own from then on; nobody changes them.
     */
    static ForecastBlock ofRows(String[] series, double[] levels, int horizon, double[] values) {
        if (values.length != series.length * horizon * levels.length) {
            throw new IllegalArgumentException("expected " + series.length + " x " + horizon + " x " + levels.length
                    + " values; got " + values.length);
        }
        return new Rows(series, levels, horizon, values);
    }

    /** See {@link #ofRows}. */
    final class Rows implements ForecastBlock {
        private final String[] series;
        private final double[] levels;
        private final int horizon;
        private final double[] values;

        private Rows(String[] series, double[] levels, int horizon, double[] values) {
            this.series = series;
            this.levels = levels;
            this.horizon = horizon;
            this.values = values;
        }

        @Override
        public int size() {
            return series.length;
        }

        @Override
        public String series(int i) {
            return series[i];
        }

        @Override
        public int horizon(int i) {
            return horizon;
        }

        @Override
        public double[] levels(int i) {
            return levels;
        }

        @Override
        public double value(int i, int step, int level) {
            return values[(i * horizon + step) * levels.length + level];
        }
    }

    /** A block over forecasts made one by one (null entries allowed: a row without a forecast). */
    static ForecastBlock of(List<QuantileForecast> forecasts) {
        return new ForecastBlock() {
            @Override
            public int size() {
                return forecasts.size();
            }

            @Override
            public String series(int i) {
                QuantileForecast f = forecasts.get(i);
                return f == null ? null : f.series();
            }

            @Override
            public int horizon(int i) {
                QuantileForecast f = forecasts.get(i);
                return f == null ? 0 : f.horizon();
            }

            @Override
            public double[] levels(int i) {
                return forecasts.get(i).quantiles();
            }

            @Override
            public double value(int i, int step, int level) {
                return forecasts.get(i).values()[step][level];
            }
        };
    }
}
