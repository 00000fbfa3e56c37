package io.demandcast.app.alerts;

/**
 * How restock alerts are computed.
 * @param horizon        buckets a forecast reaches: a lead time beyond it is refused
 * @param reviewBuckets  buckets between two looks at the stock: an order covers the lead time plus these
 * @param stepCorrelation the correlation of the buckets' demand in the sampled paths ({@link LeadTimeDemand})
 * @param samples        paths sampled per evaluation
 */
public record RestockPolicy(int horizon, int reviewBuckets, double stepCorrelation, int samples) {

    /** Measured on the Online Retail replay (BENCHMARKS.md, restock calibration). */
    public static final double STEP_CORRELATION = 0.25;
    public static final int SAMPLES = 2000;

    public RestockPolicy {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon: expected >= 1, got " + horizon);
        }
        if (reviewBuckets < 0) {
            throw new IllegalArgumentException("review buckets: expected >= 0, got " + reviewBuckets);
        }
        if (!(stepCorrelation >= 0 && stepCorrelation <= 1)) {
            throw new IllegalArgumentException("step correlation: expected 0..1, got " + stepCorrelation);
        }
        if (samples < 100) {
            throw new IllegalArgumentException("samples: expected >= 100, got " + samples);
        }
    }

    /** One review bucket, the measured correlation, {@link #SAMPLES} paths. */
    public static RestockPolicy forHorizon(int horizon) {
        return new RestockPolicy(horizon, 1, STEP_CORRELATION, SAMPLES);
    }
}
