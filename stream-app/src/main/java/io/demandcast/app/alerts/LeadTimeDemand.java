package io.demandcast.app.alerts;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The distribution of a product's demand summed over the next 1..K buckets, from the P10/P50/P90 its forecast
 * gives for each bucket alone. The quantile of a sum is not the sum of the quantiles (that holds only when the
 * buckets move in lockstep), so the sum is sampled:
 * <ol>
 *   <li>each bucket's demand is a two-piece normal with the step's P50 as its median, one scale below it and one
 *       above it, set so that the step's P10 and P90 are exactly its 10% and 90% quantiles (a skewed band stays
 *       skewed), censored at zero (demand is never negative; censoring keeps every quantile that is above zero);</li>
 *   <li>the buckets are tied by a Gaussian copula with one correlation {@code rho} between any two of them: a
 *       demand level that is high today is likely high tomorrow too. {@code rho} 0 is independence, 1 is the sum of
 *       the quantiles;</li>
 *   <li>{@code samples} paths are drawn from a seed (the caller derives it from the product and the forecast's
 *       origin, so that a replay gives the same alerts), and the quantiles of the cumulative sums are read from
 *       them.</li>
 * </ol>
 * BENCHMARKS.md (current figures, restock) gives the calibration this reaches on the Online Retail
 * replay.
 */
public final class LeadTimeDemand {

    /** The 90% quantile of the standard normal: P90 - P50 is this many upper scales. */
    static final double Z90 = 1.2815515655446004;

    /**
     * Per bucket, the sampled sums up to it. Each quantile reorders its bucket's sums in place ({@link #select}):
     * a quantile of the samples does not depend on their order.
     */
    private final double[][] cumulative;

    private LeadTimeDemand(double[][] cumulative) {
        this.cumulative = cumulative;
    }

    /**
     * Samples the cumulative demand of the first {@code buckets} steps.
     * @param p10 per step, the 10% quantile of the step's demand (likewise {@code p50}, {@code p90}); each at
     *            least {@code buckets} long, with p10 <= p50 <= p90 (a crossing band is sorted first)
     * @param rho the correlation of the steps' normal scores, in [0, 1]
     */
    public static LeadTimeDemand sample(double[] p10, double[] p50, double[] p90, int buckets, double rho,
                                        int samples, long seed) {
        if (buckets < 1 || buckets > p50.length || buckets > p10.length || buckets > p90.length) {
            throw new IllegalArgumentException("buckets: expected 1.." + p50.length + ", got " + buckets);
        }
        if (!(rho >= 0 && rho <= 1)) {
            throw new IllegalArgumentException("rho: expected 0..1, got " + rho);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected >= 1, got " + samples);
        }
        double[] median = new double[buckets];
        double[] below = new double[buckets];
        double[] above = new double[buckets];
        double[] growth = new double[buckets];
        for (int k = 0; k < buckets; k++) {
            double[] q = {finite(p10[k]), finite(p50[k]), finite(p90[k])};
            Arrays.sort(q);
            median[k] = q[1];
            below[k] = (q[1] - q[0]) / Z90;
            above[k] = (q[2] - q[1]) / Z90;
            growth[k] = q[1] > 0 && q[2] > q[1] ? Math.log(q[2] / q[1]) / Z90 : 0;
        }
        double shared = Math.sqrt(rho);
        double own = Math.sqrt(1 - rho);
        SplittableRandom random = new SplittableRandom(seed);
        double[][] cumulative = new double[buckets][samples];
        for (int s = 0; s < samples; s++) {
            double common = random.nextGaussian();
            double sum = 0;
            for (int k = 0; k < buckets; k++) {
                double z = shared * common + own * random.nextGaussian();
                double demand = z < 0 ? median[k] + z * below[k]
                        : z <= Z90 || growth[k] == 0 ? median[k] + z * above[k]
                        : (median[k] + Z90 * above[k]) * Math.exp((z - Z90) * growth[k]);
                sum += Math.max(0, demand);
                cumulative[k][s] = sum;
            }
        }
        return new LeadTimeDemand(cumulative);
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    /** How many buckets ahead the samples reach. */
    public int buckets() {
        return cumulative.length;
    }

    /**
     * The {@code level} quantile of the demand summed over the next {@code buckets} buckets (the smallest sampled
     * sum with at least that share of the samples at or below it).
     */
    public double quantile(int buckets, double level) {
        if (buckets < 1 || buckets > cumulative.length) {
            throw new IllegalArgumentException("buckets: expected 1.." + cumulative.length + ", got " + buckets);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level: expected in (0, 1), got " + level);
        }
        double[] s = cumulative[buckets - 1];
        int i = (int) Math.ceil(level * s.length) - 1;
        return select(s, Math.max(0, Math.min(s.length - 1, i)));
    }

    /**
     * The value {@code a[k]} would hold were {@code a} sorted, found by partitioning {@code a} in place (Hoare's
     * quickselect, median-of-three pivots) instead of sorting it: a restock evaluation reads two quantiles of
     * 2,000 sums, and sorting them was most of the demo's what-if simulation. No NaN in {@code a}.
     */
    static double select(double[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double pivot = medianOf(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            // Now a[lo..j] <= pivot <= a[i..hi], and everything between j and i equals the pivot.
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static double medianOf(double x, double y, double z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }

    /** The median of the demand summed over the next {@code buckets} buckets. */
    public double median(int buckets) {
        return quantile(buckets, 0.5);
    }

    /**
     * The first bucket (1-based) by whose end the median cumulative demand has used up {@code stock}; 1 when there
     * is no stock; 0 when the stock lasts beyond the sampled buckets at median demand.
     */
    public int stockoutBucket(double stock) {
        if (stock <= 0) {
            return 1;
        }
        for (int k = 1; k <= cumulative.length; k++) {
            if (median(k) >= stock) {
                return k;
            }
        }
        return 0;
    }
}
