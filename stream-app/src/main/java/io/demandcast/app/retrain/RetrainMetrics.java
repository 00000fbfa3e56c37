package io.demandcast.app.retrain;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the trainer role, read by the metrics endpoint ({@link #snapshot()}). */
public final class RetrainMetrics {

    private final Map<Decision, LongAdder> decisions = new ConcurrentHashMap<>();
    private final LongAdder skippedBusy = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bucketsSeen = new LongAdder();
    private final AtomicReference<Double> lastCycleSeconds = new AtomicReference<>(0.0);

    void decided(Decision d, double seconds) {
        decisions.computeIfAbsent(d, k -> new LongAdder()).increment();
        lastCycleSeconds.set(seconds);
    }

    void skippedBusy() {
        skippedBusy.increment();
    }

    void failed() {
        failed.increment();
    }

    void bucketClosed(long n) {
        bucketsSeen.add(n);
    }

    public long count(Decision d) {
        LongAdder a = decisions.get(d);
        return a == null ? 0 : a.sum();
    }

    /** Every decision made so far. */
    public long decisions() {
        return decisions.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Cycles that failed before a decision (the champion could not be loaded, training threw). */
    public long failures() {
        return failed.sum();
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new TreeMap<>();
        for (Decision d : Decision.values()) {
            m.put("retrain.decisions." + d.label(), count(d));
        }
        m.put("retrain.failed", failed.sum());
        m.put("retrain.deferred.busy", skippedBusy.sum());
        m.put("retrain.buckets.closed", bucketsSeen.sum());
        m.put("retrain.last.cycle.seconds", lastCycleSeconds.get());
        return m;
    }
}
