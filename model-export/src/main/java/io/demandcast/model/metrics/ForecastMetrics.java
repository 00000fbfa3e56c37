package io.demandcast.model.metrics;

/**
 * The accuracy measures, on whole arrays, by their textbook definitions (e = P50 - actual):
 * <ul>
 *   <li>MASE = mean |e| / scale, scale = mean |y_t - y_{t-m}| over the training part (lag m = the season);</li>
 *   <li>RMSSE = sqrt(mean e^2 / mean (y_t - y_{t-m})^2), the squared analogue with the same seasonal lag;</li>
 *   <li>WAPE = sum |e| / sum |y|; bias = sum e / sum |y| (positive: over-forecast);</li>
 *   <li>pinball loss = mean over steps and quantiles of max(tau (y - q), (tau - 1)(y - q));</li>
 *   <li>coverage = share of actuals with P10 &lt;= y &lt;= P90.</li>
 * </ul>
 * Undefined values (no training differences, a zero denominator) are NaN.
 */
public final class ForecastMetrics {

    private ForecastMetrics() {
    }

    /** In-sample mean absolute seasonal difference of {@code train} at lag {@code m}: the MASE denominator. */
    public static double maseScale(double[] train, int m) {
        if (train.length <= m) {
            return Double.NaN;
        }
        double sum = 0;
        for (int t = m; t < train.length; t++) {
            sum += Math.abs(train[t] - train[t - m]);
        }
        return sum / (train.length - m);
    }

    /** In-sample mean squared seasonal difference of {@code train} at lag {@code m}: the RMSSE denominator. */
    public static double rmsseScale(double[] train, int m) {
        if (train.length <= m) {
            return Double.NaN;
        }
        double sum = 0;
        for (int t = m; t < train.length; t++) {
            double d = train[t] - train[t - m];
            sum += d * d;
        }
        return sum / (train.length - m);
    }

    public static double mase(double[] actual, double[] p50, double scale) {
        return ratio(meanAbsError(actual, p50), scale);
    }

    public static double rmsse(double[] actual, double[] p50, double squaredScale) {
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double e = p50[i] - actual[i];
            sum += e * e;
        }
        return Math.sqrt(ratio(sum / actual.length, squaredScale));
    }

    public static double wape(double[] actual, double[] p50) {
        double err = 0;
        double act = 0;
        for (int i = 0; i < actual.length; i++) {
            err += Math.abs(p50[i] - actual[i]);
            act += Math.abs(actual[i]);
        }
        return ratio(err, act);
    }

    public static double bias(double[] actual, double[] p50) {
        double err = 0;
        double act = 0;
        for (int i = 0; i < actual.length; i++) {
            err += p50[i] - actual[i];
            act += Math.abs(actual[i]);
        }
        return ratio(err, act);
    }

    /** Pinball loss of one quantile forecast {@code q} at level {@code tau} for the actual {@code y}. */
    public static double pinball(double y, double q, double tau) {
        double d = y - q;
        return d >= 0 ? tau * d : (tau - 1) * d;
    }

    /** Mean pinball loss over steps and quantiles: {@code values[step][q]} at level {@code quantiles[q]}. */
    public static double pinball(double[] actual, double[][] values, double[] quantiles) {
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            for (int q = 0; q < quantiles.length; q++) {
                sum += pinball(actual[i], values[i][q], quantiles[q]);
            }
        }
        return sum / ((double) actual.length * quantiles.length);
    }

    public static double coverage(double[] actual, double[] lower, double[] upper) {
        int inside = 0;
        for (int i = 0; i < actual.length; i++) {
            if (lower[i] <= actual[i] && actual[i] <= upper[i]) {
                inside++;
            }
        }
        return actual.length == 0 ? Double.NaN : (double) inside / actual.length;
    }

    static double meanAbsError(double[] actual, double[] p50) {
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            sum += Math.abs(p50[i] - actual[i]);
        }
        return actual.length == 0 ? Double.NaN : sum / actual.length;
    }

    static double ratio(double numerator, double denominator) {
        return denominator > 0 && Double.isFinite(denominator) ? numerator / denominator : Double.NaN;
    }
}
