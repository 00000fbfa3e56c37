package io.demandcast.app.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.metrics.PrometheusScrape;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class RetrainMetricsTest {

    @Test
    void decisionsAreOneCounterLabelledByDecisionAndCountFromTheRolesStart() {
        RetrainMetrics m = new RetrainMetrics();
        // The role counts before the instance binds it to its registry.
        m.decided(Decision.PROMOTED, 1.5);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        m.bindTo(registry);
        m.decided(Decision.PROMOTED, 2.0);
        m.decided(Decision.REJECTED_WORSE, 42.25);
        m.failed();
        m.skippedBusy();
        m.skippedShort();
        m.skippedShort();
        m.bucketClosed(7);
        PrometheusScrape s = PrometheusScrape.parse(registry.scrape());

        assertThat(s.type("demandcast_retrain_decisions_total")).isEqualTo("counter");
        assertThat(s.value("demandcast_retrain_decisions_total{decision=\"promoted\"}")).hasValue(2);
        assertThat(s.value("demandcast_retrain_decisions_total{decision=\"rejected_worse\"}")).hasValue(1);
        assertThat(s.value("demandcast_retrain_decisions_total{decision=\"rejected_non_finite\"}")).hasValue(0);
        assertThat(s.value("demandcast_retrain_failed_total")).hasValue(1);
        assertThat(s.value("demandcast_retrain_deferred_busy_total")).hasValue(1);
        assertThat(s.value("demandcast_retrain_skipped_short_total")).hasValue(2);
        assertThat(s.value("demandcast_retrain_buckets_closed_total")).hasValue(7);
        assertThat(s.type("demandcast_retrain_last_cycle_seconds")).isEqualTo("gauge");
        assertThat(s.value("demandcast_retrain_last_cycle_seconds")).hasValue(42.25);
        assertThat(m.decisions()).isEqualTo(3);
    }
}
