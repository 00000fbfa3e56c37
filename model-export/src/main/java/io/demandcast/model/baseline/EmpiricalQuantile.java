package io.demandcast.model.baseline;

/** Quantiles of sorted samples by linear interpolation between order statistics (R's type 7). */
public final class EmpiricalQuantile {

    private EmpiricalQuantile() {
    }

    /** Quantile {@code level} in [0, 1] of {@code sorted}, which must be sorted ascending and not empty. */
    public static double of(double[] sorted, double level) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("quantile of no samples");
        }
        double pos = level * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }
}
