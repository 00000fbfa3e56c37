package io.demandcast.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Forecast of one series for H buckets after {@code firstBucket}: {@code values[h][q]} is quantile
 * {@code quantiles[q]} of demand in bucket {@code h} (0-based). Quantiles are ascending and so are the values of
 * each step.
 */
public record QuantileForecast(String series, Instant firstBucket, double[] quantiles, double[][] values,
                               String method, String modelVersion) {

    public QuantileForecast {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(firstBucket, "firstBucket");
        Objects.requireNonNull(quantiles, "quantiles");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(method, "method");
    }

    public int horizon() {
        return values.length;
    }

    /** The value of the quantile nearest to {@code level} at step {@code h}. */
    public double quantile(int h, double level) {
        int best = 0;
        for (int q = 1; q < quantiles.length; q++) {
            if (Math.abs(quantiles[q] - level) < Math.abs(quantiles[best] - level)) {
                best = q;
            }
        }
        return values[h][best];
    }

    public double p50(int h) {
        return quantile(h, 0.5);
    }

    /** True when every value is a finite number. */
    public boolean isFinite() {
        for (double[] step : values) {
            for (double v : step) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }
}
