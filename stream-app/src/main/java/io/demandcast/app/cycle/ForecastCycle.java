package io.demandcast.app.cycle;

import io.demandcast.app.topology.PipelineMetrics;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forecasts all series of a task after a bucket closes: the histories go to the model in batches of at most
 * {@code batchSize}, and every series the model cannot serve (no model loaded, an exception, a non-finite value)
 * gets the fallback's forecast instead, with the reason in {@code method}. A forecast is never missing.
 */
public final class ForecastCycle {

    /** Reasons written after the fallback's name in {@code method}, e.g. {@code seasonal_naive:no_model}. */
    public static final String NO_MODEL = "no_model";
    public static final String NON_FINITE = "non_finite";
    public static final String MODEL_ERROR = "model_error";

    private static final Logger LOG = LoggerFactory.getLogger(ForecastCycle.class);

    private final ModelHandle models;
    private final Forecaster fallback;
    private final int horizon;
    private final int batchSize;
    private final PipelineMetrics metrics;
    /** The step starts of the last history seen; see {@link #stepStarts}. */
    private volatile Instant[] lastStepStarts;

    public ForecastCycle(ModelHandle models, Forecaster fallback, int horizon, int batchSize,
                         PipelineMetrics metrics) {
        this.models = Objects.requireNonNull(models, "models");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        if (horizon < 1 || batchSize < 1) {
            throw new IllegalArgumentException("horizon and batch size must be >= 1; got " + horizon + " and "
                    + batchSize);
        }
        this.horizon = horizon;
        this.batchSize = batchSize;
        this.metrics = metrics;
    }

    /**
     * The horizon's bucket starts after {@code history}: the same for every series of a close, so they are worked
     * out once and reused while consecutive histories end at the same bucket. Stream threads share the cycle:
     * the array is never changed once published, so another thread's entry is at worst a miss.
     */
    private Instant[] stepStarts(SeriesHistory history) {
        Instant first = history.bucketStart(history.length());
        Instant[] cached = lastStepStarts;
        if (cached != null && cached[0].equals(first)) {
            return cached;
        }
        Instant[] starts = new Instant[horizon];
        for (int h = 0; h < horizon; h++) {
            starts[h] = history.bucketStart(history.length() + h);
        }
        lastStepStarts = starts;
        return starts;
    }

    /** Name written in {@code method} for a fallback forecast made for {@code reason}. */
    public String fallbackMethod(String reason) {
        return fallback.method() + ":" + reason;
    }

    /** One forecast per history, in the same order. */
    public List<Forecast> forecast(List<SeriesHistory> histories, Instant lastObservedBucket, long producedAt) {
        try (Run run = start(lastObservedBucket, producedAt)) {
            return run.forecast(histories);
        }
    }

    /**
     * Starts the forecasts of one close, which may then come in parts (so that a close of many series need not hold
     * all their histories at once) while every part is served by the same model.
     */
    public Run start(Instant lastObservedBucket, long producedAt) {
        ModelHandle.Lease lease = models.lease();
        metrics.modelVersion(lease.forecaster() == null ? "none" : lease.version());
        return new Run(lease, lastObservedBucket, producedAt);
    }

    /** The series the model gets at once; a close's parts are best a multiple of it. */
    public int batchSize() {
        return batchSize;
    }

    /** The forecasts of one close, all made by the model leased when it started; close it to release the model. */
    public final class Run implements AutoCloseable {
        private final ModelHandle.Lease lease;
        private final Instant lastObservedBucket;
        private final long producedAt;

        private Run(ModelHandle.Lease lease, Instant lastObservedBucket, long producedAt) {
            this.lease = lease;
            this.lastObservedBucket = lastObservedBucket;
            this.producedAt = producedAt;
        }

