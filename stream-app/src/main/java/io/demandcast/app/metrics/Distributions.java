package io.demandcast.app.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSupport;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Timers and distribution summaries that are exported both ways Prometheus users ask for: histogram buckets
 * ({@code _bucket{le=...}}), which add up across instances and serve {@code histogram_quantile}, and this instance's
 * own quantiles. A Prometheus family is either a histogram or a summary, never both, and Micrometer's Prometheus
 * registry then writes only the histogram; so the quantiles Micrometer keeps come out as a gauge family beside it,
 * {@code <name>_quantile[_<unit>]{quantile="0.99"}}.
 *
 * <p>The quantiles cover the last {@link #QUANTILE_WINDOW} or so: forecast cycles run once per bucket close, so a
 * shorter window would read zero between closes.
 */
public final class Distributions {

    /** The quantiles every distribution publishes. */
    public static final double[] QUANTILES = {0.5, 0.9, 0.99};
    /** How far back the client-side quantiles (and {@code _max}) look. */
    public static final Duration QUANTILE_WINDOW = Duration.ofHours(24);

    private Distributions() {
    }

    /** A timer in seconds with histogram buckets from {@code min} to {@code max} and its quantile gauges. */
    public static Timer timer(MeterRegistry registry, String name, String description, Duration min,
                              Duration max) {
        Timer timer = Timer.builder(name)
                .description(description)
                .publishPercentiles(QUANTILES)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .distributionStatisticExpiry(QUANTILE_WINDOW)
                .register(registry);
        registerQuantiles(registry, name, description, "seconds", timer, v -> v.value(TimeUnit.SECONDS));
        return timer;
    }

    /** A distribution summary (no unit) with histogram buckets from {@code min} to {@code max} and its quantiles. */
    public static DistributionSummary summary(MeterRegistry registry, String name, String description, double min,
                                              double max) {
        DistributionSummary summary = DistributionSummary.builder(name)
                .description(description)
                .publishPercentiles(QUANTILES)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .distributionStatisticExpiry(QUANTILE_WINDOW)
                .register(registry);
        registerQuantiles(registry, name, description, null, summary, ValueAtPercentile::value);
        return summary;
    }

    private static void registerQuantiles(MeterRegistry registry, String name, String description, String unit,
                                          HistogramSupport meter, ToDoubleFunction<ValueAtPercentile> value) {
        for (int i = 0; i < QUANTILES.length; i++) {
            double q = QUANTILES[i];
            Gauge.builder(name + ".quantile", meter, m -> quantile(m, q, value))
                    .description(description + " Quantile over the last " + QUANTILE_WINDOW.toHours()
                            + " hours, this instance only.")
                    .baseUnit(unit)
                    .tag("quantile", label(q))
                    .register(registry);
        }
    }

    /**
     * The value Micrometer holds for quantile {@code q} of {@code meter}, or NaN when it holds none: a gauge that read
     * 0 before the first observation would claim a latency of zero.
     */
    static double quantile(HistogramSupport meter, double q, ToDoubleFunction<ValueAtPercentile> value) {
        var snapshot = meter.takeSnapshot();
        if (snapshot.count() == 0) {
            return Double.NaN;
        }
        for (ValueAtPercentile v : snapshot.percentileValues()) {
            if (v.percentile() == q) {
                return value.applyAsDouble(v);
            }
        }
        return Double.NaN;
    }

    /** The {@code quantile} label as Prometheus summaries write it: {@code 0.5}, {@code 0.99}. */
    static String label(double q) {
        return String.format(Locale.ROOT, "%s", q);
    }
}
