package io.demandcast.app.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything one running instance exports on {@code GET /metrics}, in one Prometheus registry: the pipeline's
 * meters ({@link #pipeline()}), those of another role it holds (the trainer's, {@link #bind}) and the Kafka Streams
 * client's own metrics ({@link #bindStreams}), scraped as {@code kafka_stream_*}, {@code kafka_consumer_*} and so on.
 *
 * <pre>{@code
 * InstanceMetrics metrics = new InstanceMetrics();
 * Topology topology = ForecastTopology.build(config, topics, models, metrics.pipeline());
 * KafkaStreams streams = new KafkaStreams(topology, props);
 * metrics.bindStreams(streams);
 * String text = metrics.scrape();
 * }</pre>
 */
public final class InstanceMetrics implements AutoCloseable {

    /** The Prometheus text exposition format, version 0.0.4, which {@link #scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics pipeline = new PipelineMetrics(registry);
    private final List<KafkaStreamsMetrics> streams = new ArrayList<>();

    public PipelineMetrics pipeline() {
        return pipeline;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Adds the meters of {@code binder}, e.g. the trainer role's. */
    public void bind(MeterBinder binder) {
        binder.bindTo(registry);
    }

    /**
     * Exports the metrics of a Kafka Streams client (its threads, tasks, consumers and producers). Bind it before it
     * starts: the binder finds the metrics its threads add later on its next refresh, once a minute.
     */
    public synchronized void bindStreams(KafkaStreams kafkaStreams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(kafkaStreams);
        binder.bindTo(registry);
        streams.add(binder);
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /** Stops the Kafka Streams binders' refresh and the registry. */
    @Override
    public synchronized void close() {
        streams.forEach(KafkaStreamsMetrics::close);
        streams.clear();
        registry.close();
    }
}
