package io.demandcast.app.replay;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.metrics.ForecastMetrics;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores one replay as the offline backtest scores: every forecast made after a bucket from the one before
 * {@code --from} on, at every step whose target lies in the scored period and has an actual, against that actual;
 * beside it the seasonal naive fallback on the same series, origins and steps, from the history the app held at
 * that origin (its own actuals, at most {@code history.length} buckets). Demand is net units, below zero taken as
 * zero, as the stream's history counts it. Each series' MASE and RMSSE scales come from its actuals before
 * {@code --from} (the warm-up, which no score uses): a series without a change there at the seasonal lag has no
 * scale and counts among {@code zero_scale_series}, as in {@code backtest}.
 */
final class ReplayScore {

    static final String BASELINE = SeasonalNaive.METHOD;
    private static final double[] LEVELS = {0.1, 0.5, 0.9};

    /** Where each scored point goes (forecasts.csv). */
    @FunctionalInterface
    interface Rows {
        void row(String series, Instant target, int step, String method, double actual, double p10, double p50,
                 double p90, String version);
    }

    /** One series' demand and one-step-ahead forecasts, for a plot. */
    record Plot(String series, Instant start, double[] demand, double[][] served, double[] baseline) {
    }

    /**
     * One replay's figures: per method (the served one, then the seasonal naive), in that order.
     *
     * @param served the method most of the scored forecasts carry (the model's, or a fallback's)
     */
    record Scored(String version, String served, Map<String, MethodSummary> summaries, int points,
                  Instant firstTarget, Instant lastTarget, Map<String, Plot> plots) {
    }

    private ReplayScore() {
    }

