package io.demandcast.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributionsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Timer timer() {
        return Distributions.timer(registry, "test.cycle", "A cycle.", Duration.ofMillis(1), Duration.ofMinutes(1));
    }

    @Test
    void aTimerIsScrapedAsAHistogramInSecondsBesideItsQuantiles() {
        Timer t = timer();
        for (int ms = 1; ms <= 100; ms++) {
            t.record(Duration.ofMillis(ms));
        }
        PrometheusScrape s = PrometheusScrape.parse(registry.scrape());

        assertThat(s.type("test_cycle_seconds")).isEqualTo("histogram");
        assertThat(s.value("test_cycle_seconds_count")).hasValue(100);
        assertThat(s.value("test_cycle_seconds_sum").getAsDouble()).isCloseTo(5.05, within(1e-9));
        assertThat(s.type("test_cycle_quantile_seconds")).isEqualTo("gauge");
        // Micrometer's quantiles are estimates from its histogram: within a few percent.
        assertThat(s.value("test_cycle_quantile_seconds{quantile=\"0.5\"}").getAsDouble())
                .isCloseTo(0.050, within(0.005));
        assertThat(s.value("test_cycle_quantile_seconds{quantile=\"0.9\"}").getAsDouble())
                .isCloseTo(0.090, within(0.009));
        assertThat(s.value("test_cycle_quantile_seconds{quantile=\"0.99\"}").getAsDouble())
                .isCloseTo(0.099, within(0.01));
    }

    @Test
    void histogramBucketsAreCumulativeAndEndAtTheCount() {
        Timer t = timer();
        for (long ms : new long[] {2, 30, 30, 400, 5_000}) {
            t.record(Duration.ofMillis(ms));
        }
        PrometheusScrape s = PrometheusScrape.parse(registry.scrape());
        List<double[]> buckets = new ArrayList<>();
        for (Map.Entry<String, Double> e : s.samples().entrySet()) {
            if (e.getKey().startsWith("test_cycle_seconds_bucket{le=\"")) {
                String le = e.getKey().substring("test_cycle_seconds_bucket{le=\"".length(), e.getKey().length() - 2);
                buckets.add(new double[] {le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                        e.getValue()});
            }
        }
        buckets.sort((a, b) -> Double.compare(a[0], b[0]));

        assertThat(buckets.size()).as("buckets between 1 ms and a minute").isGreaterThan(10);
        assertThat(buckets.get(0)[0]).isLessThanOrEqualTo(0.002);
        for (int i = 1; i < buckets.size(); i++) {
            assertThat(buckets.get(i)[1]).isGreaterThanOrEqualTo(buckets.get(i - 1)[1]);
        }
        assertThat(buckets.get(buckets.size() - 1)[1]).isEqualTo(5);
        // Two of the five took 30 ms: a bucket bound in [30 ms, 60 ms) holds the first three.
        assertThat(buckets).anySatisfy(b -> {
            assertThat(b[0]).isBetween(0.030, 0.060);
            assertThat(b[1]).isEqualTo(3);
        });
    }

    @Test
    void quantilesAreNotANumberBeforeTheFirstObservation() {
        Timer t = timer();
        PrometheusScrape s = PrometheusScrape.parse(registry.scrape());
        assertThat(s.value("test_cycle_quantile_seconds{quantile=\"0.99\"}")).hasValue(Double.NaN);
        assertThat(Distributions.quantile(t, 0.5, v -> v.value())).isNaN();
    }

    @Test
    void aSummaryHasNoUnitInItsNames() {
        DistributionSummary size = Distributions.summary(registry, "test.batch.size", "Series per call.", 1, 4096);
        size.record(200);
        size.record(100);
        PrometheusScrape s = PrometheusScrape.parse(registry.scrape());

        assertThat(s.type("test_batch_size")).isEqualTo("histogram");
        assertThat(s.value("test_batch_size_count")).hasValue(2);
        assertThat(s.value("test_batch_size_sum")).hasValue(300);
        assertThat(s.value("test_batch_size_max")).hasValue(200);
        assertThat(s.value("test_batch_size_quantile{quantile=\"0.5\"}").getAsDouble()).isCloseTo(100, within(10.0));
    }

    @Test
    void quantileLabelsAreWrittenAsPrometheusSummariesWriteThem() {
        assertThat(Distributions.label(0.5)).isEqualTo("0.5");
        assertThat(Distributions.label(0.9)).isEqualTo("0.9");
        assertThat(Distributions.label(0.99)).isEqualTo("0.99");
    }
}
