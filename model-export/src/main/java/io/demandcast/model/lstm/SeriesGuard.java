package io.demandcast.model.lstm;

import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.baseline.SeasonalNaive;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The guard that keeps a series' forecasts no worse than its fallback: at training time each series' LSTM median
 * is scored against seasonal naive on the validation buckets (which the network never had as targets before its
 * refit), and the series where seasonal naive's mean absolute error is lower get seasonal naive. The model card
 * records the decision under {@code trainer.guard} ({@link #toCard}); {@link LstmModel#guard()} reads it back, and
 * {@link #forecaster} serves it.
 *
 * @param fallback the method the guarded series get ({@link SeasonalNaive#METHOD})
 * @param validationBuckets the buckets per series each decision was scored on
 * @param scored how many series were scored
 * @param fallbackSeries the series that get the fallback, in training order
 */
public record SeriesGuard(String fallback, int validationBuckets, int scored, Set<String> fallbackSeries) {

    /** The card key under {@link ModelCard#trainer()}. */
    public static final String CARD_KEY = "guard";
    /** The method name of guarded forecasts in backtests: the LSTM, or the fallback for the series it guards. */
    public static final String METHOD = "lstm_guarded";

    public SeriesGuard {
        Objects.requireNonNull(fallback, "fallback");
        fallbackSeries = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(fallbackSeries));
    }

    /**
     * Decides per series: {@code lstmError[i]} and {@code fallbackError[i]} are the two methods' mean absolute
     * errors on series i's validation buckets (NaN: not scored, keeps the LSTM).
     */
    static SeriesGuard decide(List<String> series, double[] lstmError, double[] fallbackError,
                              int validationBuckets) {
        Set<String> fallback = new LinkedHashSet<>();
        int scored = 0;
        for (int i = 0; i < series.size(); i++) {
            if (Double.isNaN(lstmError[i]) || Double.isNaN(fallbackError[i])) {
                continue;
            }
            scored++;
            if (fallbackError[i] < lstmError[i]) {
                fallback.add(series.get(i));
            }
        }
        return new SeriesGuard(SeasonalNaive.METHOD, validationBuckets, scored, fallback);
    }

    /** The card's form: a JSON object of plain values. */
    Map<String, Object> toCard() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fallback", fallback);
        m.put("validationBuckets", validationBuckets);
        m.put("scored", scored);
        m.put("fallbackSeries", List.copyOf(fallbackSeries));
        return m;
    }

    /** The guard a card records, or null when it has none (a model trained without validation buckets). */
    static SeriesGuard fromCard(ModelCard card) {
        if (!(card.trainer().get(CARD_KEY) instanceof Map<?, ?> m)) {
            return null;
        }
        Set<String> series = new LinkedHashSet<>();
        if (m.get("fallbackSeries") instanceof Collection<?> c) {
            c.forEach(s -> series.add(String.valueOf(s)));
        }
        return new SeriesGuard(String.valueOf(m.get("fallback")),
                m.get("validationBuckets") instanceof Number n ? n.intValue() : 0,
                m.get("scored") instanceof Number n ? n.intValue() : 0, series);
    }

    /** Whether a series gets the fallback. */
    public boolean guards(String series) {
        return fallbackSeries.contains(series);
    }

    /**
     * Guarded forecasts: the model's for the series this guard leaves to it, seasonal naive's (method {@code
     * seasonal_naive} in each forecast) for the others. Named {@link #METHOD}.
     */
    public Forecaster forecaster(Forecaster model, double[] quantiles) {
        Forecaster naive = new SeasonalNaive(quantiles);
        return new Forecaster() {
            @Override
            public String method() {
                return METHOD;
            }

            @Override
            public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
                List<QuantileForecast> lstm = model.forecast(histories, horizon);
                List<SeriesHistory> guarded = new ArrayList<>();
                for (SeriesHistory h : histories) {
                    if (guards(h.series())) {
                        guarded.add(h);
                    }
                }
                if (guarded.isEmpty()) {
                    return lstm;
                }
                List<QuantileForecast> fallbacks = naive.forecast(guarded, horizon);
                List<QuantileForecast> out = new ArrayList<>(histories.size());
                int next = 0;
                for (int i = 0; i < histories.size(); i++) {
                    out.add(guards(histories.get(i).series()) ? fallbacks.get(next++) : lstm.get(i));
                }
                return out;
            }
        };
    }
}
