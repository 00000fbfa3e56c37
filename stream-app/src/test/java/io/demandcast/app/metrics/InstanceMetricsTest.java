package io.demandcast.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceMetricsTest {

    private final InstanceMetrics metrics = new InstanceMetrics();
    private final PipelineMetrics pipeline = metrics.pipeline();

    @AfterEach
    void close() {
        metrics.close();
    }

    private PrometheusScrape scrape() {
        return PrometheusScrape.parse(metrics.scrape());
    }

    @Test
    void everyPipelineMetricIsExportedTypedBeforeAnythingHappens() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("demandcast_records_in_total", "counter"),
                Map.entry("demandcast_orders_accepted_total", "counter"),
                Map.entry("demandcast_late_records_total", "counter"),
                Map.entry("demandcast_registry_unavailable_retries_total", "counter"),
                Map.entry("demandcast_buckets_closed_total", "counter"),
                Map.entry("demandcast_actuals_published_total", "counter"),
                Map.entry("demandcast_forecasts_published_total", "counter"),
                Map.entry("demandcast_series_retired_total", "counter"),
                Map.entry("demandcast_restock_alerts_raised_total", "counter"),
                Map.entry("demandcast_restock_alerts_cleared_total", "counter"),
                Map.entry("demandcast_series_active", "gauge"),
                Map.entry("demandcast_model_info", "gauge"),
                Map.entry("demandcast_forecast_cycle_seconds", "histogram"),
                Map.entry("demandcast_forecast_cycle_quantile_seconds", "gauge"),
                Map.entry("demandcast_inference_latency_seconds", "histogram"),
                Map.entry("demandcast_inference_latency_seconds_max", "gauge"),
                Map.entry("demandcast_inference_batch_size", "histogram"),
                Map.entry("demandcast_inference_batch_size_max", "gauge"));
        PrometheusScrape s = scrape();

        assertThat(s.types()).containsAllEntriesOf(expected);
        assertThat(s.value("demandcast_records_in_total")).hasValue(0);
        assertThat(s.value("demandcast_model_info{version=\"none\"}")).hasValue(1);
    }

    @Test
    void countersEndInTotalAndNothingIsUntyped() {
        pipeline.deadLetter("late");
        pipeline.fallback("no_model");
        pipeline.inference(10, 1_000_000);
        pipeline.cycle(5_000_000);
        PrometheusScrape s = scrape();

        assertThat(s.types()).allSatisfy((family, type) -> {
            assertThat(type).as(family).isIn("counter", "gauge", "histogram", "summary");
            if (type.equals("counter")) {
                assertThat(family).endsWith("_total");
            }
        });
        // Durations in seconds, the base unit: a timer named in ms or ns would break every dashboard.
        assertThat(s.types().keySet().stream().filter(f -> f.contains("latency") || f.contains("cycle")))
                .allMatch(f -> f.contains("_seconds"));
    }

    @Test
    void countersCountAndReasonsAreLabels() {
        for (int i = 0; i < 3; i++) {
            pipeline.recordIn();
        }
        pipeline.deadLetter("bad-quantity");
        pipeline.deadLetter("late");
        pipeline.deadLetter("late");
        pipeline.fallback("no_model");
        pipeline.restockRaised();
        PrometheusScrape s = scrape();

        assertThat(s.value("demandcast_records_in_total")).hasValue(3);
        assertThat(s.value("demandcast_dead_letters_total{reason=\"bad-quantity\"}")).hasValue(1);
        assertThat(s.value("demandcast_dead_letters_total{reason=\"late\"}")).hasValue(2);
        assertThat(s.value("demandcast_forecast_fallbacks_total{reason=\"no_model\"}")).hasValue(1);
        assertThat(s.value("demandcast_restock_alerts_raised_total")).hasValue(1);
        assertThat(pipeline.recordsIn()).isEqualTo(3);
        assertThat(pipeline.deadLetters("late")).isEqualTo(2);
        assertThat(pipeline.deadLetters("never")).isZero();
    }

    @Test
    void batchesAreCountedAndSummedByTheBatchSizeSummary() {
        pipeline.inference(200, 50_000_000L);
        pipeline.inference(100, 150_000_000L);
        PrometheusScrape s = scrape();

        // The old demandcast_inference_batches_total and _series_total are the summary's _count and _sum.
        assertThat(s.value("demandcast_inference_batch_size_count")).hasValue(2);
        assertThat(s.value("demandcast_inference_batch_size_sum")).hasValue(300);
        assertThat(s.value("demandcast_inference_batch_size_max")).hasValue(200);
        assertThat(s.value("demandcast_inference_latency_seconds_count")).hasValue(2);
        assertThat(s.value("demandcast_inference_latency_seconds_sum").getAsDouble()).isEqualTo(0.2);
        assertThat(s.value("demandcast_inference_latency_seconds_max")).hasValue(0.15);
        assertThat(pipeline.inferenceBatches()).isEqualTo(2);
        assertThat(pipeline.maxBatchSize()).isEqualTo(200);
        assertThat(pipeline.inferenceTime().toMillis()).isEqualTo(200);
    }

    @Test
    void theModelInfoNamesOnlyTheModelInService() {
        pipeline.modelVersion("lstm-1");
        pipeline.modelVersion("lstm-2026-01-01 \"b\"");
        pipeline.modelVersion("lstm-2026-01-01 \"b\"");
        PrometheusScrape s = scrape();

        assertThat(s.values("demandcast_model_info")).containsExactly(1.0);
        assertThat(s.value("demandcast_model_info{version=\"lstm-2026-01-01 \\\"b\\\"\"}")).hasValue(1);
        assertThat(pipeline.modelVersion()).isEqualTo("lstm-2026-01-01 \"b\"");
    }

    @Test
    void seriesActiveAddsUpTheTasksLatestCounts() {
        pipeline.seriesActive("0_0", 10);
        pipeline.seriesActive("0_1", 5);
        pipeline.seriesActive("0_0", 7);

        assertThat(scrape().value("demandcast_series_active")).hasValue(12);
    }

    @Test
    void theKafkaStreamsBinderExportsTheClientsThreadMetrics(@TempDir Path state) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "binder-test");
        // Never started: the client registers its thread metrics when built, and connects only on start.
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            metrics.bindStreams(streams);
            PrometheusScrape s = scrape();

            assertThat(s.type("kafka_stream_thread_process_total")).isEqualTo("counter");
            assertThat(s.values("kafka_stream_thread_process_total")).as(s.toString()).hasSize(2);
            assertThat(s.values("kafka_stream_thread_commit_latency_avg")).hasSize(2);
            assertThat(s.types().keySet()).anyMatch(f -> f.startsWith("kafka_consumer_"));
        }
    }
}
