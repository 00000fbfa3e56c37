package io.demandcast.model.backtest;

import io.demandcast.model.Bucket;
import io.demandcast.model.Forecaster;
import io.demandcast.model.ModelTrainer;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.metrics.ForecastMetrics;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline backtest on a time split. The last N buckets of every series are held out: a trainer, when given,
 * trains once on everything before them, and the MASE and RMSSE scales come from that training part alone. Each
 * method then forecasts H buckets from every origin (see {@link BacktestConfig}); at a later origin a method sees
 * the held-out actuals before that origin as its input history, as it would in production, but it is never trained
 * on them. Series not longer than N are skipped and counted.
 */
public final class Backtest {

    private final BacktestConfig config;

    public Backtest(BacktestConfig config) {
        this.config = config;
    }

    /**
     * Runs every method over {@code histories} (all of one bucket).
     *
     * @param trainer trains the model evaluated first (the LSTM); null for baselines only
     * @param listener told about the trainer's epochs
     * @param baselines forecasters that need no training, evaluated after the trained model
     */
    public BacktestResult run(List<SeriesHistory> histories, ModelTrainer trainer, TrainingListener listener,
                              List<? extends Forecaster> baselines) {
        int n = config.holdout();
        List<SeriesHistory> series = new ArrayList<>();
        for (SeriesHistory h : histories) {
            if (h.length() > n) {
                series.add(h);
            }
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no series is longer than the holdout of " + n + " buckets ("
                    + histories.size() + " series given)");
        }
        Bucket bucket = series.get(0).bucket();
        for (SeriesHistory h : series) {
            if (h.bucket() != bucket) {
                throw new IllegalArgumentException("series " + h.series() + " has " + h.bucket().label()
                        + " buckets, series " + series.get(0).series() + " has " + bucket.label());
            }
        }
        List<SeriesHistory> training = new ArrayList<>(series.size());
        for (SeriesHistory h : series) {
            training.add(h.head(h.length() - n));
        }

        Map<String, List<List<QuantileForecast>>> forecasts = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        if (trainer != null) {
            long start = System.nanoTime();
            try (TrainedModel model = trainer.train(training, listener == null ? TrainingListener.NONE : listener)) {
                forecasts.put(model.method(), forecastOrigins(model, series));
                double trained = (System.nanoTime() - start) / 1e9;
                seconds.put(model.method(), trained);
                // The guarded model beside the raw one: the same forecasts, with the fallback for the series its
                // guard gave to the fallback at training time.
                Forecaster guarded = model.guarded(config.quantiles());
                if (guarded != null) {
                    long guardStart = System.nanoTime();
                    forecasts.put(guarded.method(), forecastOrigins(guarded, series));
                    seconds.put(guarded.method(), trained + (System.nanoTime() - guardStart) / 1e9);
                }
            }
        }
        for (Forecaster f : baselines) {
            if (forecasts.containsKey(f.method())) {
                throw new IllegalArgumentException("two methods are named " + f.method());
            }
            long start = System.nanoTime();
            forecasts.put(f.method(), forecastOrigins(f, series));
            seconds.put(f.method(), (System.nanoTime() - start) / 1e9);
        }
        return score(series, training, histories.size() - series.size(), forecasts, seconds);
    }

    private List<List<QuantileForecast>> forecastOrigins(Forecaster f, List<SeriesHistory> series) {
        int origins = config.origins();
        List<List<QuantileForecast>> out = new ArrayList<>(origins);
        for (int k = 0; k < origins; k++) {
            List<SeriesHistory> inputs = new ArrayList<>(series.size());
            for (SeriesHistory h : series) {
                inputs.add(h.head(h.length() - config.holdout() + k * config.step()));
            }
            List<QuantileForecast> result = f.forecast(inputs, config.horizon());
            check(f.method(), inputs, result);
            out.add(result);
        }
        return out;
    }

    private void check(String method, List<SeriesHistory> inputs, List<QuantileForecast> result) {
        if (result.size() != inputs.size()) {
            throw new IllegalStateException(method + " returned " + result.size() + " forecasts for "
                    + inputs.size() + " series");
        }
        for (int i = 0; i < inputs.size(); i++) {
            QuantileForecast f = result.get(i);
            SeriesHistory h = inputs.get(i);
            if (!f.series().equals(h.series()) || !f.firstBucket().equals(h.end())) {
                throw new IllegalStateException(method + " returned a forecast for " + f.series() + " from "
                        + f.firstBucket() + " where " + h.series() + " from " + h.end() + " was expected");
            }
            if (!f.isFinite()) {
                throw new IllegalStateException(method + " returned a non-finite value for " + h.series()
                        + " from " + f.firstBucket());
            }
            if (f.horizon() < config.horizon()) {
                throw new IllegalStateException(method + " returned " + f.horizon() + " steps for " + h.series()
                        + "; expected " + config.horizon());
            }
        }
    }

    private BacktestResult score(List<SeriesHistory> series, List<SeriesHistory> training, int skipped,
                                 Map<String, List<List<QuantileForecast>>> forecasts, Map<String, Double> seconds) {
        int horizon = config.horizon();
        Map<String, List<SeriesErrors>> perSeries = new LinkedHashMap<>();
        for (String method : forecasts.keySet()) {
            List<SeriesErrors> list = new ArrayList<>(series.size());
            for (SeriesHistory t : training) {
                int m = t.bucket().season();
                list.add(new SeriesErrors(t.series(), method, ForecastMetrics.maseScale(t.units(), m),
                        ForecastMetrics.rmsseScale(t.units(), m), horizon));
            }
            perSeries.put(method, list);
        }
        List<ForecastRow> rows = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            SeriesHistory h = series.get(i);
            for (int k = 0; k < config.origins(); k++) {
                int origin = h.length() - config.holdout() + k * config.step();
                for (int s = 0; s < horizon; s++) {
                    double actual = h.units()[origin + s];
                    for (Map.Entry<String, List<List<QuantileForecast>>> e : forecasts.entrySet()) {
                        QuantileForecast f = e.getValue().get(k).get(i);
                        double[] values = f.values()[s];
                        perSeries.get(e.getKey()).get(i).add(s + 1, actual, f.quantiles(), values);
                        rows.add(new ForecastRow(h.series(), h.bucketStart(origin + s), k + 1, s + 1, e.getKey(),
                                actual, f.quantile(s, 0.1), f.quantile(s, 0.5), f.quantile(s, 0.9)));
                    }
                }
            }
        }
        Map<String, MethodSummary> summaries = new LinkedHashMap<>();
        perSeries.forEach((method, list) -> summaries.put(method, MethodSummary.of(method, list)));
        return new BacktestResult(config, series.get(0).bucket(), List.copyOf(series), skipped, rows, perSeries,
                summaries, seconds);
    }
}
