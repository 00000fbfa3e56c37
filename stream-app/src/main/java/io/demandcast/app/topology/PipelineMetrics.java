package io.demandcast.app.topology;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one running pipeline, shared by its stream threads and read by REST/metrics endpoints.
 * Counters only go up; gauges (series active, model version) are set. {@link #snapshot()} is the export form.
 */
public final class PipelineMetrics {

    private final LongAdder recordsIn = new LongAdder();
    private final LongAdder ordersAccepted = new LongAdder();
    private final Map<String, LongAdder> deadLetters = new ConcurrentHashMap<>();
    private final LongAdder lateRecords = new LongAdder();
    private final LongAdder registryUnavailable = new LongAdder();
    private final LongAdder bucketsClosed = new LongAdder();
    private final LongAdder actualsPublished = new LongAdder();
    private final LongAdder forecastsPublished = new LongAdder();
    private final Map<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
    private final LongAdder seriesRetired = new LongAdder();
    private final Map<String, Long> seriesActiveByTask = new ConcurrentHashMap<>();
    private final LongAdder inferenceBatches = new LongAdder();
    private final LongAdder inferenceSeries = new LongAdder();
    private final LongAdder inferenceNanos = new LongAdder();
    private final AtomicLong maxBatchSize = new AtomicLong();
    private final AtomicLong maxInferenceNanos = new AtomicLong();
    private final LongAdder restockRaised = new LongAdder();
    private final LongAdder restockCleared = new LongAdder();
    private final AtomicReference<String> modelVersion = new AtomicReference<>("none");

    public void recordIn() {
        recordsIn.increment();
    }

    public void orderAccepted() {
        ordersAccepted.increment();
    }

    public void deadLetter(String reason) {
        deadLetters.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** An order could not be read because the schema registry was unavailable: the intake tries it again. */
    public void registryUnavailable() {
        registryUnavailable.increment();
    }

    public long registryUnavailableCount() {
        return registryUnavailable.sum();
    }

    public void lateRecord() {
        lateRecords.increment();
    }

    public void bucketClosed() {
        bucketsClosed.increment();
    }

    public void actualPublished() {
        actualsPublished.increment();
    }

    public void forecastPublished() {
        forecastsPublished.increment();
    }

    public void fallback(String reason) {
        fallbacks.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public void seriesRetired() {
        seriesRetired.increment();
    }

    /** Series the given task holds after its last bucket close. */
    public void seriesActive(String task, long count) {
        seriesActiveByTask.put(task, count);
    }

    /** One call of the forecaster on {@code size} series that took {@code nanos}. */
    public void inference(int size, long nanos) {
        inferenceBatches.increment();
        inferenceSeries.add(size);
        inferenceNanos.add(nanos);
        maxBatchSize.accumulateAndGet(size, Math::max);
        maxInferenceNanos.accumulateAndGet(nanos, Math::max);
    }

    /** A product's inventory position fell below its reorder point: a RAISED record went to restock-alerts. */
    public void restockRaised() {
        restockRaised.increment();
    }

    /** A raised product is back at or above its reorder point: a CLEARED record went to restock-alerts. */
    public void restockCleared() {
        restockCleared.increment();
    }

    public long restockRaisedCount() {
        return restockRaised.sum();
    }

    public long restockClearedCount() {
        return restockCleared.sum();
    }

    public void modelVersion(String version) {
        modelVersion.set(version);
    }

    public long recordsIn() {
        return recordsIn.sum();
    }

    public long ordersAccepted() {
        return ordersAccepted.sum();
    }

    public long deadLetters(String reason) {
        LongAdder a = deadLetters.get(reason);
        return a == null ? 0 : a.sum();
    }

    public long lateRecords() {
        return lateRecords.sum();
    }

    public long bucketsClosed() {
        return bucketsClosed.sum();
    }

    public long forecastsPublished() {
        return forecastsPublished.sum();
    }

    public long actualsPublished() {
        return actualsPublished.sum();
    }

    public long fallbacks(String reason) {
        LongAdder a = fallbacks.get(reason);
        return a == null ? 0 : a.sum();
    }

    public long seriesActive() {
        return seriesActiveByTask.values().stream().mapToLong(Long::longValue).sum();
    }

    public long seriesRetiredCount() {
        return seriesRetired.sum();
    }

    public long inferenceBatches() {
        return inferenceBatches.sum();
    }

    public long maxBatchSize() {
        return maxBatchSize.get();
    }

    public String modelVersion() {
        return modelVersion.get();
    }

    /** Every metric by a stable dotted name, for a metrics endpoint. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new TreeMap<>();
        m.put("records.in", recordsIn.sum());
        m.put("orders.accepted", ordersAccepted.sum());
        deadLetters.forEach((r, a) -> m.put("dlq." + r, a.sum()));
        m.put("records.late", lateRecords.sum());
        m.put("records.registry.unavailable", registryUnavailable.sum());
        m.put("buckets.closed", bucketsClosed.sum());
        m.put("actuals.published", actualsPublished.sum());
        m.put("forecasts.published", forecastsPublished.sum());
        fallbacks.forEach((r, a) -> m.put("forecasts.fallback." + r, a.sum()));
        m.put("series.active", seriesActive());
        m.put("series.retired", seriesRetired.sum());
        long batches = inferenceBatches.sum();
        m.put("inference.batches", batches);
        m.put("inference.series", inferenceSeries.sum());
        m.put("inference.batch.size.max", maxBatchSize.get());
        m.put("inference.batch.size.mean", batches == 0 ? 0.0 : (double) inferenceSeries.sum() / batches);
        m.put("inference.latency.ms.mean", batches == 0 ? 0.0 : inferenceNanos.sum() / 1e6 / batches);
        m.put("inference.latency.ms.max", maxInferenceNanos.get() / 1e6);
        m.put("restock.raised", restockRaised.sum());
        m.put("restock.cleared", restockCleared.sum());
        m.put("model.version", modelVersion.get());
        return m;
    }
}
