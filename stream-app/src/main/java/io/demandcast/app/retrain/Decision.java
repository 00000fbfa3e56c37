package io.demandcast.app.retrain;

/** What became of a candidate; the label is the metric's name. */
public enum Decision {
    /** Better than the champion by the margin, every output finite: published as the new champion. */
    PROMOTED("promoted"),
    /** No better than the champion (its MASE is at or above the champion's, or undefined). */
    REJECTED_WORSE("rejected_worse"),
    /** Better than the champion, but not by the margin: kept out so that noise does not churn releases. */
    REJECTED_UNDER_MARGIN("rejected_under_margin"),
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
