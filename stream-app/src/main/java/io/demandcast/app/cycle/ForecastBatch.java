package io.demandcast.app.cycle;

import io.demandcast.model.ForecastBlock;
import io.demandcast.schemas.registry.ForecastEncoder;

/**
 * The forecasts of one batch of histories, as columns: row {@code i} is the forecast of history {@code i}, its P10,
 * P50 and P90 copied from the block the model (or the fallback) returned, with the version and method it goes out
 * under. It stays valid after the cycle forecasts the next batch, so the close can write states and emit from it at
 * its own pace. Nothing in it changes once {@link ForecastCycle.Run#forecast} has returned it.
 */
public final class ForecastBatch {

    private final int horizon;
    /**
     * P10, P50 and P90 of every step of every forecast, copied out of the blocks once: forecast {@code i}'s step
     * {@code h} at {@code (i * horizon + h) * 3}. The close reads each value twice (the state's copy and the
     * published record's) and the state's encoder once more to choose floats or doubles: from here each read is an
     * array index, where through the blocks it was two interface calls.
     */
    private final double[] values;
    /** Step bucket starts of forecast {@code i}: one array shared by every row that ends at the same bucket. */
    private final long[][] starts;
    private final String[] versions;
    private final String[] methods;

    ForecastBatch(int size, int horizon) {
        this.horizon = horizon;
        this.values = new double[size * horizon * 3];
        this.starts = new long[size][];
        this.versions = new String[size];
        this.methods = new String[size];
    }

    /** Sets forecast {@code i} to row {@code row} of {@code block}; {@code levels} are the row's level indices. */
    void set(int i, ForecastBlock block, int row, long[] stepStarts, Levels levels, String version, String method) {
        int at = i * horizon * 3;
        for (int h = 0; h < horizon; h++) {
            values[at++] = block.value(row, h, levels.p10);
            values[at++] = block.value(row, h, levels.p50);
            values[at++] = block.value(row, h, levels.p90);
        }
        starts[i] = stepStarts;
        versions[i] = version;
        methods[i] = method;
    }

    /** Forecasts in the batch: one per history asked for. */
    public int size() {
        return starts.length;
    }

    /** The version written in forecast {@code i}: the model's, or the fallback's name. */
    public String modelVersion(int i) {
        return versions[i];
    }

    /** The method written in forecast {@code i}, e.g. {@code lstm} or {@code seasonal_naive:non_finite}. */
    public String method(int i) {
        return methods[i];
    }

    /** The steps of forecast {@code i}: P10, P50 and P90 per horizon step. */
    public ForecastEncoder.Steps steps(int i) {
        return new Steps(values, i * horizon * 3, starts[i], horizon);
    }

    /** One forecast's steps, read from the batch's values. */
    private record Steps(double[] values, int offset, long[] starts, int count) implements ForecastEncoder.Steps {
        @Override
        public long bucketStart(int step) {
            return starts[step];
        }

        @Override
        public double p10(int step) {
            return values[offset + 3 * step];
        }

        @Override
        public double p50(int step) {
            return values[offset + 3 * step + 1];
        }

        @Override
        public double p90(int step) {
            return values[offset + 3 * step + 2];
        }
    }

    /**
     * P10, P50 and P90 as indices of a levels array: the levels nearest to 0.1, 0.5 and 0.9 (the first on a tie, as
     * {@link io.demandcast.model.QuantileForecast#quantile} picks). A block's rows usually share one levels array, so
     * the last lookup is kept and reused while the array is the same.
     */
    static final class Levels {
        private double[] levels;
        private int p10;
        private int p50;
        private int p90;

        Levels of(double[] l) {
            if (l != levels) {
                levels = l;
                p10 = nearest(l, 0.1);
                p50 = nearest(l, 0.5);
                p90 = nearest(l, 0.9);
            }
            return this;
        }

        private static int nearest(double[] quantiles, double level) {
            int best = 0;
            for (int i = 1; i < quantiles.length; i++) {
                if (Math.abs(quantiles[i] - level) < Math.abs(quantiles[best] - level)) {
                    best = i;
                }
            }
            return best;
        }
    }
}
