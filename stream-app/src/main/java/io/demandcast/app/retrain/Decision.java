package io.demandcast.app.retrain;

/** What became of a candidate; the label is the metric's name. */
public enum Decision {
    /** Better than the champion by the margin, every output finite: published as the new champion. */
    PROMOTED("promoted"),
    /** Not better than the champion by the margin (or its MASE is undefined). */
    REJECTED_WORSE("rejected_worse"),
    /** Returned a non-finite value (or failed) on the held-out buckets. */
    REJECTED_NON_FINITE("rejected_non_finite");

    private final String label;

    Decision(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
