package io.demandcast.app.web;

import io.demandcast.app.topology.PipelineMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The pipeline's metrics in the Prometheus text exposition format (version 0.0.4), plus a few cheap Kafka Streams
 * thread metrics. Names are {@code demandcast_*}; counters end in {@code _total}; a reason or a version is a label.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** A metric of the snapshot: its Prometheus name, type, help and the snapshot key's prefix for labelled ones. */
    private record Family(String name, String type, String help, String label, double scale) {
    }

    /** Snapshot keys (or key prefixes ending in '.') of {@link PipelineMetrics#snapshot()}. */
    private static final Map<String, Family> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put("records.in", new Family("demandcast_records_in_total", "counter",
                "Records read from the orders topic.", null, 1));
        FAMILIES.put("orders.accepted", new Family("demandcast_orders_accepted_total", "counter",
                "Orders that passed validation.", null, 1));
        FAMILIES.put("dlq.", new Family("demandcast_dead_letters_total", "counter",
                "Records sent to the dead-letter topic, by reason.", "reason", 1));
        FAMILIES.put("records.late", new Family("demandcast_late_records_total", "counter",
                "Sales that fell in an already closed bucket.", null, 1));
        FAMILIES.put("records.registry.unavailable", new Family("demandcast_registry_unavailable_retries_total",
                "counter", "Attempts to read an order that failed because the schema registry was unavailable; the "
                + "intake waits and tries again.", null, 1));
        FAMILIES.put("buckets.closed", new Family("demandcast_buckets_closed_total", "counter",
                "Bucket closes (one per task and bucket).", null, 1));
        FAMILIES.put("actuals.published", new Family("demandcast_actuals_published_total", "counter",
                "Closed buckets published on sales-actuals.", null, 1));
        FAMILIES.put("forecasts.published", new Family("demandcast_forecasts_published_total", "counter",
                "Forecasts published.", null, 1));
        FAMILIES.put("forecasts.fallback.", new Family("demandcast_forecast_fallbacks_total", "counter",
                "Forecasts made by the fallback, by reason.", "reason", 1));
        FAMILIES.put("series.active", new Family("demandcast_series_active", "gauge",
                "Series held by this instance's tasks after their last bucket close.", null, 1));
        FAMILIES.put("series.retired", new Family("demandcast_series_retired_total", "counter",
                "Series dropped after staying silent.", null, 1));
        FAMILIES.put("restock.raised", new Family("demandcast_restock_alerts_raised_total", "counter",
                "Restock alerts raised: a product's inventory position fell below its reorder point.", null, 1));
        FAMILIES.put("restock.cleared", new Family("demandcast_restock_alerts_cleared_total", "counter",
                "Restock alerts cleared: a raised product is back at or above its reorder point.", null, 1));
        FAMILIES.put("inference.batches", new Family("demandcast_inference_batches_total", "counter",
                "Calls of the model on a batch of series.", null, 1));
        FAMILIES.put("inference.series", new Family("demandcast_inference_series_total", "counter",
                "Series forecast by the model, all batches together.", null, 1));
        FAMILIES.put("inference.batch.size.mean", new Family("demandcast_inference_batch_size_mean", "gauge",
                "Mean series per model call.", null, 1));
        FAMILIES.put("inference.batch.size.max", new Family("demandcast_inference_batch_size_max", "gauge",
                "Largest batch so far.", null, 1));
        FAMILIES.put("inference.latency.ms.mean", new Family("demandcast_inference_latency_seconds_mean", "gauge",
                "Mean time of one model call.", null, 1e-3));
        FAMILIES.put("inference.latency.ms.max", new Family("demandcast_inference_latency_seconds_max", "gauge",
                "Longest model call so far.", null, 1e-3));
    }

    /** Kafka Streams thread metrics worth a scrape; reading them costs a map walk. */
    private static final Set<String> THREAD_METRICS = Set.of("process-total", "process-rate", "commit-total",
            "commit-latency-avg", "commit-latency-max", "poll-records-avg", "punctuate-total");

    private PrometheusText() {
    }

    public static String render(PipelineMetrics metrics, Map<MetricName, ? extends Metric> streamsMetrics) {
        return render(metrics, Map.of(), streamsMetrics);
    }

    /**
     * @param roleMetrics counters of another role of this instance (the trainer's {@code retrain.*}), written
     *                    untyped under {@code demandcast_<dotted name>}
     */
    public static String render(PipelineMetrics metrics, Map<String, Object> roleMetrics,
                                Map<MetricName, ? extends Metric> streamsMetrics) {
        StringBuilder out = new StringBuilder(4096);
        Map<String, Object> snapshot = new TreeMap<>(metrics.snapshot());
        Object version = snapshot.remove("model.version");
        for (Map.Entry<String, Family> e : FAMILIES.entrySet()) {
            String key = e.getKey();
            Family f = e.getValue();
            header(out, f.name(), f.type(), f.help());
            if (f.label() == null) {
                Object v = snapshot.remove(key);
                sample(out, f.name(), Map.of(), v == null ? 0.0 : ((Number) v).doubleValue() * f.scale());
            } else {
                for (String k : List.copyOf(snapshot.keySet())) {
                    if (k.startsWith(key)) {
                        Object v = snapshot.remove(k);
                        sample(out, f.name(), Map.of(f.label(), k.substring(key.length())),
                                ((Number) v).doubleValue() * f.scale());
                    }
                }
            }
        }
        header(out, "demandcast_model_info", "gauge", "The model in service (version \"none\": the fallback).");
        sample(out, "demandcast_model_info", Map.of("version", String.valueOf(version)), 1);
        // Metrics added to the snapshot later still come out, untyped, under their dotted name.
        snapshot.putAll(roleMetrics);
        snapshot.forEach((k, v) -> {
            if (v instanceof Number n) {
                String name = "demandcast_" + sanitize(k);
                header(out, name, "untyped", "Demandcast metric " + k);
                sample(out, name, Map.of(), n.doubleValue());
            }
        });
        streams(out, streamsMetrics);
        return out.toString();
    }

    private static void streams(StringBuilder out, Map<MetricName, ? extends Metric> streamsMetrics) {
        Map<String, StringBuilder> byName = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streamsMetrics.entrySet()) {
            MetricName m = e.getKey();
            if (!m.group().equals("stream-thread-metrics") || !THREAD_METRICS.contains(m.name())) {
                continue;
            }
            Object v = e.getValue().metricValue();
            if (!(v instanceof Number n)) {
                continue;
            }
            String name = "kafka_streams_thread_" + sanitize(m.name());
            StringBuilder samples = byName.computeIfAbsent(name, k -> new StringBuilder());
            sample(samples, name, Map.of("thread_id", m.tags().getOrDefault("thread-id", "")), n.doubleValue());
        }
        byName.forEach((name, samples) -> {
            header(out, name, "gauge", "Kafka Streams stream-thread-metrics " + name);
            out.append(samples);
        });
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, Map<String, String> labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
                out.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue()))
                        .append('"');
                first = false;
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String sanitize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