        /** One forecast per history, in the same order. */
        public List<Forecast> forecast(List<SeriesHistory> histories) {
            List<Forecast> out = new ArrayList<>(histories.size());
            for (int from = 0; from < histories.size(); from += batchSize) {
                List<SeriesHistory> batch = histories.subList(from, Math.min(histories.size(), from + batchSize));
                forecastBatch(lease, batch, lastObservedBucket, producedAt, out);
            }
            return out;
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    private void forecastBatch(ModelHandle.Lease lease, List<SeriesHistory> batch, Instant lastObserved,
                               long producedAt, List<Forecast> out) {
        Forecaster model = lease.forecaster();
        if (model == null) {
            addFallbacks(batch, NO_MODEL, lastObserved, producedAt, out);
            return;
        }
        List<QuantileForecast> predicted;
        long t0 = System.nanoTime();
        try {
            predicted = model.forecast(batch, horizon);
            if (predicted == null || predicted.size() != batch.size()) {
                throw new IllegalStateException("model " + lease.version() + " returned "
                        + (predicted == null ? "null" : predicted.size() + " forecasts") + " for " + batch.size()
                        + " series");
            }
        } catch (RuntimeException e) {
            LOG.warn("model {} failed on a batch of {} series ending {}; falling back", lease.version(),
                    batch.size(), lastObserved, e);
            addFallbacks(batch, MODEL_ERROR, lastObserved, producedAt, out);
            return;
        } finally {
            metrics.inference(batch.size(), System.nanoTime() - t0);
        }
        // Forecasts are kept in input order: unusable ones are filled in place by one fallback call.
        Forecast[] slots = new Forecast[batch.size()];
        List<SeriesHistory> bad = new ArrayList<>();
        List<Integer> badAt = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            QuantileForecast q = predicted.get(i);
            if (q != null && q.isFinite() && q.horizon() >= horizon && q.series().equals(batch.get(i).series())) {
                slots[i] = toRecord(batch.get(i), q, model.method(), lease.version(), lastObserved, producedAt);
            } else {
                bad.add(batch.get(i));
                badAt.add(i);
            }
        }
        if (!bad.isEmpty()) {
            List<Forecast> filled = new ArrayList<>();
            addFallbacks(bad, NON_FINITE, lastObserved, producedAt, filled);
            for (int j = 0; j < filled.size(); j++) {
                slots[badAt.get(j)] = filled.get(j);
            }
        }
        out.addAll(List.of(slots));
    }

    private void addFallbacks(List<SeriesHistory> histories, String reason, Instant lastObserved, long producedAt,
                              List<Forecast> out) {
        List<QuantileForecast> qs = fallback.forecast(histories, horizon);
        String method = fallbackMethod(reason);
        for (int i = 0; i < histories.size(); i++) {
            out.add(toRecord(histories.get(i), qs.get(i), method, fallback.method(), lastObserved, producedAt));
            metrics.fallback(reason);
        }
    }

    private Forecast toRecord(SeriesHistory history, QuantileForecast q, String method, String version,
                              Instant lastObserved, long producedAt) {
        Instant[] starts = stepStarts(history);
        // The nearest quantile to each level, found once per forecast rather than once per step and level.
        double[] levels = q.quantiles();
        int p10 = nearest(levels, 0.1);
        int p50 = nearest(levels, 0.5);
        int p90 = nearest(levels, 0.9);
        double[][] values = q.values();
        ForecastStep[] steps = new ForecastStep[horizon];
        for (int h = 0; h < horizon; h++) {
            double[] v = values[h];
            steps[h] = new ForecastStep(starts[h], v[p10], v[p50], v[p90]);
        }
        // The all-fields constructor: a builder checks and defaults each field, for every series of a close.
        return new Forecast(history.series(), lastObserved, Arrays.asList(steps), version, method,
                Instant.ofEpochMilli(producedAt));
    }

    /** The index of the quantile nearest to {@code level}, the first on a tie, as QuantileForecast.quantile picks. */
    private static int nearest(double[] quantiles, double level) {
        int best = 0;
        for (int i = 1; i < quantiles.length; i++) {
            if (Math.abs(quantiles[i] - level) < Math.abs(quantiles[best] - level)) {
                best = i;
            }
        }
        return best;
    }
}
