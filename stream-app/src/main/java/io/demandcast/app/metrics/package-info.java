/**
 * What an instance measures and exports on {@code GET /metrics}: {@link io.demandcast.app.metrics.PipelineMetrics},
 * the meters the intake, bucket closes, forecast cycles and restock processor update, and
 * {@link io.demandcast.app.metrics.InstanceMetrics}, the Prometheus registry they live in beside the trainer's
 * counters and the Kafka Streams binder. The package imports no other package of the app, so that every processor
 * can use it without a cycle.
 */
package io.demandcast.app.metrics;
