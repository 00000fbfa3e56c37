package io.demandcast.model.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * One method's figures over all series of a backtest. MASE, RMSSE and scaled pinball are means over the series
 * with a positive MASE scale (the others are counted in {@code zeroScaleSeries}); WAPE, bias and coverage are
 * pooled over every point of every series; pinball is the mean over series in units.
 *
 * @param maseByStep mean over scaled series of the MASE of each horizon step alone (index 0 = step 1)
 */
public record MethodSummary(String method, int series, int zeroScaleSeries, double maseMean, double maseMedian,
                            double rmsseMean, double wape, double bias, double pinball, double scaledPinball,
                            double coverage, double[] maseByStep) {

    public static MethodSummary of(String method, List<SeriesErrors> perSeries) {
        int horizon = perSeries.isEmpty() ? 0 : perSeries.get(0).horizon();
        double[] mases = perSeries.stream().filter(SeriesErrors::hasScale).mapToDouble(SeriesErrors::mase).toArray();
        double rmsse = perSeries.stream().filter(SeriesErrors::hasScale).mapToDouble(SeriesErrors::rmsse)
                .filter(Double::isFinite).average().orElse(Double.NaN);
        double scaledPinball = perSeries.stream().filter(SeriesErrors::hasScale)
                .mapToDouble(SeriesErrors::scaledPinball).average().orElse(Double.NaN);
        double pinball = perSeries.stream().mapToDouble(SeriesErrors::pinball).filter(Double::isFinite)
                .average().orElse(Double.NaN);
        double absError = 0;
        double error = 0;
        double absActual = 0;
        long covered = 0;
        long points = 0;
        for (SeriesErrors s : perSeries) {
            absError += s.sumAbsError();
            error += s.sumError();
            absActual += s.sumAbsActual();
            covered += s.covered();
            points += s.points();
        }
        double[] byStep = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            int step = h;
            byStep[h - 1] = perSeries.stream().filter(SeriesErrors::hasScale).mapToDouble(s -> s.maseAtStep(step))
                    .filter(Double::isFinite).average().orElse(Double.NaN);
        }
        return new MethodSummary(method, perSeries.size(), perSeries.size() - mases.length,
                Arrays.stream(mases).average().orElse(Double.NaN), median(mases), rmsse,
                ForecastMetrics.ratio(absError, absActual), ForecastMetrics.ratio(error, absActual), pinball,
                scaledPinball, points == 0 ? Double.NaN : (double) covered / points, byStep);
    }

    /** Median, averaging the two middle values of an even count (as R's median does). */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