    /** @param scoredSeries the series scored (null: every series) */
    static Scored score(String version, ReplayOutputs outputs, Instant from, int horizon, int historyLength,
                        Set<String> scoredSeries, Set<String> plotted, Rows rows, boolean baselineRows) {
        Bucket bucket = outputs.bucket();
        Instant start = outputs.start();
        int n = outputs.buckets();
        int fromIdx = Math.toIntExact(bucket.between(start, from));
        int firstOriginIdx = Math.toIntExact(bucket.between(start, outputs.firstOrigin()));
        int m = bucket.season();
        String served = servedMethod(outputs.forecasts().values());
        SeasonalNaive naive = new SeasonalNaive(LEVELS);
        List<SeriesErrors> servedErrors = new ArrayList<>();
        List<SeriesErrors> baseErrors = new ArrayList<>();
        Map<String, Plot> plots = new LinkedHashMap<>();
        int points = 0;
        int firstT = Integer.MAX_VALUE;
        int lastT = -1;
        List<String> series = new ArrayList<>(outputs.forecasts().keySet());
        if (scoredSeries != null) {
            series.retainAll(scoredSeries);
        }
        series.sort(Comparator.naturalOrder());
        for (String s : series) {
            double[] a = outputs.actuals().get(s);
            ReplayOutputs.Made[] made = outputs.forecasts().get(s);
            if (a == null) {
                continue;
            }
            int first = 0;
            while (first < n && Double.isNaN(a[first])) {
                first++;
            }
            if (first == n) {
                continue;
            }
            double[] demand = new double[n];
            for (int i = first; i < n; i++) {
                demand[i] = Double.isNaN(a[i]) ? 0.0 : Math.max(0.0, a[i]);
            }
            double[] warmup = first < fromIdx ? Arrays.copyOfRange(demand, first, fromIdx) : new double[0];
            SeriesErrors se = new SeriesErrors(s, served, ForecastMetrics.maseScale(warmup, m),
                    ForecastMetrics.rmsseScale(warmup, m), horizon);
            SeriesErrors be = new SeriesErrors(s, BASELINE, ForecastMetrics.maseScale(warmup, m),
                    ForecastMetrics.rmsseScale(warmup, m), horizon);
            Plot plot = null;
            if (plotted.contains(s)) {
                double[][] one = new double[n][];
                plot = new Plot(s, start, demand, one, new double[n]);
                Arrays.fill(plot.baseline(), Double.NaN);
                plots.put(s, plot);
            }
            for (int k = 0; k < made.length; k++) {
                ReplayOutputs.Made f = made[k];
                int origin = firstOriginIdx + k;
                if (f == null || origin < first) {
                    continue;
                }
                int hFrom = Math.max(first, origin + 1 - historyLength);
                SeriesHistory seen = SeriesHistory.of(s, bucket, bucket.plus(start, hFrom),
                        Arrays.copyOfRange(demand, hFrom, origin + 1));
                QuantileForecast q = naive.forecast(List.of(seen), horizon).get(0);
                for (int h = 1; h <= Math.min(horizon, f.p50().length); h++) {
                    int t = origin + h;
                    if (t >= n) {
                        break;
                    }
                    if (t < fromIdx || Double.isNaN(a[t])) {
                        continue;
                    }
                    double y = demand[t];
                    Instant target = bucket.plus(start, t);
                    double[] v = {f.p10()[h - 1], f.p50()[h - 1], f.p90()[h - 1]};
                    se.add(h, y, LEVELS, v);
                    rows.row(s, target, h, f.method(), y, v[0], v[1], v[2], f.version());
                    double[] b = {q.quantile(h - 1, 0.1), q.quantile(h - 1, 0.5), q.quantile(h - 1, 0.9)};
                    be.add(h, y, LEVELS, b);
                    if (baselineRows) {
                        rows.row(s, target, h, BASELINE, y, b[0], b[1], b[2], BASELINE);
                    }
                    if (plot != null && h == 1) {
                        plot.served()[t] = v;
                        plot.baseline()[t] = b[1];
                    }
                    points++;
                    firstT = Math.min(firstT, t);
                    lastT = Math.max(lastT, t);
                }
            }
            if (se.points() > 0) {
                servedErrors.add(se);
                baseErrors.add(be);
            }
        }
        Map<String, MethodSummary> summaries = new LinkedHashMap<>();
        summaries.put(served, MethodSummary.of(served, servedErrors));
        summaries.put(BASELINE, MethodSummary.of(BASELINE, baseErrors));
        return new Scored(version, served, summaries, points, lastT < 0 ? null : bucket.plus(start, firstT),
                lastT < 0 ? null : bucket.plus(start, lastT), plots);
    }

    /** The method most forecasts of the period carry. */
    private static String servedMethod(Collection<ReplayOutputs.Made[]> forecasts) {
        Map<String, Long> count = new HashMap<>();
        for (ReplayOutputs.Made[] made : forecasts) {
            for (ReplayOutputs.Made f : made) {
                if (f != null) {
                    count.merge(f.method(), 1L, Long::sum);
                }
            }
        }
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse("served");
    }

    /**
     * The {@code count} series (all when 0 or fewer) that sold on the most buckets before {@code from} (the warm-up,
     * so that the choice does not look at the outcome), then the most units; as the demo picks its products.
     */
    static List<String> largest(ReplayOutputs outputs, Instant from, int count) {
        int fromIdx = Math.toIntExact(outputs.bucket().between(outputs.start(), from));
        Map<String, double[]> rank = new HashMap<>();
        outputs.actuals().forEach((s, a) -> {
            double days = 0;
            double units = 0;
            for (int i = 0; i < Math.min(fromIdx, a.length); i++) {
                if (a[i] > 0) {
                    days++;
                    units += a[i];
                }
            }
            rank.put(s, new double[] {days, units});
        });
        return rank.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, double[]>>comparingDouble(e -> -e.getValue()[0])
                        .thenComparingDouble(e -> -e.getValue()[1]).thenComparing(Map.Entry::getKey))
                .limit(count <= 0 ? Long.MAX_VALUE : count).map(Map.Entry::getKey).toList();
    }
}
