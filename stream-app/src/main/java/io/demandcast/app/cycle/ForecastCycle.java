package io.demandcast.app.cycle;

import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.model.ForecastBlock;
import io.demandcast.model.Forecaster;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.registry.ForecastEncoder;
import java.time.Instant;
import java.util.ArrayList;
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
    private volatile long[] lastStepStarts;

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
     * The horizon's bucket starts (epoch ms) after {@code history}: the same for every series of a close, so they are
     * worked out once and reused while consecutive histories end at the same bucket. Stream threads share the
     * cycle: the array is never changed once published, so another thread's entry is at worst a miss.
     */
    private long[] stepStarts(SeriesHistory history) {
        long first = history.bucketStart(history.length()).toEpochMilli();
        long[] cached = lastStepStarts;
        if (cached != null && cached[0] == first) {
            return cached;
        }
        long[] starts = new long[horizon];
        for (int h = 0; h < horizon; h++) {
            starts[h] = history.bucketStart(history.length() + h).toEpochMilli();
        }
        lastStepStarts = starts;
        return starts;
    }

    /** Name written in {@code method} for a fallback forecast made for {@code reason}. */
    public String fallbackMethod(String reason) {
        return fallback.method() + ":" + reason;
    }

    /** One forecast per history, in the same order, as Avro records. */
    public List<Forecast> forecast(List<SeriesHistory> histories, Instant lastObservedBucket, long producedAt) {
        ForecastBatch batch;
        try (Run run = start()) {
            batch = run.forecast(histories);
        }
        List<Forecast> out = new ArrayList<>(batch.size());
        long last = lastObservedBucket.toEpochMilli();
        for (int i = 0; i < batch.size(); i++) {
            out.add(ForecastEncoder.record(histories.get(i).series(), last, batch.steps(i), batch.modelVersion(i),
                    batch.method(i), producedAt));
        }
        return out;
    }

    /**
     * Starts the forecasts of one close, which may then come in parts (so that a close of many series need not hold
     * all their histories at once) while every part is served by the same model.
     */
    public Run start() {
        long t0 = System.nanoTime();
        ModelHandle.Lease lease = models.lease();
        metrics.modelVersion(lease.forecaster() == null ? "none" : lease.version());
        return new Run(lease, t0);
    }

    /** The series the model gets at once; a close's parts are best a multiple of it. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The forecasts of one close, all made by the model leased when it started; close it to release the model. Its
     * time from start to close is the close's forecast cycle.
     */
    public final class Run implements AutoCloseable {
        private final ModelHandle.Lease lease;
        private final long startedNanos;
        private final ForecastBatch.Levels levels = new ForecastBatch.Levels();

        private Run(ModelHandle.Lease lease, long startedNanos) {
            this.lease = lease;
            this.startedNanos = startedNanos;
        }

        /**
         * One forecast per history, in the same order: the model gets them in batches of at most {@link #batchSize}
         * and each batch's unusable forecasts are replaced by the fallback's.
         */
        public ForecastBatch forecast(List<SeriesHistory> histories) {
            ForecastBatch out = new ForecastBatch(histories.size(), horizon);
            for (int from = 0; from < histories.size(); from += batchSize) {
                List<SeriesHistory> batch = histories.subList(from, Math.min(histories.size(), from + batchSize));
                forecastBatch(batch, from, out);
            }
            return out;
        }

        @Override
        public void close() {
            lease.close();
            metrics.cycle(System.nanoTime() - startedNanos);
        }

        /** Fills rows {@code offset..} of {@code out} with the forecasts of {@code batch}: one model call. */
        private void forecastBatch(List<SeriesHistory> batch, int offset, ForecastBatch out) {
            Forecaster model = lease.forecaster();
            if (model == null) {
                fallBack(batch, offset, NO_MODEL, out);
                return;
            }
            ForecastBlock predicted;
            long t0 = System.nanoTime();
            try {
                predicted = model.forecastBlock(batch, horizon);
                if (predicted == null || predicted.size() != batch.size()) {
                    throw new IllegalStateException("model " + lease.version() + " returned "
                            + (predicted == null ? "null" : predicted.size() + " forecasts") + " for "
                            + batch.size() + " series");
                }
            } catch (RuntimeException e) {
                LOG.warn("model {} failed on a batch of {} series; falling back", lease.version(), batch.size(), e);
                fallBack(batch, offset, MODEL_ERROR, out);
                return;
            } finally {
                metrics.inference(batch.size(), System.nanoTime() - t0);
            }
            // Unusable forecasts are made by one fallback call and slotted in at their rows.
            boolean[] unusable = new boolean[batch.size()];
            List<SeriesHistory> bad = new ArrayList<>(0);
            for (int i = 0; i < batch.size(); i++) {
                if (!usable(predicted, i, batch.get(i))) {
                    unusable[i] = true;
                    bad.add(batch.get(i));
                }
            }
            ForecastBlock filled = bad.isEmpty() ? null : fallback.forecastBlock(bad, horizon);
            String method = model.method();
            String fallbackMethod = fallbackMethod(NON_FINITE);
            int next = 0;
            for (int i = 0; i < batch.size(); i++) {
                long[] starts = stepStarts(batch.get(i));
                if (unusable[i]) {
                    int row = next++;
                    out.set(offset + i, filled, row, starts, levels.of(filled.levels(row)), fallback.method(),
                            fallbackMethod);
                    metrics.fallback(NON_FINITE);
                } else {
                    out.set(offset + i, predicted, i, starts, levels.of(predicted.levels(i)), lease.version(),
                            method);
                }
            }
        }

        private void fallBack(List<SeriesHistory> batch, int offset, String reason, ForecastBatch out) {
            ForecastBlock block = fallback.forecastBlock(batch, horizon);
            String method = fallbackMethod(reason);
            for (int i = 0; i < batch.size(); i++) {
                out.set(offset + i, block, i, stepStarts(batch.get(i)), levels.of(block.levels(i)),
                        fallback.method(), method);
            }
            metrics.fallback(reason, batch.size());
        }
    }

    private boolean usable(ForecastBlock block, int i, SeriesHistory history) {
        return history.series().equals(block.series(i)) && block.horizon(i) >= horizon && block.isFinite(i, horizon);
    }
}
