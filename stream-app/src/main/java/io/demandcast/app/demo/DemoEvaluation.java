package io.demandcast.app.demo;

import io.demandcast.app.replay.ReplayOutputs;
import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.metrics.ForecastMetrics;
import io.demandcast.model.metrics.MethodSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores the forecasts the replay's app streamed for the scored products against the actuals that followed them on
 * its {@code sales-actuals}, beside the seasonal naive fallback computed on the same products, origins and steps from
 * the history the app held at that origin.
 *
 * <p>Actuals are demand as the stream's history counts it: net units, below zero taken as zero. MASE's scale comes
 * from each forecast's own past: the mean absolute 7-day difference of the product's demand from its first sale
 * (the file before the replay, {@code sales-actuals} from then on) up to the forecast's last observed bucket, so a
 * product gets a scale however short the replay's warm-up ({@code replay}'s own score takes it from the warm-up). A
 * product's MASE is the mean of |error| / scale over its points; the method's MASE is the mean (and median) over
 * products. WAPE, bias and P10-P90 coverage are pooled over all points.
 */
final class DemoEvaluation {

    static final String STREAMED = "streamed";
    static final String SEASONAL_NAIVE = SeasonalNaive.METHOD;

    /** One scored point: the forecast made after {@code origin} for {@code target} ({@code step} buckets on). */
    record Point(String product, Instant origin, Instant target, int step, String method, double actual,
                 double p10, double p50, double p90) {
    }

    /** One method's figures. */
    record Figures(String method, int products, int points, double maseMean, double maseMedian, double wape,
                   double bias, double coverage, double[] maseByStep) {
    }

    /** Everything scored. */
    record Result(Map<String, Figures> figures, List<Point> points, int origins, Instant firstTarget,
                  Instant lastTarget, Map<String, double[]> demandByProduct, Map<String, Instant> demandStarts,
                  long mismatchedActuals, long comparedActuals, List<String> mismatchExamples) {
    }

    private DemoEvaluation() {
    }

    /**
     * @param history       the file's daily sales (the past before the replay, and the check of the actuals)
     * @param replay        what the replay committed: its actuals from its first bucket, its forecasts from the
     *                      bucket before the split (the warm-up's are not scored)
     * @param lastClosed    the last bucket scored: later targets are not
     * @param historyLength buckets of history the app keeps (the seasonal naive sees as many)
     */
    static Result score(List<String> products, DailySales history, ReplayOutputs replay, Instant lastClosed,
                        int horizon, int historyLength) {
        Bucket bucket = history.bucket();
        Instant replayFrom = replay.start();
        Instant firstOrigin = replay.firstOrigin();
        SeasonalNaive naive = new SeasonalNaive(new double[] {0.1, 0.5, 0.9});
        int m = bucket.season();
        Map<String, Accumulator> streamed = new LinkedHashMap<>();
        Map<String, Accumulator> baseline = new LinkedHashMap<>();
        List<Point> points = new ArrayList<>();
        Map<String, double[]> demandByProduct = new LinkedHashMap<>();
        Map<String, Instant> demandStarts = new LinkedHashMap<>();
        long mismatched = 0;
        List<String> examples = new ArrayList<>();
        long compared = 0;
        int origins = 0;
        Instant firstTarget = null;
        Instant lastTarget = null;
        for (String product : products) {
            // Units per bucket from replayFrom (NaN: no actual), forecasts per origin from firstOrigin (null: none).
            double[] actuals = replay.actuals().get(product);
            ReplayOutputs.Made[] made = replay.forecasts().getOrDefault(product, new ReplayOutputs.Made[0]);
            Instant start = history.firstBucket(product);
            if (start == null || lastClosed == null || start.isAfter(lastClosed)) {
                continue;
            }
            // Demand from the product's first sale to the last closed bucket: the file before the replay, the
            // replay's own actuals from its start.
            int n = Math.toIntExact(bucket.between(start, lastClosed) + 1);
            double[] demand = new double[n];
            Instant streamStart = null;
            for (int i = 0; i < n; i++) {
                Instant t = bucket.plus(start, i);
                double net;
                if (t.isBefore(replayFrom)) {
                    net = history.netUnits(product, t);
                } else {
                    double a = actuals == null ? Double.NaN : actuals[Math.toIntExact(bucket.between(replayFrom, t))];
                    boolean published = !Double.isNaN(a);
                    streamStart = streamStart == null && published ? t : streamStart;
                    net = published ? a : 0.0;
                    compared++;
                    if (Math.abs(net - history.netUnits(product, t)) > 1e-6) {
                        mismatched++;
                        if (examples.size() < 5) {
                            examples.add(product + " on " + DemoReport.day(t) + ": sales-actuals "
                                    + (published ? net : "nothing") + ", the file " + history.netUnits(product, t));
                        }
                    }
                }
                demand[i] = Math.max(0.0, net);
            }
            demandByProduct.put(product, demand);
            demandStarts.put(product, start);
            Accumulator s = streamed.computeIfAbsent(product, p -> new Accumulator(horizon));
            Accumulator b = baseline.computeIfAbsent(product, p -> new Accumulator(horizon));
            for (int k = 0; k < made.length; k++) {
                ReplayOutputs.Made f = made[k];
                Instant origin = bucket.plus(firstOrigin, k);
                if (f == null || !origin.isBefore(lastClosed) || streamStart == null
                        || origin.isBefore(streamStart)) {
                    continue;
                }
                int at = Math.toIntExact(bucket.between(start, origin));
                double scale = ForecastMetrics.maseScale(Arrays.copyOf(demand, at + 1), m);
                // The fallback's view: what the app's history held at this origin.
                int from = Math.max(Math.toIntExact(bucket.between(start, streamStart)), at + 1 - historyLength);
                SeriesHistory seen = SeriesHistory.of(product, bucket, bucket.plus(start, from),
                        Arrays.copyOfRange(demand, from, at + 1));
                QuantileForecast q = naive.forecast(List.of(seen), horizon).get(0);
                origins++;
                for (int h = 1; h <= Math.min(horizon, f.p50().length); h++) {
                    int t = at + h;
                    if (t >= n) {
                        break;
                    }
                    Instant target = bucket.plus(start, t);
                    double y = demand[t];
                    double p10 = f.p10()[h - 1];
                    double p50 = f.p50()[h - 1];
                    double p90 = f.p90()[h - 1];
                    s.add(h, y, p10, p50, p90, scale);
                    points.add(new Point(product, origin, target, h, STREAMED, y, p10, p50, p90));
                    double b10 = q.quantile(h - 1, 0.1);
                    double b50 = q.quantile(h - 1, 0.5);
                    double b90 = q.quantile(h - 1, 0.9);
                    b.add(h, y, b10, b50, b90, scale);
                    points.add(new Point(product, origin, target, h, SEASONAL_NAIVE, y, b10, b50, b90));
                    firstTarget = firstTarget == null || target.isBefore(firstTarget) ? target : firstTarget;
                    lastTarget = lastTarget == null || target.isAfter(lastTarget) ? target : lastTarget;
                }
            }
        }
        Map<String, Figures> figures = new LinkedHashMap<>();
        figures.put(STREAMED, summarise(STREAMED, streamed, horizon));
        figures.put(SEASONAL_NAIVE, summarise(SEASONAL_NAIVE, baseline, horizon));
        return new Result(figures, points, origins, firstTarget, lastTarget, demandByProduct, demandStarts,
                mismatched, compared, examples);
    }

