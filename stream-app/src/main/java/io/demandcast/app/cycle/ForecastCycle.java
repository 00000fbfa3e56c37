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

    /** Receives the forecasts of {@link Run#forecast}, one per history, in the histories' order. */
    @FunctionalInterface
    public interface Output {
        /**
         * The forecast of history {@code index}. {@code steps} is a view valid during this call only: the cycle
         * moves it on to the next forecast.
         */
        void forecast(int index, ForecastEncoder.Steps steps, String modelVersion, String method);
    }

    /** One forecast per history, in the same order, as Avro records. */
    public List<Forecast> forecast(List<SeriesHistory> histories, Instant lastObservedBucket, long producedAt) {
        List<Forecast> out = new ArrayList<>(histories.size());
        long last = lastObservedBucket.toEpochMilli();
        try (Run run = start()) {
            run.forecast(histories, (i, steps, version, method) -> out.add(ForecastEncoder.record(
                    histories.get(i).series(), last, steps, version, method, producedAt)));
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
        private final Row row = new Row();

        private Run(ModelHandle.Lease lease, long startedNanos) {
            this.lease = lease;
            this.startedNanos = startedNanos;
        }

        /** Hands {@code out} one forecast per history, in the same order. */
        public void forecast(List<SeriesHistory> histories, Output out) {
            for (int from = 0; from < histories.size(); from += batchSize) {
                List<SeriesHistory> batch = histories.subList(from, Math.min(histories.size(), from + batchSize));
                forecastBatch(lease, batch, from, row, out);
            }
        }

        @Override
        public void close() {
            lease.close();
            metrics.cycle(System.nanoTime() - startedNanos);
        }
    }

    private void forecastBatch(ModelHandle.Lease lease, List<SeriesHistory> batch, int offset, Row row, Output out) {
        Forecaster model = lease.forecaster();
        if (model == null) {
            emitFallbacks(batch, offset, NO_MODEL, row, out);
            return;
        }
        ForecastBlock predicted;
        long t0 = System.nanoTime();
        try {
            predicted = model.forecastBlock(batch, horizon);
            if (predicted == null || predicted.size() != batch.size()) {
                throw new IllegalStateException("model " + lease.version() + " returned "
                        + (predicted == null ? "null" : predicted.size() + " forecasts") + " for " + batch.size()
                        + " series");
            }
        } catch (RuntimeException e) {
            LOG.warn("model {} failed on a batch of {} series; falling back", lease.version(), batch.size(), e);
            emitFallbacks(batch, offset, MODEL_ERROR, row, out);
            return;
        } finally {
            metrics.inference(batch.size(), System.nanoTime() - t0);
        }
        // Forecasts go out in input order: unusable ones are made by one fallback call and slotted in.
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
            if (unusable[i]) {
                out.forecast(offset + i, row.of(filled, next++, stepStarts(batch.get(i))), fallback.method(),
                        fallbackMethod);
                metrics.fallback(NON_FINITE);
            } else {
                out.forecast(offset + i, row.of(predicted, i, stepStarts(batch.get(i))), lease.version(), method);
            }
        }
    }

    private boolean usable(ForecastBlock block, int i, SeriesHistory history) {
        return history.series().equals(block.series(i)) && block.horizon(i) >= horizon && block.isFinite(i, horizon);
    }

    private void emitFallbacks(List<SeriesHistory> histories, int offset, String reason, Row row, Output out) {
        ForecastBlock block = fallback.forecastBlock(histories, horizon);
        String method = fallbackMethod(reason);
        for (int i = 0; i < histories.size(); i++) {
            out.forecast(offset + i, row.of(block, i, stepStarts(histories.get(i))), fallback.method(), method);
            metrics.fallback(reason);
        }
    }

    /**
     * One forecast of a block as the steps of the {@code forecasts} record: P10, P50 and P90 are the block's levels
     * nearest to 0.1, 0.5 and 0.9 (the first on a tie, as {@link io.demandcast.model.QuantileForecast#quantile}
     * picks), looked up once per levels array rather than per step.
     */
    private final class Row implements ForecastEncoder.Steps {
        private ForecastBlock block;
        private int i;
        private long[] starts;
        private double[] levels;
        private int p10;
        private int p50;
        private int p90;

        Row of(ForecastBlock block, int i, long[] starts) {
            this.block = block;
            this.i = i;
            this.starts = starts;
            double[] l = block.levels(i);
            if (l != levels) {
                levels = l;
                p10 = nearest(l, 0.1);
                p50 = nearest(l, 0.5);
                p90 = nearest(l, 0.9);
            }
            return this;
        }

        @Override
        public int count() {
            return horizon;
        }

        @Override
        public long bucketStart(int step) {
            return starts[step];
        }

        @Override
        public double p10(int step) {
            return block.value(i, step, p10);
        }

        @Override
        public double p50(int step) {
            return block.value(i, step, p50);
        }

        @Override
        public double p90(int step) {
            return block.value(i, step, p90);
        }
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
