package io.demandcast.model.backtest;

import java.util.Arrays;

/**
 * How a backtest splits and forecasts.
 *
 * @param holdout N: the last N buckets of every series, never used in training nor in the metrics' scales
 * @param horizon H: buckets forecast from each origin (H &lt;= N)
 * @param step buckets between rolling origins; origins sit at N, N - step, ... buckets before the end while a
 *     whole horizon still fits in the holdout, so with step = H the origins tile the holdout exactly when H divides N
 * @param quantiles the levels every method forecasts; must include 0.1, 0.5 and 0.9 for forecasts.csv
 */
public record BacktestConfig(int holdout, int horizon, int step, double[] quantiles) {

    public static final double[] DEFAULT_QUANTILES = {0.1, 0.5, 0.9};

    public BacktestConfig {
        if (holdout < 1) {
            throw new IllegalArgumentException("holdout must be at least 1 bucket; got " + holdout);
        }
        if (horizon < 1 || horizon > holdout) {
            throw new IllegalArgumentException("horizon must be between 1 and the holdout (" + holdout + "); got "
                    + horizon);
        }
        if (step < 1) {
            throw new IllegalArgumentException("step must be at least 1 bucket; got " + step);
        }
        quantiles = quantiles.clone();
        for (double level : new double[] {0.1, 0.5, 0.9}) {
            if (Arrays.stream(quantiles).noneMatch(q -> Math.abs(q - level) < 1e-9)) {
                throw new IllegalArgumentException("quantiles must include 0.1, 0.5 and 0.9; got "
                        + Arrays.toString(quantiles));
            }
        }
    }

    /** One origin per horizon: step = horizon, P10/P50/P90. */
    public static BacktestConfig of(int holdout, int horizon) {
        return new BacktestConfig(holdout, horizon, horizon, DEFAULT_QUANTILES);
    }

    /** Number of rolling origins: (N - H) / step + 1. */
    public int origins() {
        return (holdout - horizon) / step + 1;
    }
}