    private static Figures summarise(String method, Map<String, Accumulator> perProduct, int horizon) {
        List<Double> mases = new ArrayList<>();
        double absError = 0;
        double error = 0;
        double absActual = 0;
        long covered = 0;
        int points = 0;
        double[] stepSum = new double[horizon];
        int[] stepCount = new int[horizon];
        for (Accumulator a : perProduct.values()) {
            if (a.scaledPoints > 0) {
                mases.add(a.scaledAbsError / a.scaledPoints);
            }
            for (int h = 0; h < horizon; h++) {
                if (a.stepPoints[h] > 0) {
                    stepSum[h] += a.stepScaledAbsError[h] / a.stepPoints[h];
                    stepCount[h]++;
                }
            }
            absError += a.absError;
            error += a.error;
            absActual += a.absActual;
            covered += a.covered;
            points += a.points;
        }
        double[] byStep = new double[horizon];
        for (int h = 0; h < horizon; h++) {
            byStep[h] = stepCount[h] == 0 ? Double.NaN : stepSum[h] / stepCount[h];
        }
        double[] m = mases.stream().mapToDouble(Double::doubleValue).toArray();
        return new Figures(method, m.length, points, Arrays.stream(m).average().orElse(Double.NaN),
                MethodSummary.median(m), absActual > 0 ? absError / absActual : Double.NaN,
                absActual > 0 ? error / absActual : Double.NaN, points == 0 ? Double.NaN : (double) covered / points,
                byStep);
    }

    /** One method's errors on one product. */
    private static final class Accumulator {
        double scaledAbsError;
        int scaledPoints;
        final double[] stepScaledAbsError;
        final int[] stepPoints;
        double absError;
        double error;
        double absActual;
        long covered;
        int points;

        Accumulator(int horizon) {
            stepScaledAbsError = new double[horizon];
            stepPoints = new int[horizon];
        }

        void add(int step, double y, double p10, double p50, double p90, double scale) {
            double e = p50 - y;
            points++;
            absError += Math.abs(e);
            error += e;
            absActual += Math.abs(y);
            if (p10 <= y && y <= p90) {
                covered++;
            }
            // A product that never changed week on week before this origin has no scale: no MASE for this point.
            if (scale > 0 && Double.isFinite(scale)) {
                scaledAbsError += Math.abs(e) / scale;
                scaledPoints++;
                stepScaledAbsError[step - 1] += Math.abs(e) / scale;
                stepPoints[step - 1]++;
            }
        }
    }
}
