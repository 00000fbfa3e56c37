package io.demandcast.app.cycle;

import io.demandcast.model.ForecastBlock;
import io.demandcast.schemas.registry.ForecastEncoder;

/**
 * The forecasts of one batch of histories, as columns: row {@code i} is the forecast of history {@code i}, read
 * straight from the block the model (or the fallback) returned, with the version and method it goes out under. It
 * stays valid after the cycle forecasts the next batch, so the close can write states and emit from it at its own
 * pace. Nothing in it changes once {@link ForecastCycle.Run#forecast} has returned it.
 */
public final class ForecastBatch {

    private final int horizon;
    private final ForecastBlock[] blocks;
    /** Row of {@code blocks[i]} that holds forecast {@code i}. */
    private final int[] rows;
    /** Step bucket starts of forecast {@code i}: one array shared by every row that ends at the same bucket. */
    private final long[][] starts;
    /** Index of the P10, P50 and P90 levels in {@code blocks[i].levels(rows[i])}. */
    private final int[] p10;
    private final int[] p50;
    private final int[] p90;
    private final String[] versions;
    private final String[] methods;

    ForecastBatch(int size, int horizon) {
        this.horizon = horizon;
        this.blocks = new ForecastBlock[size];
        this.rows = new int[size];
        this.starts = new long[size][];
        this.p10 = new int[size];
        this.p50 = new int[size];
        this.p90 = new int[size];
        this.versions = new String[size];
        this.methods = new String[size];
    }

    /** Sets forecast {@code i} to row {@code row} of {@code block}; {@code levels} are the row's level indices. */
    void set(int i, ForecastBlock block, int row, long[] stepStarts, Levels levels, String version, String method) {
        blocks[i] = block;
        rows[i] = row;
        starts[i] = stepStarts;
        p10[i] = levels.p10;
        p50[i] = levels.p50;
        p90[i] = levels.p90;
        versions[i] = version;
        methods[i] = method;
    }

    /** Forecasts in the batch: one per history asked for. */
    public int size() {
        return blocks.length;
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
        return new Steps(blocks[i], rows[i], starts[i], p10[i], p50[i], p90[i], horizon);
    }

    /** One forecast's steps, read from its block. */
    private record Steps(ForecastBlock block, int row, long[] starts, int p10Level, int p50Level, int p90Level,
                         int count) implements ForecastEncoder.Steps {
        @Override
        public long bucketStart(int step) {
            return starts[step];
        }

        @Override
        public double p10(int step) {
            return block.value(row, step, p10Level);
        }

        @Override
        public double p50(int step) {
            return block.value(row, step, p50Level);
        }

        @Override
        public double p90(int step) {
            return block.value(row, step, p90Level);
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
