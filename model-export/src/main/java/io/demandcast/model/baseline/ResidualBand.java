package io.demandcast.model.baseline;

import java.util.Arrays;

/**
 * Quantile offsets of a baseline's in-sample residuals, centred on their median: adding them to a point forecast
 * gives quantiles whose P50 is the point forecast itself (so a baseline's P50 is the figure R's forecast package
 * reports for the same method) and whose spread is the empirical spread of its errors.
 */
final class ResidualBand {

    private ResidualBand() {
    }

    /**
     * Residuals older than this many seasons are left out: retail demand changes regime (a product launched late
     * has months of zero-difference history that would make its band far too narrow).
     */
    static final int RECENT_SEASONS = 8;

    /**
     * Offsets for {@code quantiles} from the last {@code RECENT_SEASONS * season} of the {@code count} residuals
     * (oldest first); all zero when there are fewer than two.
     */
    static double[] offsets(double[] residuals, int count, int season, double[] quantiles) {
        double[] result = new double[quantiles.length];
        if (count < 2) {
            return result;
        }
        int from = Math.max(0, count - RECENT_SEASONS * season);
        double[] sorted = Arrays.copyOfRange(residuals, from, count);
        Arrays.sort(sorted);
        double median = EmpiricalQuantile.of(sorted, 0.5);
        for (int q = 0; q < quantiles.length; q++) {
            result[q] = EmpiricalQuantile.of(sorted, quantiles[q]) - median;
        }
        return result;
    }

    /** Quantiles around {@code point}, the offsets scaled by {@code widen}, clipped at zero (demand is not negative). */
    static double[] around(double point, double widen, double[] offsets) {
        double[] values = new double[offsets.length];
        around(point, widen, offsets, values, 0);
        return values;
    }

    /** {@link #around(double, double, double[])} written into {@code out} from index {@code at}. */
    static void around(double point, double widen, double[] offsets, double[] out, int at) {
        for (int q = 0; q < offsets.length; q++) {
            out[at + q] = Math.max(0.0, point + widen * offsets[q]);
        }
    }

    static double[] checkedQuantiles(double[] quantiles) {
        if (quantiles.length == 0) {
            throw new IllegalArgumentException("quantiles must not be empty");
        }
        for (int q = 0; q < quantiles.length; q++) {
            if (!(quantiles[q] > 0 && quantiles[q] < 1) || (q > 0 && quantiles[q] <= quantiles[q - 1])) {
                throw new IllegalArgumentException("quantiles must be ascending levels in (0, 1); got "
                        + Arrays.toString(quantiles));
            }
        }
        return quantiles.clone();
    }
}
