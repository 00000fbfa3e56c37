/**
 * The app's life cycle: {@link io.demandcast.app.run.ForecasterApp} starts one instance (preflight checks, topics,
 * model, topology, Kafka Streams, REST) and stops it; {@link io.demandcast.app.run.ModelLoader} is the seam where
 * the LSTM is plugged in; {@code forecaster run} is {@link io.demandcast.app.run.RunCommand}.
 */
package io.demandcast.app.run;
