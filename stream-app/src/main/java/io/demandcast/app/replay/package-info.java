/**
 * Replays into and out of Kafka: {@link io.demandcast.app.replay.OrderLinesFile} reads an Online Retail order-lines
 * file as orders, {@link io.demandcast.app.replay.OrderReplay} sends them paced by event time or rate, and
 * {@code forecaster produce} is {@link io.demandcast.app.replay.ProduceCommand}; {@code forecaster replay}
 * ({@link io.demandcast.app.replay.ReplayCommand}) runs a {@link io.demandcast.app.replay.TopicReplay} per model
 * version over a range of {@code orders}. The demo runs both paths.
 */
package io.demandcast.app.replay;
