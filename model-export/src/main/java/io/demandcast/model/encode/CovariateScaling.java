package io.demandcast.model.encode;

import java.util.Collection;
import java.util.Locale;

/**
 * How the graph scales one covariate. The encoder always passes covariates raw, in natural units; the scaling is
 * applied inside the model graph, per window, so that serving never rescales by hand.
 *
 * <ul>
 *   <li>{@link #FLAG}: values used as they are. Chosen when every training value is 0 or 1 (a promotion flag, a
 *   holiday marker): dividing a rare flag by its mean would turn it into a huge number.</li>
 *   <li>{@link #RELATIVE}: value divided by its mean absolute value over the observed lookback of the same window,
 *   minus 1, clipped to [-10, 10]. Chosen for everything else (prices, discounts, temperatures): what moves demand
 *   is a price relative to the product's recent price, not its level in currency, and the ratio is comparable
 *   across products with prices of 1 and of 1000.</li>
 * </ul>
 */
public enum CovariateScaling {
    FLAG, RELATIVE;

    /** FLAG when every value is 0 or 1 (NaN ignored), RELATIVE otherwise. */
    public static CovariateScaling infer(Collection<double[]> values) {
        for (double[] series : values) {
            for (double v : series) {
                if (!Double.isNaN(v) && v != 0.0 && v != 1.0) {
                    return RELATIVE;
                }
            }
        }
        return FLAG;
    }

    /** The value a history that lacks this covariate gets: "no promotion" for a flag, "usual level" otherwise. */
    public double missingValue() {
        return this == FLAG ? 0.0 : 1.0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CovariateScaling parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("covariate scaling must be flag or relative; got '" + text + "'");
        }
    }
}
