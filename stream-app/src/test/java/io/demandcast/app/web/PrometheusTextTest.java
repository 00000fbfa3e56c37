package io.demandcast.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.topology.PipelineMetrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void countersGaugesAndLabelsInTheExpositionFormat() {
        PipelineMetrics m = new PipelineMetrics();
        for (int i = 0; i < 3; i++) {
            m.recordIn();
        }
        m.deadLetter("bad-quantity");
        m.deadLetter("late");
        m.deadLetter("late");
        m.inference(200, 50_000_000L);
        m.inference(100, 150_000_000L);
        m.modelVersion("lstm-2026-01-01 \"b\"");
        String text = PrometheusText.render(m, Map.of());
        List<String> lines = text.lines().toList();
        assertThat(lines).contains(
                "# TYPE demandcast_records_in_total counter",
                "demandcast_records_in_total 3",
                "demandcast_dead_letters_total{reason=\"bad-quantity\"} 1",
                "demandcast_dead_letters_total{reason=\"late\"} 2",
                "demandcast_inference_batch_size_mean 150",
                "demandcast_inference_batch_size_max 200",
                "demandcast_inference_latency_seconds_max 0.15",
                "demandcast_model_info{version=\"lstm-2026-01-01 \\\"b\\\"\"} 1");
        // Each family is declared once, before its samples.
        assertThat(lines.stream().filter(l -> l.startsWith("# TYPE demandcast_dead_letters_total"))).hasSize(1);
        assertThat(lines).allMatch(l -> l.startsWith("#") || l.matches("[a-z_]+(\\{.*\\})? [-+0-9.eEInfNa]+"));
    }

    @Test
    void theTrainerRoleCountersComeOutBesideThePipelines() {
        String text = PrometheusText.render(new PipelineMetrics(),
                Map.of("retrain.decisions.promoted", 2L, "retrain.decisions.rejected_worse", 5L), Map.of());
        assertThat(text.lines().toList()).contains(
                "demandcast_retrain_decisions_promoted 2",
                "demandcast_retrain_decisions_rejected_worse 5");
    }
}
