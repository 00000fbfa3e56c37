package io.demandcast.app.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The meters of one running pipeline, shared by its stream threads: what the intake, the bucket closes, the forecast
 * cycles and the restock processor count and time, as Micrometer meters in the registry it is given. Counters only go
 * up; gauges (series active, model in service) are set. The readers ({@link #recordsIn()} and so on) serve tests,
 * benches and progress lines; scrapes read the registry.
 *
 * <p>Names are Micrometer's dotted form of the Prometheus names: {@code demandcast.records.in} is scraped as
 * {@code demandcast_records_in_total}, the timer {@code demandcast.forecast.cycle} as
 * {@code demandcast_forecast_cycle_seconds}.
 */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final Counter recordsIn;
    private final Counter ordersAccepted;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Counter lateRecords;
    private final Counter registryUnavailable;
    private final Counter bucketsClosed;
    private final Counter actualsPublished;
    private final Counter forecastsPublished;
    private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();
    private final Counter seriesRetired;
    private final Map<String, Long> seriesActiveByTask = new ConcurrentHashMap<>();
    private final Counter restockRaised;
    private final Counter restockCleared;
    private final Timer cycle;
    private final Timer inferenceLatency;
    private final DistributionSummary batchSize;
    /** Since start, unlike the summary's {@code _max}, which forgets after {@link Distributions#QUANTILE_WINDOW}. */
    private final AtomicLong maxBatchSize = new AtomicLong();
    private final MultiGauge modelInfo;
    private final AtomicReference<String> modelVersion = new AtomicReference<>();

    /** Meters in a registry of their own, which nothing scrapes: for tests and benches. */
    public PipelineMetrics() {
        this(new SimpleMeterRegistry());
    }

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        recordsIn = counter("demandcast.records.in", "Records read from the orders topic.");
        ordersAccepted = counter("demandcast.orders.accepted", "Orders that passed validation.");
        lateRecords = counter("demandcast.late.records", "Sales that fell in an already closed bucket.");
        registryUnavailable = counter("demandcast.registry.unavailable.retries", "Attempts to read a record that "
                + "failed because the schema registry was unavailable; the processor waits and tries again.");
        bucketsClosed = counter("demandcast.buckets.closed", "Bucket closes (one per task and bucket).");
        actualsPublished = counter("demandcast.actuals.published", "Closed buckets published on sales-actuals.");
        forecastsPublished = counter("demandcast.forecasts.published", "Forecasts published.");
        seriesRetired = counter("demandcast.series.retired", "Series dropped after staying silent.");
        restockRaised = counter("demandcast.restock.alerts.raised",
                "Restock alerts raised: a product's inventory position fell below its reorder point.");
        restockCleared = counter("demandcast.restock.alerts.cleared",
                "Restock alerts cleared: a raised product is back at or above its reorder point.");
        Gauge.builder("demandcast.series.active", this, PipelineMetrics::seriesActive)
                .description("Series held by this instance's tasks after their last bucket close.")
                .register(registry);
        cycle = Distributions.timer(registry, "demandcast.forecast.cycle",
                "Time of one forecast cycle: a task's bucket close, from the first history to the last forecast.",
                Duration.ofMillis(1), Duration.ofMinutes(10));
        inferenceLatency = Distributions.timer(registry, "demandcast.inference.latency",
                "Time of one model call on a batch of series.", Duration.ofMillis(1), Duration.ofMinutes(1));
        batchSize = Distributions.summary(registry, "demandcast.inference.batch.size",
                "Series per model call.", 1, 65_536);
        modelInfo = MultiGauge.builder("demandcast.model.info")
                .description("The model in service (version \"none\": the fallback).")
                .register(registry);
        modelVersion("none");
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** The registry these meters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    public void recordIn() {
        recordsIn.increment();
    }

    public void orderAccepted() {
        ordersAccepted.increment();
    }

    public void deadLetter(String reason) {
        labelled(deadLetters, "demandcast.dead.letters", "Records sent to the dead-letter topic, by reason.", reason)
                .increment();
    }

    /** A record could not be read because the schema registry was unavailable: the processor tries it again. */
    public void registryUnavailable() {
        registryUnavailable.increment();
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
        fallback(reason, 1);
    }

    /** {@code count} forecasts made by the fallback for {@code reason}: a batch's, counted at once. */
    public void fallback(String reason, int count) {
        labelled(fallbacks, "demandcast.forecast.fallbacks", "Forecasts made by the fallback, by reason.", reason)
                .increment(count);
    }

    private Counter labelled(Map<String, Counter> byReason, String name, String description, String reason) {
        Counter c = byReason.get(reason);
        if (c == null) {
            c = byReason.computeIfAbsent(reason, r -> Counter.builder(name).description(description).tag("reason", r)
                    .register(registry));
        }
        return c;
    }

    public void seriesRetired() {
        seriesRetired.increment();
    }

    /** Series the given task holds after its last bucket close. */
    public void seriesActive(String task, long count) {
        seriesActiveByTask.put(task, count);
    }

    /** One forecast cycle (a task's bucket close) that took {@code nanos}. */
    public void cycle(long nanos) {
        cycle.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One call of the forecaster on {@code size} series that took {@code nanos}. */
    public void inference(int size, long nanos) {
        inferenceLatency.record(nanos, TimeUnit.NANOSECONDS);
        batchSize.record(size);
        maxBatchSize.accumulateAndGet(size, Math::max);
    }

    /** A product's inventory position fell below its reorder point: a RAISED record went to restock-alerts. */
    public void restockRaised() {
        restockRaised.increment();
    }

    /** A raised product is back at or above its reorder point: a CLEARED record went to restock-alerts. */
    public void restockCleared() {
        restockCleared.increment();
    }

    /** The model in service; {@code "none"} on the fallback. Called at every cycle, so a no-op unless it changed. */
    public void modelVersion(String version) {
        String v = String.valueOf(version);
        if (!v.equals(modelVersion.getAndSet(v))) {
            synchronized (modelInfo) {
                // Another thread may have set a newer version since: the gauge shows the latest.
                modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", modelVersion.get()), 1)), true);
            }
        }
    }

    public long registryUnavailableCount() {
        return (long) registryUnavailable.count();
    }

    public long restockRaisedCount() {
        return (long) restockRaised.count();
    }

    public long restockClearedCount() {
        return (long) restockCleared.count();
    }

    public long recordsIn() {
        return (long) recordsIn.count();
    }

    public long ordersAccepted() {
        return (long) ordersAccepted.count();
    }

    public long deadLetters(String reason) {
        Counter c = deadLetters.get(reason);
        return c == null ? 0 : (long) c.count();
    }

    public long lateRecords() {
        return (long) lateRecords.count();
    }

    public long bucketsClosed() {
        return (long) bucketsClosed.count();
    }

    public long forecastsPublished() {
        return (long) forecastsPublished.count();
    }

    public long actualsPublished() {
        return (long) actualsPublished.count();
    }

    public long fallbacks(String reason) {
        Counter c = fallbacks.get(reason);
        return c == null ? 0 : (long) c.count();
    }

    public long seriesActive() {
        return seriesActiveByTask.values().stream().mapToLong(Long::longValue).sum();
    }

    public long seriesRetiredCount() {
        return (long) seriesRetired.count();
    }

    public long inferenceBatches() {
        return batchSize.count();
    }

    /** Time spent in model calls since start. */
    public Duration inferenceTime() {
        return Duration.ofNanos((long) inferenceLatency.totalTime(TimeUnit.NANOSECONDS));
    }

    /** Forecast cycles timed since start. */
    public long cycles() {
        return cycle.count();
    }

    /** The largest batch since start. */
    public long maxBatchSize() {
        return maxBatchSize.get();
    }

    public String modelVersion() {
        return modelVersion.get();
    }

    /** The counters by a dotted name, for log lines and bench reports (scrapes read the registry). */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new TreeMap<>();
        m.put("records.in", recordsIn());
        m.put("orders.accepted", ordersAccepted());
        deadLetters.forEach((r, c) -> m.put("dlq." + r, (long) c.count()));
        m.put("records.late", lateRecords());
        m.put("records.registry.unavailable", registryUnavailableCount());
        m.put("buckets.closed", bucketsClosed());
        m.put("actuals.published", actualsPublished());
        m.put("forecasts.published", forecastsPublished());
        fallbacks.forEach((r, c) -> m.put("forecasts.fallback." + r, (long) c.count()));
        m.put("series.active", seriesActive());
        m.put("series.retired", seriesRetiredCount());
        m.put("inference.batches", inferenceBatches());
        m.put("inference.series", (long) batchSize.totalAmount());
        m.put("inference.batch.size.max", maxBatchSize());
        m.put("inference.seconds", inferenceLatency.totalTime(TimeUnit.SECONDS));
        m.put("cycles", cycles());
        m.put("restock.raised", restockRaisedCount());
        m.put("restock.cleared", restockClearedCount());
        m.put("model.version", modelVersion());
        return m;
    }
}
