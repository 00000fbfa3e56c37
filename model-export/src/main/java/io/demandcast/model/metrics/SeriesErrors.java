package io.demandcast.model.metrics;

/**
 * The errors of one method on one series, accumulated over every origin and step of a backtest; the measures are
 * those of {@link ForecastMetrics}, pooled over all the points added.
 */
public final class SeriesErrors {

    private final String series;
    private final String method;
    private final double maseScale;
    private final double rmsseScale;
    private final double[] absErrorByStep;
    private final int[] countByStep;
    private int points;
    private double sumAbsError;
    private double sumSquaredError;
    private double sumError;
    private double sumAbsActual;
    private double sumPinball;
    private long pinballTerms;
    private int covered;

    /**
     * @param maseScale MASE denominator from the training part ({@link ForecastMetrics#maseScale})
     * @param rmsseScale RMSSE denominator from the training part ({@link ForecastMetrics#rmsseScale})
     */
    public SeriesErrors(String series, String method, double maseScale, double rmsseScale, int horizon) {
        this.series = series;
        this.method = method;
        this.maseScale = maseScale;
        this.rmsseScale = rmsseScale;
        this.absErrorByStep = new double[horizon];
        this.countByStep = new int[horizon];
    }

    /**
     * Adds one forecast point.
     *
     * @param step 1-based horizon step
     * @param values the forecast's values at this step, one per level of {@code quantiles}
     */
    public void add(int step, double actual, double[] quantiles, double[] values) {
        double p50 = nearest(quantiles, values, 0.5);
        double e = p50 - actual;
        points++;
        sumAbsError += Math.abs(e);
        sumSquaredError += e * e;
        sumError += e;
        sumAbsActual += Math.abs(actual);
        absErrorByStep[step - 1] += Math.abs(e);
        countByStep[step - 1]++;
        for (int q = 0; q < quantiles.length; q++) {
            sumPinball += ForecastMetrics.pinball(actual, values[q], quantiles[q]);
        }
        pinballTerms += quantiles.length;
        if (nearest(quantiles, values, 0.1) <= actual && actual <= nearest(quantiles, values, 0.9)) {
            covered++;
        }
    }

    static double nearest(double[] quantiles, double[] values, double level) {
        int best = 0;
        for (int q = 1; q < quantiles.length; q++) {
            if (Math.abs(quantiles[q] - level) < Math.abs(quantiles[best] - level)) {
                best = q;
            }
        }
        return values[best];
    }

    public String series() {
        return series;
    }

    public String method() {
        return method;
    }

    /** True when the MASE scale is positive and finite, so that MASE is defined and counts in the means. */
    public boolean hasScale() {
        return maseScale > 0 && Double.isFinite(maseScale);
    }

    public double maseScale() {
        return maseScale;
    }

    public int points() {
        return points;
    }

    public double mase() {
        return ForecastMetrics.ratio(sumAbsError / points, maseScale);
    }

    public double rmsse() {
        return Math.sqrt(ForecastMetrics.ratio(sumSquaredError / points, rmsseScale));
    }

    public double wape() {
        return ForecastMetrics.ratio(sumAbsError, sumAbsActual);
    }

    public double bias() {
        return ForecastMetrics.ratio(sumError, sumAbsActual);
    }

    public double pinball() {
        return pinballTerms == 0 ? Double.NaN : sumPinball / pinballTerms;
    }

    /** Pinball loss divided by the MASE scale, so that series of different sizes can be averaged. */
    public double scaledPinball() {
        return ForecastMetrics.ratio(pinball(), maseScale);
    }

    public double coverage() {
        return points == 0 ? Double.NaN : (double) covered / points;
    }

    public double meanAbsError() {
        return points == 0 ? Double.NaN : sumAbsError / points;
    }

    double sumAbsError() {
        return sumAbsError;
    }

    double sumError() {
        return sumError;
    }

    double sumAbsActual() {
        return sumAbsActual;
    }

    int covered() {
        return covered;
    }

    /** MASE of step {@code step} (1-based) alone: mean |e| at that step over the origins, over the scale. */
    public double maseAtStep(int step) {
        int c = countByStep[step - 1];
        return c == 0 ? Double.NaN : ForecastMetrics.ratio(absErrorByStep[step - 1] / c, maseScale);
    }

    int horizon() {
        return absErrorByStep.length;
    }
}
