/**
 * Replays into Kafka: {@link io.demandcast.app.replay.OrderLinesFile} reads an Online Retail order-lines file as
 * orders, {@link io.demandcast.app.replay.OrderReplay} sends them paced by event time or rate, and
 * {@code forecaster produce} is {@link io.demandcast.app.replay.ProduceCommand}.
 */
package io.demandcast.app.replay;
