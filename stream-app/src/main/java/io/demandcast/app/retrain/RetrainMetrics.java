package io.demandcast.app.retrain;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the trainer role. The role counts from its start; an instance that holds the role binds them to its
 * registry ({@link #bindTo}), where they are scraped as {@code demandcast_retrain_*}.
 */
public final class RetrainMetrics implements MeterBinder {

    private final Map<Decision, LongAdder> decisions = new EnumMap<>(Decision.class);
    private final LongAdder skippedBusy = new LongAdder();
    private final LongAdder skippedShort = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bucketsSeen = new LongAdder();
    private final AtomicLong lastCycleNanos = new AtomicLong();

    public RetrainMetrics() {
        for (Decision d : Decision.values()) {
            decisions.put(d, new LongAdder());
        }
    }

    void decided(Decision d, double seconds) {
        decisions.get(d).increment();
        lastCycleNanos.set((long) (seconds * 1e9));
    }

    void skippedBusy() {
        skippedBusy.increment();
    }

    void skippedShort() {
        skippedShort.increment();
    }

    void failed() {
        failed.increment();
    }

    void bucketClosed(long n) {
        bucketsSeen.add(n);
    }

    public long count(Decision d) {
        return decisions.get(d).sum();
    }

    /** Every decision made so far. */
    public long decisions() {
        return decisions.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Cycles that failed before a decision (the champion could not be loaded, training threw). */
    public long failures() {
        return failed.sum();
    }

    /** Cycles skipped because no series was longer than {@code retrain.eval.buckets} yet. */
    public long shortSkips() {
        return skippedShort.sum();
    }

    /** Closed buckets of {@code sales-actuals} read so far. */
    public long bucketsClosed() {
        return bucketsSeen.sum();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Decision d : Decision.values()) {
            LongAdder a = decisions.get(d);
            FunctionCounter.builder("demandcast.retrain.decisions", a, LongAdder::sum)
                    .description("Retrain cycles that ended in a decision, by decision.")
                    .tag("decision", d.label())
                    .register(registry);
        }
        FunctionCounter.builder("demandcast.retrain.failed", failed, LongAdder::sum)
                .description("Retrain cycles that failed before a decision.").register(registry);
        FunctionCounter.builder("demandcast.retrain.deferred.busy", skippedBusy, LongAdder::sum)
                .description("Retrain cycles that were due while the previous one still ran, and waited.")
                .register(registry);
        FunctionCounter.builder("demandcast.retrain.skipped.short", skippedShort, LongAdder::sum)
                .description("Retrain cycles skipped because no series was longer than retrain.eval.buckets yet.")
                .register(registry);
        FunctionCounter.builder("demandcast.retrain.buckets.closed", bucketsSeen, LongAdder::sum)
                .description("Closed buckets of sales-actuals the trainer has read.").register(registry);
        TimeGauge.builder("demandcast.retrain.last.cycle", lastCycleNanos, TimeUnit.NANOSECONDS, AtomicLong::get)
                .description("Duration of the last retrain cycle that ended in a decision.").register(registry);
    }

    /** The counters by a dotted name, for log lines and test messages (scrapes read the registry). */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new TreeMap<>();
        for (Decision d : Decision.values()) {
            m.put("retrain.decisions." + d.label(), count(d));
        }
        m.put("retrain.failed", failed.sum());
        m.put("retrain.deferred.busy", skippedBusy.sum());
        m.put("retrain.skipped.short", skippedShort.sum());
        m.put("retrain.buckets.closed", bucketsSeen.sum());
        m.put("retrain.last.cycle.seconds", lastCycleNanos.get() / 1e9);
        return m;
    }
}
